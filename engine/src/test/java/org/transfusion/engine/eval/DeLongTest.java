package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Task;

/**
 * DeLong intervals and the paired test against values derived independently:
 * <ul>
 *   <li>a case worked by hand from the definitions (below);</li>
 *   <li>a 60-image case with ties, against a throwaway Python script that evaluates DeLong et al.'s structural
 *       components by their definition, pair by pair, in O(m n) and with no ranks (the implementation under test
 *       uses midranks, Sun &amp; Xu 2014): {@code v10 = [sum(psi(x, y) for y in Y) / len(Y) for x in X]},
 *       {@code v01} likewise, sample (co)variances with denominator k - 1, Var = S10/m + S01/n,
 *       {@code p = math.erfc(|z| / sqrt(2))}.</li>
 * </ul>
 */
class DeLongTest {

    /**
     * Positives 0.9, 0.6, 0.35; negatives 0.8, 0.4, 0.3, 0.2. V10 (share of negatives below each positive) =
     * 1, 3/4, 1/2; V01 (share of positives above each negative) = 1/3, 2/3, 1, 1; AUC = 0.75 either way.
     * S10 = ((1/4)^2 + 0 + (1/4)^2) / 2 = 1/16; S01 = ((5/12)^2 + (1/12)^2 + (1/4)^2 + (1/4)^2) / 3 = 11/108;
     * Var = (1/16)/3 + (11/108)/4 = 1/48 + 11/432 = 5/108; se = sqrt(5/108) = 0.21516574...; the interval is
     * 0.75 -+ 1.959964 se = [0.328280, 1.171720], clipped to [0.328280, 1].
     */
    @Test
    void handWorkedInterval() {
        double[] scores = {0.9, 0.6, 0.35, 0.8, 0.4, 0.3, 0.2};
        double[] labels = {1, 1, 1, 0, 0, 0, 0};
        DeLong.Interval i = DeLong.interval(scores, labels);
        assertThat(i.auc()).isEqualTo(0.75);
        assertThat(i.se()).isCloseTo(Math.sqrt(5.0 / 108), within(1e-15));
        assertThat(i.low()).isCloseTo(0.75 - 1.959963984540054 * Math.sqrt(5.0 / 108), within(1e-12));
        assertThat(i.high()).isEqualTo(1.0);
        assertThat(i.auc()).isEqualTo(RocAuc.binary(scores, labels));
    }

    private static final double[] Y = {
        0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0,
        0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1};
    private static final double[] S1 = {
        -0.0, -1.93, 1.75, 0.2, -0.88, 0.98, 1.11, 0.02, 1.05, 2.26, 0.55, 2.39, 2.16, -0.22, -0.52, 0.78,
        -0.91, 0.53, 2.09, 1.04, 0.58, -1.1, 2.35, 1.35, 0.77, 1.29, -0.92, -1.43, -0.42, 2.72, -0.83, -0.24,
        0.55, 0.57, 0.5, 0.27, -0.46, -3.14, 0.17, 0.27, 1.23, 0.7, 0.19, 1.21, -0.75, -0.24, -0.21, 0.29, 2.89,
        0.76, 1.94, 1.04, 0.28, -0.45, 0.52, -2.43, -1.2, -0.49, 0.84, 1.46};
    private static final double[] S2 = {
        0.91, 0.09, 0.81, 0.96, 1.04, 0.58, 1.94, -0.12, -0.66, 1.45, -0.33, 1.92, 0.93, 0.52, -2.02, 2.14,
        0.94, 0.44, 0.93, 0.63, 0.89, 0.08, 1.73, -0.37, -0.44, 2.25, 0.04, -2.08, -0.55, 0.87, -1.31, 0.8,
        0.55, 1.25, 0.45, -1.05, -0.4, -0.03, -0.52, -0.69, 1.74, 0.89, 0.51, 2.32, -1.48, 0.6, -0.59, -0.97,
        1.47, 1.4, 1.45, -0.47, -0.74, 0.97, 1.55, -2.35, 1.26, -0.19, -0.47, 1.16};

    @Test
    void agreesWithTheDefinitionOnACaseWithTies() {
        DeLong.Interval a = DeLong.interval(S1, Y);
        DeLong.Interval b = DeLong.interval(S2, Y);
        assertThat(a.auc()).isCloseTo(0.575226244343891, within(1e-12));
        assertThat(a.se()).isCloseTo(0.077386354865553, within(1e-12));
        assertThat(b.auc()).isCloseTo(0.596153846153846, within(1e-12));
        assertThat(b.se()).isCloseTo(0.074325104393240, within(1e-12));
        DeLong.Paired p = DeLong.paired(S1, S2, Y);
        assertThat(p.difference()).isCloseTo(-0.020927601809955, within(1e-12));
        assertThat(p.se()).isCloseTo(0.073306166810979, within(1e-12));
        assertThat(p.z()).isCloseTo(-0.285482145914366, within(1e-10));
        assertThat(p.p()).isCloseTo(0.775274781030948, within(1e-6)); // erfc approximation: fractional error < 1.2e-7
    }

    @Test
    void maskedLabelsAreLeftOutAndATooSmallClassHasNoInterval() {
        double[] scores = {0.9, 0.6, 0.35, 0.8, 0.4, 0.3, 0.2, 5.0};
        double[] labels = {1, 1, 1, 0, 0, 0, 0, Double.NaN};
        assertThat(DeLong.interval(scores, labels).auc()).isEqualTo(0.75);
        assertThat(DeLong.interval(new double[] {0.2, 0.3, 0.4}, new double[] {1, 0, 0}).se()).isNaN();
    }

    @Test
    void identicalScoringsDifferByNothing() {
        DeLong.Paired p = DeLong.paired(S1, S1, Y);
        assertThat(p.difference()).isZero();
        assertThat(p.z()).isZero();
        // z = 0: the two-sided p is exactly 1 (the CDF approximation gave 1.00000003, which a study then reported;
        // StudyResumeTest met it when two runs of one seed happened to have equal test AUCs)
        assertThat(p.p()).isEqualTo(1.0);
    }

    @Test
    void metricsCarryTheIntervalOfABinaryTask() {
        Task task = new Task("binary", Task.Type.BINARY, List.of("positive"), raw -> raw);
        double[] probs = {0.9, 0.6, 0.35, 0.8, 0.4, 0.3, 0.2};
        double[] targets = {1, 1, 1, 0, 0, 0, 0};
        DeLong.Interval ci = Metrics.compute(task, probs, targets, 7, 0.0, 0.5).perOutputCi().get("positive");
        // The hand-worked case above: [0.75 - 1.959964 sqrt(5/108), 1].
        assertThat(List.of(ci.low(), ci.high())).containsExactly(0.75 - 1.959963984540054 * Math.sqrt(5.0 / 108), 1.0);
    }

    @Test
    void midranksAverageTies() {
        assertThat(DeLong.midranks(new double[] {3, 1, 3, 2})).containsExactly(3.5, 1, 3.5, 2);
    }
}
