package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.error.BadInputException;

class CbrNetTest {

    /** Trainable parameters by the architecture arithmetic: convs k*k*in*out (no bias), BN 2*out, fc in*k + k. */
    private static long expected(int in, int[] widths, int k, int classes) {
        long n = 0;
        for (int w : widths) {
            n += (long) k * k * in * w + 2L * w;
            in = w;
        }
        return n + (long) in * classes + classes;
    }

    private static long trainable(Architecture a) {
        return a.specs().values().stream().filter(t -> t.kind().trainable()).mapToLong(TensorSpec::size).sum();
    }

    @Test
    void parameterCountsMatchTheArchitectureArithmetic() {
        assertThat(trainable(ModelRegistry.get("cbr-small").build(3, 5, 1)))
                .isEqualTo(expected(3, new int[] {32, 64, 128, 256}, 7, 5));
        assertThat(trainable(ModelRegistry.get("cbr-tiny").build(1, 1, 1)))
                .isEqualTo(expected(1, new int[] {64, 128, 256, 512}, 5, 1));
        assertThat(trainable(ModelRegistry.get("cbr-large-wide").build(3, 2, 1)))
                .isEqualTo(expected(3, new int[] {64, 128, 256, 512}, 7, 2));
        assertThat(trainable(ModelRegistry.get("cbr-large-tall").build(3, 2, 1)))
                .isEqualTo(expected(3, new int[] {32, 64, 128, 256, 512}, 7, 2));
        // Spelled out once for cbr-small, 3 channels, 2 classes:
        // 7*7*(3*32 + 32*64 + 64*128 + 128*256) = 49 * 43104 = 2,112,096; BN 2*(32+64+128+256) = 960; fc 256*2+2 = 514.
        assertThat(trainable(ModelRegistry.get("cbr-small").build(3, 2, 1))).isEqualTo(2_112_096 + 960 + 514);
    }

    @Test
    void keysFollowTorchvisionStyle() {
        Architecture a = ModelRegistry.get("cbr-small").build(3, 2, 1);
        assertThat(a.specs().keySet()).startsWith("layers.0.conv.weight", "layers.0.bn.weight", "layers.0.bn.bias",
                "layers.0.bn.running_mean", "layers.0.bn.running_var", "layers.0.bn.num_batches_tracked");
        assertThat(a.specs().keySet()).endsWith("fc.weight", "fc.bias");
        assertThat(a.specs().get("layers.0.conv.weight").shape()).containsExactly(32, 3, 7, 7);
        assertThat(a.blocks()).containsExactly("layer1", "layer2", "layer3", "layer4", "fc");
        assertThat(a.layers()).containsExactly("layer1", "layer2", "layer3", "layer4", "pool");
    }

    @Test
    void forwardGivesLogitsAndNamedActivationsOfTheDocumentedShapes() {
        Architecture a = ModelRegistry.get("cbr-small").build(3, 5, 1);
        Map<String, long[]> seen = new LinkedHashMap<>();
        Taps taps = Taps.of(layer -> true, (layer, activation) -> seen.put(layer, activation.getShape().getShape()));
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, RandomInit.of(a, 1))) {
            NDArray logits = net.forward(m.ones(new Shape(2, 3, 28, 28)), false, taps);
            assertThat(logits.getShape().getShape()).containsExactly(2, 5);
        }
        // 28 -> pool (3x3, stride 2, pad 1) halves rounding up: 14 -> 7 -> 4.
        assertThat(seen.get("layer1")).containsExactly(2, 32, 28, 28);
        assertThat(seen.get("layer2")).containsExactly(2, 64, 14, 14);
        assertThat(seen.get("layer3")).containsExactly(2, 128, 7, 7);
        assertThat(seen.get("layer4")).containsExactly(2, 256, 4, 4);
        assertThat(seen.get("pool")).containsExactly(2, 256);
    }

    @Test
    void weightsThatDoNotFitAreRejectedNamingTheFirstMismatches() {
        Architecture small = ModelRegistry.get("cbr-small").build(3, 2, 1);
        Architecture tiny = ModelRegistry.get("cbr-tiny").build(3, 2, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Network.create(m, small, RandomInit.of(tiny, 0)))
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining("layers.0.conv.weight has shape [64, 3, 5, 5], expected [32, 3, 7, 7]");
        }
    }

    @Test
    void stateDictRoundTripsThroughTheEngine() {
        Architecture a = ModelRegistry.get("cbr-tiny").build(1, 3, 1);
        StateDict w = RandomInit.of(a, 7);
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, w)) {
            StateDict back = net.toStateDict();
            List<String> differing = new ArrayList<>();
            for (String k : w.keys()) {
                if (!java.util.Arrays.equals(w.get(k).values(), back.get(k).values())) {
                    differing.add(k);
                }
            }
            assertThat(differing).isEmpty();
        }
    }
}
