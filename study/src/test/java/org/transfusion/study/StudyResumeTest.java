package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.train.Progress;
import org.transfusion.engine.train.Trainer;
import org.transfusion.study.record.PairedDelongRecord;

@Tag("slow") // trains real networks for over 20 s: left out of the fast loop (-Pfast), run by ./mvnw verify
class StudyResumeTest {
    @TempDir Path dir;

    private static final String SPEC = """
            name: mini
            data: synthetic:retina?n=160&size=16
            task: referable
            models: [cbr-small]
            seeds: [0, 1]
            training: {epochs: 2, batch_size: 16, lr: 0.001, eval_every: 3}
            pretrain: {data: "synthetic:natural?n=160&size=16", task: multiclass, epochs: 1}
            experiments:
              performance: {schemes: [random, pretrained]}
              representations: {max_points: 300, conv: flatten}
              convergence: {schemes: [random, pretrained], thresholds: [0.6, 0.7]}
            """;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void aKilledStudyRerunContinuesWithoutRedoingRunsAndGivesTheSameReport() throws Exception {
        StudySpec spec = SpecReader.parse(SPEC, "mini.yaml");
        // Training of both studies happens before either report is drawn: a killed study is rerun in a fresh
        // process, where no image rendering has run before training (in one JVM, training after Java2D has been
        // used differed in the last bits of the weights; suspected floating-point mode set by a native library).
        Path whole = dir.resolve("whole");
        Plan wholePlan = Plan.of(spec, whole, null);
        new StudyRunner(QUIET, 1, null).run(wholePlan);

        // The killed study: pretraining and one run finished, the next one killed mid-way (after its first checkpoint).
        Path killed = dir.resolve("killed");
        Plan plan = Plan.of(spec, killed, null);
        PlannedRun pretrain = plan.pretrains().get(0);
        Trainer.run(pretrain.spec(), new RunFolder(pretrain.folder()), true, Progress.SILENT);
        PlannedRun first = plan.runs().get(0);
        Trainer.run(first.spec(), new RunFolder(first.folder()), true, Progress.SILENT);
        // The run killed mid-way starts from the pretraining's weights, which move with the study folder below.
        PlannedRun second = plan.runs().stream().filter(r -> r != first && r.spec().weights() != null).findFirst()
                .orElseThrow();
        Progress killAt5 = new Progress() {
            @Override
            public void step(long step, long total, double loss, double ips, double left, double best) {
                if (step == 5) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> Trainer.run(second.spec(), new RunFolder(second.folder()), true, killAt5))
                .hasMessage("killed");
        // issue 28: the killed study folder is moved to another path before the rerun; its runs name the pretrained
        // weights by the SHA-256 run.json recorded, so the part-trained run resumes at its new path.
        Path moved = dir.resolve("moved");
        Files.move(killed, moved);
        Plan movedPlan = Plan.of(spec, moved, null);
        Path movedFirst = movedPlan.runs().get(0).folder();
        long firstMetricsTime = Files.getLastModifiedTime(movedFirst.resolve("metrics.json")).toMillis();

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new StudyRunner(new PrintStream(log), 1, null).run(movedPlan);
        Path whole1 = Study.run(spec, whole, null, new StudyRunner(QUIET, 1, null), QUIET);
        Path resumed = Study.run(spec, moved, null, new StudyRunner(QUIET, 1, null), QUIET);

        assertThat(log.toString()).contains("2 already complete");
        assertThat(log.toString()).contains("resuming " + moved.resolve(killed.relativize(second.folder())));
        assertThat(Files.getLastModifiedTime(movedFirst.resolve("metrics.json")).toMillis())
                .as("a finished run is not trained again").isEqualTo(firstMetricsTime);
        assertThat(Files.readString(resumed).split("(?=<tr>|<h2>|<figure>)"))
                .containsExactly(Files.readString(whole1).split("(?=<tr>|<h2>|<figure>)"));
        assertThat(Files.readString(moved.resolve("report/runs.csv")))
                .isEqualTo(Files.readString(whole.resolve("report/runs.csv")));
        // The page shows each part of the study.
        assertThat(Files.readString(resumed)).contains("<h2>Findings</h2>", "<h2>Performance", "<svg", "<h2>Representations",
                "data:image/png;base64,", "paired DeLong test", "How much representations change",
                "error bars: 95% t-interval", "<h2>Where the models look</h2>", "alt='saliency of cbr-small'");
        // The calibration table shows each scheme's expected calibration error as metrics.json has it, over seeds.
        double[] ece = movedPlan.spec().seeds().stream().mapToDouble(seed -> Json.read(movedPlan.run("cbr-small",
                "random",
                null, seed).folder().resolve("metrics.json")).path("test").path("calibration").path("ece").asDouble())
                .toArray();
        assertThat(Files.readString(resumed)).contains("<h3>Calibration on the test split</h3>",
                "<td>cbr-small</td><td>random</td><td>" + Findings.pm(ece) + "</td>", "reliability: cbr-small");
        // Grad-CAM of seed 0's random and pretrained runs on the first 4 test images (synthetic data: the demo's 4).
        assertThat(Files.readAllLines(moved.resolve("report/saliency.csv"))).hasSize(1 + 2 * 4);
        // The paired test scores each run's best weights again: its AUCs must be the ones training computed on the
        // same test split (metrics.json, by the rank-sum AUC; here by DeLong's placement values).
        List<PairedDelongRecord.Row> rows = PairedDelongRecord.read(PerformanceExperiment.pairedFile(moved)).rows();
        assertThat(rows).hasSize(2);
        for (PairedDelongRecord.Row row : rows) {
            long seed = row.seed();
            for (String scheme : List.of("random", "pretrained")) {
                double trained = Json.read(movedPlan.run("cbr-small", scheme, null, seed).folder().resolve("metrics.json"))
                        .path("test").path("auc").asDouble();
                assertThat(scheme.equals("random") ? row.aucRandom() : row.aucTransfer())
                        .as("%s seed %d", scheme, seed).isCloseTo(trained, within(1e-9));
            }
            assertThat(row.p()).isBetween(0.0, 1.0);
        }
    }

    /**
     * A rerun of a finished study keeps its analyses while they are newer than every run (the forgetting probes take
     * ~25 minutes at quick scale); a run that finished after an analysis makes that analysis run again.
     */
    @Test
    void aRerunKeepsAnalysesNewerThanEveryRunAndRedoesStaleOnes() throws Exception {
        StudySpec spec = SpecReader.parse(SPEC, "mini.yaml");
        Path study = dir.resolve("study");
        Study.run(spec, study, null, new StudyRunner(QUIET, 1, null), QUIET);
        Path representations = RepresentationsExperiment.file(study);
        Path paired = PerformanceExperiment.pairedFile(study);
        long repWritten = Files.getLastModifiedTime(representations).toMillis();
        long pairedWritten = Files.getLastModifiedTime(paired).toMillis();
        Thread.sleep(20);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Study.run(spec, study, null, new StudyRunner(QUIET, 1, null), new PrintStream(log, true));
        assertThat(log.toString()).contains("analysis: analysis/representations.json is newer than every run; kept",
                "analysis: " + study.relativize(paired) + " is newer than every run; kept");
        assertThat(Files.getLastModifiedTime(representations).toMillis()).isEqualTo(repWritten);
        assertThat(Files.getLastModifiedTime(paired).toMillis()).isEqualTo(pairedWritten);

        // one run finished (again) after the analyses: both cover it, so both run again
        Path metrics = Plan.of(spec, study, null).runs().get(0).folder().resolve("metrics.json");
        Files.setLastModifiedTime(metrics, java.nio.file.attribute.FileTime.fromMillis(
                Math.max(repWritten, pairedWritten) + 60_000));
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Study.run(spec, study, null, new StudyRunner(QUIET, 1, null), new PrintStream(again, true));
        assertThat(again.toString()).doesNotContain("is newer than every run; kept");
        assertThat(Files.getLastModifiedTime(representations).toMillis()).isGreaterThan(repWritten);
        assertThat(Files.getLastModifiedTime(paired).toMillis()).isGreaterThan(pairedWritten);
        Plan plan = Plan.of(spec, study, null);
        assertThat(Study.upToDate(study.resolve("analysis/missing.json"), plan.runs(), plan.pretrains())).isFalse();
    }
}
