package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.eval.DeLong;
import org.transfusion.study.record.PairedDelongRecord;

/** The test set's variance of a seed-averaged contrast between runs (claims 2 and 4, issue 30.3). */
class ContrastMeanTest {
    // labels 0, 0, 1, 1; a ranks one positive below a negative: AUC 3/4; b ranks all correctly: AUC 1
    private static final double[] Y = {0, 0, 1, 1};
    private static final double[] A = {0.1, 0.4, 0.35, 0.8};
    private static final double[] B = {0.1, 0.2, 0.3, 0.4};

    @Test
    void onASharedTestSetOneContrastOverEverySeed() {
        PerformanceExperiment.SeedScorings seed = new PerformanceExperiment.SeedScorings(List.of(A, B), Y);
        PairedDelongRecord.Mean one = PerformanceExperiment.contrastMean("a - b", 1, List.of(seed),
                new double[] {1, -1});
        assertThat(one.difference()).isCloseTo(0.75 - 1.0, within(1e-12));
        assertThat(one.testVariance()).isCloseTo(DeLong.contrast(List.of(A, B), new double[] {1, -1}, Y).variance(),
                within(1e-15));
        // two identical seeds on the same images: their average is the same contrast, with the same variance (the
        // test set's sampling is common to both; it does not halve)
        PairedDelongRecord.Mean two = PerformanceExperiment.contrastMean("a - b", 2, List.of(seed, seed),
                new double[] {1, -1});
        assertThat(two.method()).isEqualTo("DeLong, shared test set");
        assertThat(two.difference()).isCloseTo(-0.25, within(1e-12));
        assertThat(two.testVariance()).isCloseTo(one.testVariance(), within(1e-15));
    }

    @Test
    void onIndependentTestSetsTheSeedsVariancesOverNSquared() {
        double[] y2 = {1, 0, 1, 0};
        double[] a2 = {0.9, 0.1, 0.6, 0.7};
        double[] b2 = {0.8, 0.3, 0.2, 0.1};
        double v1 = DeLong.contrast(List.of(A, B), new double[] {1, -1}, Y).variance();
        double v2 = DeLong.contrast(List.of(a2, b2), new double[] {1, -1}, y2).variance();
        PairedDelongRecord.Mean m = PerformanceExperiment.contrastMean("a - b", 2, List.of(
                new PerformanceExperiment.SeedScorings(List.of(A, B), Y),
                new PerformanceExperiment.SeedScorings(List.of(a2, b2), y2)), new double[] {1, -1});
        assertThat(m.method()).isEqualTo("DeLong per seed, independent test sets");
        assertThat(m.testVariance()).isCloseTo((v1 + v2) / 4, within(1e-15));
        // a seed short: no variance, and the verdict falls back to seeds only
        assertThat(PerformanceExperiment.contrastMean("a - b", 3, List.of(
                new PerformanceExperiment.SeedScorings(List.of(A, B), Y)), new double[] {1, -1}).testVariance())
                .isNull();
    }
}
