package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class MobileNetV2Test {

    @Test
    void makeDivisibleRoundsAsTorchvision() {
        // By hand from torchvision's rule max(8, int(v + 4) // 8 * 8), plus 8 if that is below 0.9 v:
        // 32*0.35 = 11.2 -> 8 < 10.08 -> 16; 24*0.35 = 8.4 -> 8; 64*0.35 = 22.4 -> 24; 320*0.35 = 112 -> 112;
        // 1.0x widths are already multiples of 8.
        assertThat(MobileNetV2.makeDivisible(11.2)).isEqualTo(16);
        assertThat(MobileNetV2.makeDivisible(8.4)).isEqualTo(8);
        assertThat(MobileNetV2.makeDivisible(22.4)).isEqualTo(24);
        assertThat(MobileNetV2.makeDivisible(112)).isEqualTo(112);
        assertThat(MobileNetV2.makeDivisible(1.0)).isEqualTo(8);
        assertThat(MobileNetV2.makeDivisible(96)).isEqualTo(96);
    }

    @Test
    void tfSamePaddingPutsTheExtraRowAndColumnAtTheBottomRight() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Even map, 3x3 stride 2: total padding 3 - 2 = 1, all of it after (Keras' ZeroPadding2D((0,1),(0,1))).
            NDArray even = MobileNetV2.tfSamePad(m.arange(16f).reshape(1, 1, 4, 4), 3, 2);
            assertThat(even.getShape()).isEqualTo(new Shape(1, 1, 5, 5));
            assertThat(even.get("0,0,0,:").toFloatArray()).containsExactly(0, 1, 2, 3, 0);
            assertThat(even.get("0,0,4,:").toFloatArray()).containsExactly(0, 0, 0, 0, 0);
            assertThat(even.get("0,0,3,:").toFloatArray()).containsExactly(12, 13, 14, 15, 0);
            // Odd map: total 3 - 1 = 2, one each side (what Keras' correct_pad gives for odd inputs too).
            NDArray odd = MobileNetV2.tfSamePad(m.ones(new Shape(1, 1, 5, 5)), 3, 2);
            assertThat(odd.getShape()).isEqualTo(new Shape(1, 1, 7, 7));
            assertThat(odd.get("0,0,0,:").toFloatArray()).containsOnly(0f);
            assertThat(odd.get("0,0,1,:").toFloatArray()).containsExactly(0, 1, 1, 1, 1, 1, 0);
        }
    }

    @Test
    void kerasStyleDiffersFromTorchvisionStyleOnlyInFeaturesNotKeys() {
        Architecture tv = ModelRegistry.get("mobilenet-v2").build(3, 4, 0.35);
        Architecture keras = ModelRegistry.get("mobilenet-v2-keras").build(3, 4, 0.35);
        StateDict w = DeterministicWeights.of(tv);
        try (NDManager m = NDManager.newBaseManager(); Network a = Network.create(m, tv, w);
             Network b = Network.create(m, keras, w)) {
            NDArray x = m.create(DeterministicWeights.input(1, 3, 32, 32), new Shape(1, 3, 32, 32));
            float[] la = a.forward(x, false).toFloatArray();
            float[] lb = b.forward(x, false).toFloatArray();
            double diff = 0;
            for (int i = 0; i < la.length; i++) {
                diff = Math.max(diff, Math.abs(la[i] - lb[i]));
            }
            // The padding shift moves every stride-2 sampling grid; the logits must not coincide.
            assertThat(diff).isGreaterThan(0.01);
        }
    }

    @Test
    void trainingForwardRunsWithBatchStatisticsAndDropout() {
        Architecture a = ModelRegistry.get("mobilenet-v2-slim").build(3, 3, 0.5);
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, DeterministicWeights.of(a))) {
            NDArray x = m.create(DeterministicWeights.input(4, 3, 32, 32), new Shape(4, 3, 32, 32));
            NDArray y = net.forward(x, true);
            assertThat(y.getShape()).isEqualTo(new Shape(4, 3));
            assertThat(y.isInfinite().any().getBoolean() || y.isNaN().any().getBoolean()).isFalse();
        }
    }
}
