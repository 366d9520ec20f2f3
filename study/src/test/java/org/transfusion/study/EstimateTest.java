package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The p-values behind the interval rules (issue 30.4). Reference values from scipy 1.10.1 (Debian's python3-scipy):
 * {@code scipy.stats.t.cdf / t.ppf / norm.cdf / norm.ppf}, and for the estimates the closed forms written in each
 * test's comment.
 */
class EstimateTest {

    @Test
    void studentsTAndTheNormalMatchScipy() {
        assertThat(Estimate.tCdf(-1.5, 3)).isCloseTo(0.11529193262241141, within(1e-12)); // t.cdf(-1.5, 3)
        assertThat(Estimate.tCdf(2.0, 30)).isCloseTo(0.9726874775185085, within(1e-12)); // t.cdf(2.0, 30)
        assertThat(Estimate.tCdf(0.3, 1)).isCloseTo(0.5927735790777423, within(1e-12)); // t.cdf(0.3, 1)
        assertThat(Estimate.tQuantile(0.975, 2)).isCloseTo(4.302652729911275, within(1e-9)); // t.ppf(0.975, 2)
        assertThat(Estimate.tQuantile(0.8, 4)).isCloseTo(0.94096457719753, within(1e-9)); // t.ppf(0.8, 4)
        assertThat(Estimate.normalCdf(-1.2)).isCloseTo(0.11506967022170822, within(1e-12)); // norm.cdf(-1.2)
        assertThat(Estimate.zQuantile(0.8)).isCloseTo(0.8416212335729143, within(1e-9)); // norm.ppf(0.8)
        assertThat(Estimate.zQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-9));
        // the table the intervals use agrees to its 3 decimals
        for (int df = 1; df <= 30; df++) {
            assertThat(Estimate.tQuantile(0.975, df)).as("df " + df).isCloseTo(Stats.t975(df), within(6e-4));
        }
    }

    /**
     * d = {0.01, 0.02, 0.015, 0.005}: mean 0.0125, se = sd / 2 = 0.0032275, 3 degrees of freedom. The interval lies
     * below 0.02 at two-sided alpha when mean + t(1 - alpha/2, 3) se &lt;= 0.02, so p = 2 (1 - t.cdf((0.02 - mean) /
     * se, 3)) = 0.1027; above -0.02: 2 (1 - t.cdf(0.0325 / se, 3)) = 0.002085; within +-0.02: the larger, 0.1027;
     * not zero: 2 (1 - t.cdf(mean / se, 3)) = 0.03047. Detectable with 80% power: (t.ppf(0.975, 3) + t.ppf(0.8, 3))
     * se = 0.013429.
     */
    @Test
    void pValuesAreTheAlphaAtWhichTheRulesIntervalTouchesItsBound() {
        Estimate e = Estimate.ofSeeds(new double[] {0.01, 0.02, 0.015, 0.005});
        assertThat(e.pBelow(0.02)).isCloseTo(0.10272807885839885, within(1e-9));
        assertThat(e.pAbove(-0.02)).isCloseTo(0.002085480314975241, within(1e-9));
        assertThat(e.pWithin(-0.02, 0.02)).isCloseTo(0.10272807885839885, within(1e-9));
        assertThat(e.pNonZero()).isCloseTo(0.030466291662170963, within(1e-9));
        assertThat(e.detectable()).isCloseTo(0.013429307090834458, within(1e-9));
        // the wrong side: nothing to reject
        assertThat(e.pBelow(0)).isEqualTo(1.0);
        // at p the interval's end is the bound itself
        assertThat(e.mean() + e.halfWidth(e.pBelow(0.02))).isCloseTo(0.02, within(1e-9));
        // one seed: no spread, no test
        assertThat(Estimate.ofSeeds(new double[] {0.1, Double.NaN}).pAbove(0)).isNaN();
    }

    @Test
    void withTheTestSetsVarianceTheIntervalIsTheCombinedOne() {
        double[] d = {0.01, 0.02, 0.015, 0.005};
        double v = 0.01 * 0.01;
        Estimate e = Estimate.ofSeeds(d, v);
        double[] ci = Stats.combinedInterval(d, v);
        // the same interval at 95% (Stats' t from its 3-decimal table: 3.182 against 3.18245)
        assertThat(e.mean() + e.halfWidth(0.05)).isCloseTo(ci[1], within(1e-4));
        // wider than the seed-only interval, so a weaker p for the same bound
        assertThat(e.pBelow(0.03)).isGreaterThan(Estimate.ofSeeds(d).pBelow(0.03));
        assertThat(e.mean() + e.halfWidth(e.pBelow(0.03))).isCloseTo(0.03, within(1e-9));
        // a NaN test variance is "not measured": the seed-only estimate
        assertThat(Estimate.ofSeeds(d, Double.NaN)).isEqualTo(Estimate.ofSeeds(d));
    }
}
