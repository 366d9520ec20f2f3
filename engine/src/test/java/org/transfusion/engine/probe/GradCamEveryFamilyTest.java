package org.transfusion.engine.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.DeterministicWeights;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.Taps;
import org.transfusion.error.BadInputException;

/**
 * Grad-CAM at the default layer of the ImageNet families beyond the ResNet that {@link GradCamReferenceTest} checks
 * against PyTorch. Where the layer feeds global average pooling and the linear classifier directly (ResNet-50's
 * layer4, MobileNetV2's features.18, Inception-v3's Mixed_7c), Grad-CAM is CAM (Selvaraju et al., Section 3.1):
 * {@code dy_c/dA^k} is {@code W[c, k] / (h w)} everywhere, so the layer map must be {@code ReLU(sum_k W[c, k]
 * A^k) / (h w)}, computed here from the classifier's weights and the layer's activations read by a plain tap.
 * DenseNet's block output goes through norm5 and a ReLU first, so there the check is that the map has heat and that
 * swapping in the gradient leaf left the forward pass unchanged (the same logit as a plain forward), as for all.
 * Inception-v3 runs at 139 px, the smallest input whose Mixed_7c map is larger than 1 x 1 (3 x 3): a 1 x 1 map
 * cannot say where anything is, and its map is all zeros.
 */
class GradCamEveryFamilyTest {
    private static final int OUTPUTS = 3;

    @ParameterizedTest
    @CsvSource({"resnet50, 64, layer4, true", "mobilenet-v2, 64, features.18, true", "inception-v3, 139, Mixed_7c, true",
        "densenet121, 64, denseblock4, false"})
    void defaultLayerOfEachFamily(String model, int size, String layer, boolean linearHead) {
        Architecture arch = ModelRegistry.get(model).build(3, OUTPUTS, 1.0);
        assertThat(GradCam.defaultLayer(arch)).isEqualTo(layer);
        StateDict weights = DeterministicWeights.of(arch);
        float[] x = DeterministicWeights.input(2, 3, size, size);
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, arch, weights)) {
            float[][] activations = new float[1][];
            long[][] shape = new long[1][];
            float[] logits;
            try (NDManager step = m.newSubManager()) {
                logits = net.forward(new BatchArrays().images(step, new Batch(0, 2, 3, size, x, new float[0], 0)),
                        false, Taps.of(layer::equals, (l, a) -> {
                            activations[0] = a.toFloatArray();
                            shape[0] = a.getShape().getShape();
                        })).toFloatArray();
            }
            List<GradCam.Result> results = GradCam.compute(net, layer, x, 2, 3, size, GradCam.LARGEST);
            int c = (int) shape[0][1];
            int h = (int) shape[0][2];
            int w = (int) shape[0][3];
            HostTensor fc = weights.get(arch.classifierPrefix() + ".weight");
            for (int i = 0; i < 2; i++) {
                GradCam.Result r = results.get(i);
                assertThat(r.score()).isCloseTo(logits[i * OUTPUTS + r.output()], within(1e-5 * (1 + Math.abs(r.score()))));
                assertThat(r.layerWidth()).isEqualTo(w);
                assertThat(r.layerHeight()).isEqualTo(h);
                float max = 0;
                for (float v : r.map().values()) {
                    max = Math.max(max, v);
                }
                assertThat(max).as("the map has heat").isEqualTo(1f);
                if (!linearHead) {
                    continue;
                }
                float[] cam = r.layerMap();
                double scale = 0;
                double[] expected = new double[h * w];
                for (int p = 0; p < h * w; p++) {
                    for (int k = 0; k < c; k++) {
                        expected[p] += fc.values()[r.output() * c + k] * activations[0][((i * c) + k) * h * w + p];
                    }
                    expected[p] = Math.max(0, expected[p]) / (h * w);
                    scale = Math.max(scale, expected[p]);
                }
                for (int p = 0; p < h * w; p++) {
                    assertThat((double) cam[p]).as("%s image %d cell %d", model, i, p)
                            .isCloseTo(expected[p], within(1e-4 * scale));
                }
            }
        }
    }

    @Test
    void layersWithoutAMapAreRefusedWithTheValidOnes() {
        Architecture arch = ModelRegistry.get("cbr-small").build(3, 2, 1.0);
        assertThatThrownBy(() -> GradCam.checkLayer(arch, "pool")).isInstanceOf(BadInputException.class)
                .hasMessage("layer 'pool' has no spatial map cbr-small (valid: layer1, layer2, layer3, layer4)");
        assertThatThrownBy(() -> GradCam.checkLayer(arch, "layer9")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'layer9' is not a layer of cbr-small (valid: layer1, layer2, layer3, layer4)");
        assertThatThrownBy(() -> GradCam.checkOutput(arch, 2)).isInstanceOf(BadInputException.class)
                .hasMessage("--output 2 is not an output of cbr-small (it has 2 outputs: 0..1)");
    }
}
