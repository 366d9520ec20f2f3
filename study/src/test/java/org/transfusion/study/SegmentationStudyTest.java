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
              segmentation:
                schemes: [random, pretrained]
                blocks: [layer1]
                threshold: 0.3
                max_points: 8000
                compare_with: {data: "synthetic:retina?n=160&size=16", task: referable, image_size: 16, epochs: 1}
            """;

    @Tag("slow")
    @Test
    void aSegmentationStudyRunsJudgesAndReports() throws Exception {
        StudySpec s = SpecReader.parse(SPEC, "seg.yaml");
        Path out = dir.resolve("study");
        Path report = Study.run(s, out, null, new StudyRunner(new PrintStream(new ByteArrayOutputStream()), 1, null),
                new PrintStream(new ByteArrayOutputStream()));
        Plan plan = Plan.of(s, out, null);
        // random, pretrained, transfusion:layer1 for each of two seeds, and the encoder as a classifier from random and
        // pretrained on each seed (compare_with); one pretraining, of the encoder's classifier, for both
        assertThat(plan.runs()).hasSize(10);
        assertThat(plan.pretrains()).extracting(PlannedRun::model).containsExactly("cbr-tiny");
        assertThat(plan.runs()).allMatch(r -> new RunFolder(r.folder()).isComplete());
        RunSpec one = plan.run("unet-cbr-tiny", "random", null, 0).spec();
        assertThat(one.patchSize()).isEqualTo(16); // the study's image size is the patch side
        assertThat(one.thresholds()).containsExactly(0.3); // the declared Dice threshold

        PlannedRun cls = plan.comparison("cbr-tiny", "pretrained", 1);
        assertThat(cls.spec().data()).isEqualTo("synthetic:retina?n=160&size=16");
        assertThat(cls.spec().task()).isEqualTo("referable");
        assertThat(cls.spec().imageSize()).isEqualTo(16);
        assertThat(cls.spec().epochs()).isEqualTo(1);
        assertThat(cls.spec().weights()).isEqualTo(plan.run("unet-cbr-tiny", "pretrained", null, 1).spec().weights());
        assertThat(cls.folder().getFileName().toString()).isEqualTo("compare__cbr-tiny__pretrained__all__s1");

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
        RepresentationsRecord.Model asClassifier = change.models().get(SegmentationExperiment.COMPARE_PREFIX
                + "cbr-tiny");
        assertThat(asClassifier.beforeAfter("pretrained").comparisons()).isEqualTo(2);
        assertThat(asClassifier.beforeAfter("random").comparisons()).isEqualTo(2);
        // the verdict compares the layers both networks probe with enough points: the encoder's, never the decoder's
        SegmentationExperiment.SharedLayers shared = SegmentationExperiment.SharedLayers.of("unet-cbr-tiny",
                change.models().get("unet-cbr-tiny"), asClassifier);
        assertThat(shared.names()).isNotEmpty().contains("layer1").noneMatch(n -> n.startsWith("decoder"));
        Finding reuse = findings.stream().filter(f -> f.claim().equals(Findings.SEGMENTATION_REUSES_MORE))
                .findFirst().orElseThrow();
        // two seeds: measured and shown, never judged
        assertThat(reuse.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(reuse.measured()).contains("unet-cbr-tiny vs cbr-tiny").contains("2 paired seeds");

        String html = Files.readString(report);
        assertThat(html).contains("<h2>Segmentation: does transfer help when the task is to draw the structure?</h2>")
                .contains("validation Dice by step").contains("change per layer")
                .contains("Test predictions, random vs pretrained encoder")
                .contains("The encoder in segmentation and in classification")
                .contains("cbr-tiny: change per encoder layer, segmentation vs classification");
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
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("  segmentation:\n", "  performance: {}\n  segmentation:\n"),
                "d.yaml")).isInstanceOf(BadInputException.class).hasMessageContaining("drop performance");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("schemes: [random, pretrained]", "schemes: [pretrained]"),
                "e.yaml")).isInstanceOf(BadInputException.class).hasMessageContaining("expected 'random'");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("task: referable", "task: segmentation"), "f.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("experiments.segmentation.compare_with.task")
                .hasMessageContaining("expected a classification task");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("schemes: [random, pretrained]", "schemes: [random]"),
                "g.yaml")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("experiments.segmentation.compare_with").hasMessageContaining("add 'pretrained'");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("task: referable, ", ""), "h.yaml"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("compare_with");
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
        assertThat(demo.experiments().segmentation().compareWith())
                .isEqualTo(new StudySpec.CompareWith("synthetic:retina?n=200&size=32", "referable", 32, 3));
        StudySpec quick = Presets.get("segmentation", "quick");
        assertThat(quick.experiments().segmentation().compareWith()).isNull();
        assertThat(quick.data()).isNull();
        assertThat(quick.imageSize()).isEqualTo(64);
    }
}
