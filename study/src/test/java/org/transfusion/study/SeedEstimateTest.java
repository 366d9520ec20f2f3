package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeds that would decide claim 1 from a pilot (issue 30, "Also"); the arithmetic by hand in comments. */
class SeedEstimateTest {
    @TempDir Path dir;

    @Test
    void theSmallestNumberOfSeedsWhoseCombinedIntervalFitsTheMargin() {
        double[] d = {0.0, 0.01, -0.01}; // mean 0, sd 0.01
        // no test-set part: 3 seeds give 4.303 * 0.01 / sqrt(3) = 0.0248 > 0.02, 4 give 3.182 * 0.01 / 2 = 0.0159
        assertThat(SeedEstimate.line("cbr-small", d, 0, "x")).endsWith("about 4 seeds would put the interval within "
                + "+-0.02, if the mean stays").contains("pilot of 3 seeds, difference +0.000, seed sd 0.010");
        // test-set SE 0.01: t^2 1e-4 / N + 1.96^2 1e-4 <= 4e-4 needs t^2 / N <= 0.1584 (1.96^2 = 3.8416): N = 26
        // gives 2.060^2 / 26 = 0.1632, N = 27 gives 2.056^2 / 27 = 0.1566
        assertThat(SeedEstimate.line("cbr-small", d, 1e-4, "x")).contains("about 27 seeds");
        // test-set SE 0.011: 1.96 * 0.011 = 0.0216 >= 0.02 with any number of seeds
        assertThat(SeedEstimate.line("cbr-small", d, 0.011 * 0.011, "x"))
                .contains("no number of seeds decides it at +-0.02").contains("a larger test set is needed");
    }

    @Test
    void withoutFinishedRunsItSaysThatItNeedsAPilot() {
        StudySpec spec = SpecReader.parse("""
                name: pilot
                data: synthetic:retina?n=200&size=16
                task: referable
                models: [cbr-small]
                seeds: [0, 1, 2]
                training: {epochs: 1, batch_size: 16, lr: 0.001, eval_every: 2}
                pretrain: {data: "synthetic:natural?n=200&size=16", task: multiclass, epochs: 1}
                experiments:
                  performance: {}
                """, "pilot.yaml");
        assertThat(SeedEstimate.lines(Plan.of(spec, dir, null))).containsExactly("claim 1, cbr-small: needs a pilot: "
                + "at least 2 seeds with both random and pretrained runs finished in this folder (0 now); run the "
                + "study with 2-3 seeds, then --plan estimates the seeds to decide it");
    }
}
