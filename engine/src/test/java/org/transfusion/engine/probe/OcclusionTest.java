package org.transfusion.engine.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Occlusion against hand calculations with a linear "model": {@code score = sum_i w_i x_i}, for which occluding a
 * patch (setting it to 0) drops the score by exactly the patch's sum of {@code w_i x_i}.
 */
class OcclusionTest {
    /** The linear score of each of {@code count} inputs of {@code w.length} values. */
    private static Occlusion.Scorer linear(float[] w) {
        return (inputs, count) -> {
            double[] s = new double[count];
            for (int n = 0; n < count; n++) {
                for (int i = 0; i < w.length; i++) {
                    s[n] += w[i] * inputs[n * w.length + i];
                }
            }
            return s;
        };
    }

    private static float[] ones(int n) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, 1);
        return w;
    }

    private static void assertMap(HeatMap map, double... expected) {
        assertThat(map.values()).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) map.values()[i]).as("pixel %d", i).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void disjointPatchesGiveEachPixelItsPatchsDrop() {
        // 4 x 4 image 1..16, 2 px patches every 2 px: drops 1+2+5+6 = 14, 3+4+7+8 = 22, 9+10+13+14 = 46,
        // 11+12+15+16 = 54; min-max scaled over 14..54: 0, 0.2, 0.8, 1.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1;
        }
        HeatMap m = Occlusion.map(x, 1, 4, new Occlusion.Patch(2, 2), linear(ones(16)));
        assertMap(m, 0, 0, 0.2, 0.2, 0, 0, 0.2, 0.2, 0.8, 0.8, 1, 1, 0.8, 0.8, 1, 1);
    }

    @Test
    void overlappingPatchesAverageTheDropsCoveringAPixel() {
        // 3 x 3 image 1..9, 2 px patches every pixel (4 positions): drops 12, 16, 24, 28. Pixel means: (0,0) 12,
        // (0,1) (12+16)/2 = 14, (0,2) 16, (1,0) (12+24)/2 = 18, centre (12+16+24+28)/4 = 20, (1,2) 22, (2,0) 24,
        // (2,1) 26, (2,2) 28; min-max over 12..28 gives 0, 1/8, ..., 1.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        HeatMap m = Occlusion.map(x, 1, 3, new Occlusion.Patch(2, 1), linear(ones(9)));
        assertMap(m, 0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1);
    }

    @Test
    void everyChannelIsOccludedAndScoreGainsAreNoEvidence() {
        // Two channels of a 2 x 2 image, 1 px patches: a pixel's drop is w x over both channels. Channel 0 = 1, 2,
        // 3, 4 and channel 1 = 10, 20, 30, 40, weights 1 on channel 0 and -1 on channel 1 except pixel 3 (+1):
        // drops 1-10 = -9, 2-20 = -18, 3-30 = -27, 4+40 = 44. Below zero is no evidence: 0, 0, 0, 44 -> 0, 0, 0, 1.
        float[] x = {1, 2, 3, 4, 10, 20, 30, 40};
        float[] w = {1, 1, 1, 1, -1, -1, -1, 1};
        assertMap(Occlusion.map(x, 2, 2, new Occlusion.Patch(1, 1), linear(w)), 0, 0, 0, 1);
    }

    @Test
    void patchPositionsReachTheFarEdge() {
        assertThat(new Occlusion.Patch(2, 2).starts(5)).containsExactly(0, 2, 3);
        assertThat(new Occlusion.Patch(2, 2).starts(4)).containsExactly(0, 2);
        assertThat(new Occlusion.Patch(8, 4).starts(32)).containsExactly(0, 4, 8, 12, 16, 20, 24);
        assertThat(new Occlusion.Patch(9, 9).starts(4)).containsExactly(0);
    }

    @Test
    void defaultPatchIsAQuarterOfTheSideMovedByHalfAPatch() {
        assertThat(Occlusion.Patch.forSide(224)).isEqualTo(new Occlusion.Patch(56, 28));
        assertThat(Occlusion.Patch.forSide(28)).isEqualTo(new Occlusion.Patch(7, 3));
        assertThat(Occlusion.Patch.forSide(3)).isEqualTo(new Occlusion.Patch(1, 1));
    }
}
