package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.train.DivergedException;
import org.transfusion.engine.train.Progress;
import org.transfusion.engine.train.Trainer;

/**
 * issue 27: a study at lr 1000 (cbr-tiny, synthetic retina, seeds 0-2, random and pretrained) exited 0 with every
 * run's AUC 0.500 [0.5, 0.5], and the report called claim 1 reproduced. Now each such run ends as failed (exit 3,
 * failed.json), the study goes on past it, lists it, and no verdict reads it.
 */
class StudyDivergenceTest {
    @TempDir Path dir;

    private static String spec(String pretrain) {
        return """
                name: wild
                data: synthetic:retina?n=160&size=16
                task: referable
                models: [cbr-tiny]
                seeds: [0, 1, 2]
                training: {epochs: 2, batch_size: 16, lr: 10, eval_every: 3}
                pretrain: %s
                experiments:
                  performance: {schemes: [random, pretrained]}
                """.formatted(pretrain);
    }

    @Test
    void divergedRunsAreReportedAsFailedAndNoVerdictReadsThem() throws Exception {
        // The pretrained weights come from a file (a sane pretraining run), so that only the study's runs diverge.
        Path source = dir.resolve("source");
        RunSpec pre = RunSpec.builder("synthetic:natural?n=160&size=16", "cbr-tiny").task("multiclass")
                .length(10L, null).batchSize(16).threads(1).build();
        Trainer.run(pre, new RunFolder(source), false, Progress.SILENT);
        Path weights = Files.createDirectories(dir.resolve("weights"));
        Files.copy(source.resolve("weights.safetensors"), weights.resolve("cbr-tiny.safetensors"));

        StudySpec s = SpecReader.parse(spec("{weights: " + weights + "}"), "wild.yaml");
        Path out = dir.resolve("study");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path report = Study.run(s, out, null, new StudyRunner(new PrintStream(log), 1, null),
                new PrintStream(new ByteArrayOutputStream()));

        Plan plan = Plan.of(s, out, null);
        assertThat(plan.runs()).hasSize(6);
        assertThat(plan.runs()).allMatch(r -> new RunFolder(r.folder()).isFailed() && !new RunFolder(r.folder())
                .isComplete());
        assertThat(log.toString()).contains("6 run(s) failed (diverged or collapsed) and are left out of every verdict");
        String html = Files.readString(report);
        assertThat(html).contains("<h2>Failed runs</h2><p>6 of 6 runs diverged or collapsed");
        // Claim 1 is judged only from complete runs: with none, it is not stated at all (never "reproduced").
        assertThat(new PerformanceExperiment(s.experiments().performance()).findings(new Results(plan)))
                .noneMatch(f -> f.claim().startsWith("Transfer from pretraining gives little"))
                .noneMatch(f -> f.verdict() == Finding.Verdict.REPRODUCED);
        assertThat(html).doesNotContain("class='verdict reproduced'");

        // A rerun trains nothing again: failed runs are final, like complete ones.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new StudyRunner(new PrintStream(again), 1, null).run(plan);
        assertThat(again.toString()).contains("0 already complete and 6 failed, 0 to do");
    }

    @Test
    void aPretrainingThatDivergesStopsTheStudyNamingIt() {
        StudySpec s = SpecReader.parse(spec("{data: \"synthetic:natural?n=160&size=16\", task: multiclass, epochs: 1}"),
                "wild.yaml");
        Path out = dir.resolve("study2");
        assertThatThrownBy(() -> Study.run(s, out, null, new StudyRunner(new PrintStream(new ByteArrayOutputStream()),
                1, null), new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(DivergedException.class).hasMessageStartingWith("pretraining ")
                .hasMessageContaining("failed: ");
    }
}
