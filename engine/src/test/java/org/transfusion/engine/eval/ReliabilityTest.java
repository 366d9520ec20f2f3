package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ReliabilityTest {

    @Test
    void eceOfAHandWorkedExample() {
        // 5 bins (0, .2], (.2, .4], (.4, .6], (.6, .8], (.8, 1]; by hand:
        //   bin 0: 0.1, 0.15 (labels 0, 0)      mean 0.125, fraction 0   -> |gap| 0.125, n 2
        //   bin 1: 0.3 (label 1)                mean 0.3,   fraction 1   -> 0.7,   n 1
        //   bin 2: 0.5, 0.55 (labels 0, 1)      mean 0.525, fraction 1/2 -> 0.025, n 2
        //   bin 3: empty
        //   bin 4: 0.9, 0.95, 1.0 (all 1)       mean 0.95,  fraction 1   -> 0.05,  n 3
        // ECE = (2 * 0.125 + 0.7 + 2 * 0.025 + 3 * 0.05) / 8 = 1.15 / 8 = 0.14375. A masked label is left out.
        double[] p = {0.1, 0.15, 0.3, 0.5, 0.55, 0.9, 0.95, 1.0, 0.7};
        double[] y = {0, 0, 1, 0, 1, 1, 1, 1, Double.NaN};
        Reliability r = Reliability.of(p, y, 5);
        assertThat(r.ece()).isCloseTo(0.14375, within(1e-15));
        assertThat(r.count()).isEqualTo(8);
        assertThat(r.bins()).extracting(Reliability.Bin::count).containsExactly(2L, 1L, 2L, 0L, 3L);
        assertThat(r.bins().get(2).meanProbability()).isCloseTo(0.525, within(1e-15));
        assertThat(r.bins().get(2).fractionPositive()).isEqualTo(0.5);
        assertThat(r.bins().get(3).meanProbability()).isNaN();
        assertThat(r.bins().get(4).lower()).isEqualTo(0.8);
        assertThat(r.bins().get(4).upper()).isEqualTo(1.0);
    }

    @Test
    void binsAreOpenBelowAndClosedAbove() {
        // (k/B, (k+1)/B], 0 in the first bin, 1 in the last (scikit-learn's calibration_curve edges).
        assertThat(Reliability.bin(0.0, 5)).isZero();
        assertThat(Reliability.bin(0.2, 5)).isZero();
        assertThat(Reliability.bin(0.2000001, 5)).isEqualTo(1);
        assertThat(Reliability.bin(0.4, 5)).isEqualTo(1);
        assertThat(Reliability.bin(1.0, 5)).isEqualTo(4);
        assertThat(Reliability.bin(1.0 / 3, 15)).isEqualTo(4); // 5/15 closes bin 4
        assertThat(Reliability.bin(0.34, 15)).isEqualTo(5);
    }

    @Test
    void perfectlyCalibratedBinsHaveNoError() {
        // Every probability 0.25 with one positive in four; every 0.75 with three in four.
        double[] p = {0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75};
        double[] y = {1, 0, 0, 0, 1, 1, 1, 0};
        assertThat(Reliability.of(p, y, Reliability.BINS).ece()).isZero();
        assertThat(Reliability.of(new double[] {0.5}, new double[] {Double.NaN}, 15).ece()).isNaN();
    }
}
