package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
    /**
     * 0.7, 0.8, 0.9: mean 0.8, sd 0.1, se 0.1 / sqrt(3) = 0.057735; t(0.975, 2) = 4.303 (tables), so the interval is
     * 0.8 -+ 0.248433 = [0.551567, 1.048433]. A NaN (a missing run) is left out, not counted as a seed.
     */
    @Test
    void tIntervalOfThreeSeedsByHand() {
        double[] ci = Stats.tInterval(new double[] {0.7, Double.NaN, 0.8, 0.9});
        assertThat(ci[0]).isCloseTo(0.8 - 4.303 * 0.1 / Math.sqrt(3), within(1e-12));
        assertThat(ci[1]).isCloseTo(0.8 + 0.248433, within(1e-6));
    }

    @Test
    void oneSeedHasNoInterval() {
        assertThat(Stats.tInterval(new double[] {0.7})).containsExactly(Double.NaN, Double.NaN);
    }

    /** 40 values 0, 1, 0, 1...: mean 0.5, sd sqrt(40 / 4 / 39) = 0.506370; beyond 30 df the normal 1.96. */
    @Test
    void manySeedsUseTheNormalQuantile() {
        double[] v = new double[40];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 2;
        }
        assertThat(Stats.tInterval(v)[1]).isCloseTo(0.5 + 1.96 * Math.sqrt(10.0 / 39) / Math.sqrt(40), within(1e-12));
    }
}
