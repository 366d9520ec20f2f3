package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays.MemoryFormat;
import org.transfusion.engine.data.BatchArrays;

/**
 * Channels-last batches (the default layout, see {@link BatchArrays}) must be invisible to everything but speed:
 * the same values read back, the same logits and hidden activations as plain NCHW batches. The reference is the
 * contiguous run of the same network on the same batch; the tolerance covers the different summation order of
 * libtorch's channels-last kernels (float32 rounding, about 1e-6 relative).
 */
class MemoryFormatTest {

    private static Batch batch(int n, int c, int size) {
        return new Batch(0, n, c, size, DeterministicWeights.input(n, c, size, size), new float[n], 1);
    }

    @Test
    void channelsLastBatchReadsBackInLogicalOrder() {
        Batch b = batch(3, 3, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = new BatchArrays(MemoryFormat.CHANNELS_LAST).images(m, b);
            assertThat(x.getShape().getShape()).containsExactly(3, 3, 5, 5);
            assertThat(x.toFloatArray()).containsExactly(b.images());
            // Element (n=1, c=2, h=3, w=4) is at offset ((1*3 + 2)*5 + 3)*5 + 4 of the NCHW source.
            assertThat(x.getFloat(1, 2, 3, 4)).isEqualTo(b.images()[((1 * 3 + 2) * 5 + 3) * 5 + 4]);
        }
    }

    @Test
    void sameLogitsAndActivationsInBothLayouts() {
        for (String model : new String[] {"cbr-tiny", "mobilenet-v2", "resnet50"}) {
            Architecture arch = ModelRegistry.get(model).build(3, 4, model.equals("mobilenet-v2") ? 0.35 : 1.0);
            StateDict w = DeterministicWeights.of(arch);
            Batch b = batch(4, 3, 64); // BN batch statistics over 4 images: deep 2x2 maps would be ill-conditioned
            for (boolean training : new boolean[] {false, true}) {
                Map<String, float[]> contiguous = new LinkedHashMap<>();
                Map<String, float[]> channelsLast = new LinkedHashMap<>();
                float[] lc = forward(arch, w, b, MemoryFormat.CONTIGUOUS, training, contiguous);
                float[] ll = forward(arch, w, b, MemoryFormat.CHANNELS_LAST, training, channelsLast);
                assertThat(maxRelativeDiff(ll, lc)).as(model + " logits, training=" + training).isLessThan(1e-4);
                assertThat(channelsLast.keySet()).isEqualTo(contiguous.keySet());
                for (String layer : contiguous.keySet()) {
                    assertThat(maxRelativeDiff(channelsLast.get(layer), contiguous.get(layer)))
                            .as(model + " " + layer + ", training=" + training).isLessThan(1e-4);
                }
            }
        }
    }

    private static float[] forward(Architecture arch, StateDict w, Batch b, MemoryFormat format, boolean training,
                                   Map<String, float[]> activations) {
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, arch, w)) {
            Taps taps = Taps.of(layer -> true,
                    (layer, activation) -> activations.put(layer, activation.toFloatArray()));
            Engine.getInstance().setRandomSeed(7); // the same dropout mask (mobilenet-v2) in both runs
            return net.forward(new BatchArrays(format).images(m, b), training, taps).toFloatArray();
        }
    }

    /** Largest |a - b| relative to the largest |b| (the activations' scale). */
    private static double maxRelativeDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double diff = 0;
        double scale = 1e-12;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @Test
    void channelsLastWeightsRoundTripThroughStateDicts() {
        Architecture arch = ModelRegistry.get("cbr-tiny").build(3, 4, 1.0);
        StateDict w = DeterministicWeights.of(arch);
        StateDict other = DeterministicWeights.of(ModelRegistry.get("cbr-tiny").build(3, 4, 1.0));
        other.keys().forEach(k -> {
            float[] v = other.get(k).values();
            for (int i = 0; i < v.length; i++) {
                v[i] = -v[i] + 0.25f * i % 3; // any values that differ from w's
            }
        });
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, arch, w)) {
            // The conv weights are channels-last views; reading them back must give the OIHW values given.
            for (String key : w.keys()) {
                assertThat(java.util.Arrays.equals(net.toStateDict().get(key).values(), w.get(key).values()))
                        .as(key).isTrue();
            }
            net.load(other);
            for (String key : w.keys()) {
                assertThat(java.util.Arrays.equals(net.toStateDict().get(key).values(), other.get(key).values()))
                        .as(key).isTrue();
            }
        }
    }

    @Test
    void relu6IsTheClampExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = {-1e6f, -7f, -6f, -1e-7f, 0f, 1e-7f, 0.5f, 3f, 5.999999f, 6f, 6.000001f, 7.25f, 11.5f, 12f,
                13f, 100f, 1e4f, 1e8f, Float.MIN_VALUE};
            float[] y = ScriptedOps.relu6(m.create(x)).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                // hardtanh clamps: exact at every magnitude (the replaced relu(x) - relu(x - 6) was within half an
                // ulp of x above 12)
                assertThat(y[i]).as("relu6(%s)", x[i]).isEqualTo(Math.min(Math.max(x[i], 0f), 6f));
            }
        }
    }
}
