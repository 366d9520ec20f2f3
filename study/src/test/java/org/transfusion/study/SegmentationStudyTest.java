package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.error.BadInputException;
import org.transfusion.study.record.RepresentationsRecord;

/** The segmentation experiment as a study: its runs, its analysis, its verdicts and its report section. */
class SegmentationStudyTest {
    @TempDir Path dir;

    static final String SPEC = """
            name: seg
            data: "synthetic:retina-vessels?n=24&size=48"
            task: segmentation
            image_size: 16
            models: [unet-cbr-tiny]
            seeds: [0, 1]
            training: {epochs: 2, batch_size: 8, lr: 0.001}
            pretrain: {data: "synthetic:natural?n=200&size=16", task: multiclass, epochs: 1, image_size: 16, published: false}
            experiments:
              segmentation: {schemes: [random, pretrained], blocks: [layer1], threshold: 0.3, max_points: 8000}
            """;

    @Tag("slow")
    @Test
    void aSegmentationStudyRunsJudgesAndReports() throws Exception {
        StudySpec s = SpecReader.parse(SPEC, "seg.yaml");
        Path out = dir.resolve("study");
        Path report = Study.run(s, out, null, new StudyRunner(new PrintStream(new ByteArrayOutputStream()), 1, null),
                new PrintStream(new ByteArrayOutputStream()));
        Plan plan = Plan.of(s, out, null);
        // random, pretrained, transfusion:layer1 for each of two seeds; one pretraining, of the encoder's classifier
        assertThat(plan.runs()).hasSize(6);
        assertThat(plan.pretrains()).extracting(PlannedRun::model).containsExactly("cbr-tiny");
        assertThat(plan.runs()).allMatch(r -> new RunFolder(r.folder()).isComplete());
        RunSpec one = plan.run("unet-cbr-tiny", "random", null, 0).spec();
        assertThat(one.patchSize()).isEqualTo(16); // the study's image size is the patch side
        assertThat(one.thresholds()).containsExactly(0.3); // the declared Dice threshold

        Results results = new Results(plan);
        assertThat(java.util.Arrays.stream(results.testDices("unet-cbr-tiny", "random")).boxed().toList())
                .allMatch(d -> d > 0 && d <= 1);
        List<Finding> findings = new SegmentationExperiment(s.experiments().segmentation()).findings(results);
        assertThat(findings).extracting(Finding::claim).contains(SegmentationExperiment.DICE_NO_GAIN,
                Findings.TRANSFUSION, Findings.LOWER_CHANGE_LESS);
        assertThat(findings).allMatch(f -> f.experiment().equals("segmentation"));
        assertThat(findings.stream().filter(f -> f.claim().equals(SegmentationExperiment.DICE_NO_GAIN)))
                .allMatch(f -> f.measured().contains("test Dice random"));

        RepresentationsRecord change = RepresentationsRecord.read(plan.folder().analysis("segmentation"));
        assertThat(change.models().get("unet-cbr-tiny").layers()).contains("layer1", "decoder.0");
        assertThat(change.models().get("unet-cbr-tiny").beforeAfter("pretrained").comparisons()).isEqualTo(2);

        String html = Files.readString(report);
        assertThat(html).contains("<h2>Segmentation: does transfer help when the task is to draw the structure?</h2>")
                .contains("validation Dice by step").contains("change per layer")
                .contains("Test predictions, random vs pretrained encoder");
        assertThat(out.resolve("report/segmentation/unet-cbr-tiny__random")).isDirectory();
        try (var files = Files.list(out.resolve("report/segmentation/unet-cbr-tiny__pretrained"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith("_overlay.png"));
        }
    }

    @Test
    void aSegmentationSpecIsCheckedBeforeAnythingRuns() {
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("task: segmentation", "task: referable"), "a.yaml"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("task")
                .hasMessageContaining("needs task: segmentation");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("[unet-cbr-tiny]", "[cbr-tiny]"), "b.yaml"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("models[0]")
                .hasMessageContaining("not a segmentation model");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("blocks: [layer1]", "blocks: [layer9]"), "c.yaml"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("experiments.segmentation.blocks[0]");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("segmentation: {", "performance: {}\n  segmentation: {"),
                "d.yaml")).isInstanceOf(BadInputException.class).hasMessageContaining("drop performance");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("schemes: [random, pretrained]", "schemes: [pretrained]"),
                "e.yaml")).isInstanceOf(BadInputException.class).hasMessageContaining("expected 'random'");
    }

    @Test
    void thePresetsDeclareTheirDiceThresholdAndPatch() {
        StudySpec demo = Presets.get("segmentation", "demo");
        assertThat(demo.task()).isEqualTo("segmentation");
        assertThat(demo.experiments().segmentation().threshold()).isEqualTo(0.5);
        assertThat(demo.models()).allMatch(m -> org.transfusion.engine.model.ModelRegistry.get(m).isSegmentation());
        // the preset reads back through the spec reader unchanged (what study.json records)
        StudySpec again = SpecReader.parse(new org.yaml.snakeyaml.Yaml().dump(demo.toMap()), "demo");
        assertThat(again).isEqualTo(demo);
        StudySpec quick = Presets.get("segmentation", "quick");
        assertThat(quick.data()).isNull();
        assertThat(quick.imageSize()).isEqualTo(64);
    }
}
