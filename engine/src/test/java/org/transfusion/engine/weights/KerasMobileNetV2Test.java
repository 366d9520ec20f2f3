package org.transfusion.engine.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.SharedData;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.Taps;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * The Keras MobileNetV2-0.35 import: the key map covers both sides exactly, follows the Keras graph, the
 * transposed tensors land where Keras had them, and the numbers look trained. Expected values marked "python3"
 * come from {@code z = numpy.load('mobilenet_v2_035_224_imagenet_backbone_float32.npz')} with Debian's numpy.
 */
class KerasMobileNetV2Test {
    private static final String DIR = "weights/mobilenet_v2_035_imagenet";
    private static final String NPZ = DIR + "/mobilenet_v2_035_224_imagenet_backbone_float32.npz";

    @Test
    void keyMapCoversEveryFileArrayAndEveryTensorButTheClassifierAndCounters() {
        Path npz = SharedData.file(NPZ);
        Map<String, String> map = KerasMobileNetV2.keyMap();
        // python3: len(z.files) -> 260 (52 kernels + 52 BN layers x 4).
        assertThat(map).hasSize(260);
        assertThat(map.keySet()).containsExactlyInAnyOrderElementsOf(Npy.members(npz));
        assertThat(new HashSet<>(map.values())).hasSize(260);

        Architecture arch = KerasMobileNetV2.architecture(3, 10);
        Set<String> rest = new LinkedHashSet<>(arch.specs().keySet());
        rest.removeAll(map.values());
        assertThat(arch.specs().keySet()).containsAll(map.values());
        assertThat(rest).allSatisfy(k -> assertThat(k.startsWith("classifier.1.")
                || arch.specs().get(k).kind() == TensorKind.BN_BATCHES_TRACKED).as(k).isTrue());
        assertThat(rest).contains("classifier.1.weight", "classifier.1.bias");
    }

    @Test
    void keyMapFollowsTheKerasGraphAndItsStridesGiveOurFeatureMapSizes() throws IOException {
        JsonNode graph = new ObjectMapper().readTree(SharedData.file(DIR + "/backbone_graph.json").toFile());
        List<String> weighted = new ArrayList<>();
        Map<String, Integer> strideAfterBlock = new LinkedHashMap<>();
        int stride = 1;
        for (JsonNode layer : graph) {
            String cls = layer.path("class_name").asText();
            String name = layer.path("name").asText();
            if (List.of("Conv2D", "DepthwiseConv2D", "BatchNormalization").contains(cls)) {
                weighted.add(name);
            }
            if (layer.has("strides")) {
                stride *= layer.path("strides").get(0).asInt();
                strideAfterBlock.put(ourFeature(name), stride);
            }
        }
        List<String> mapped = new ArrayList<>();
        for (String k : KerasMobileNetV2.keyMap().keySet()) {
            String layer = k.substring(0, k.lastIndexOf('.'));
            if (mapped.isEmpty() || !mapped.get(mapped.size() - 1).equals(layer)) {
                mapped.add(layer);
            }
        }
        assertThat(mapped).containsExactlyElementsOf(weighted);

        // Our Keras-style network must shrink its maps exactly where the Keras graph has stride 2.
        Architecture arch = KerasMobileNetV2.architecture(3, 10);
        Map<String, Long> size = new LinkedHashMap<>();
        Taps taps = Taps.of(layer -> layer.startsWith("features."),
                (layer, a) -> size.put(layer, a.getShape().get(2)));
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, arch, RandomInit.of(arch, 1))) {
            net.forward(m.zeros(new Shape(1, 3, 96, 96)), false, taps);
        }
        assertThat(size).hasSize(19);
        strideAfterBlock.forEach((feature, s) -> assertThat(size.get(feature)).as(feature).isEqualTo(96L / s));
    }

    /** features.N of the Keras layer {@code name} (Conv1, expanded_conv_*, block_K_*, Conv_1). */
    private static String ourFeature(String name) {
        if (name.equals("Conv1")) {
            return "features.0";
        }
        if (name.startsWith("expanded_conv")) {
            return "features.1";
        }
        if (name.startsWith("Conv_1")) {
            return "features.18";
        }
        return "features." + (Integer.parseInt(name.split("_")[1]) + 1);
    }

    @Test
    void importedTensorsFitAndSitWhereKerasHadThem() {
        Path npz = SharedData.file(NPZ);
        Architecture arch = KerasMobileNetV2.architecture(3, 10);
        ImportedWeights r = KerasMobileNetV2.load(npz.getParent(), arch, 3);
        StateDict w = r.weights();
        Network.checkMatches(arch, w, "imported weights");

        // python3: z['Conv1.kernel'][1, 2, 0, 0] -> 0.22157172858715057, [2, 0, 1, 4] -> 0.08517654240131378 (HWIO).
        assertThat(at(w, "features.0.0.weight", 0, 0, 1, 2)).isEqualTo(0.22157172858715057f);
        assertThat(at(w, "features.0.0.weight", 4, 1, 2, 0)).isEqualTo(0.08517654240131378f);
        // python3: z['block_5_depthwise.depthwise_kernel'][2, 1, 40, 0] -> -0.2244221270084381 (H, W, C, 1).
        assertThat(at(w, "features.6.conv.1.0.weight", 40, 0, 2, 1)).isEqualTo(-0.2244221270084381f);
        // python3: z['block_16_project.kernel'][0, 0, 7, 11] -> -0.02390444278717041.
        assertThat(at(w, "features.17.conv.2.weight", 11, 7, 0, 0)).isEqualTo(-0.02390444278717041f);
        // python3: z['Conv_1_bn.moving_variance'][3] -> 2.2250614166259766.
        assertThat(w.get("features.18.1.running_var").values()[3]).isEqualTo(2.2250614166259766f);

        assertThat(r.report()).containsEntry("copied", 260).containsEntry("counters_zeroed", 52)
                .containsEntry("reinitialised", List.of("classifier.1.weight", "classifier.1.bias"))
                .containsEntry("adapted", List.of());
    }

    @Test
    void numbersLookTrainedNotRandom() {
        Path npz = SharedData.file(NPZ);
        Architecture arch = KerasMobileNetV2.architecture(3, 10);
        StateDict w = KerasMobileNetV2.load(npz, arch, 3).weights();
        Map<String, NpyArray> file = Npy.readNpz(npz, List.of());

        // Transposition moves values, never changes them: every tensor keeps the file's per-tensor std.
        KerasMobileNetV2.keyMap().forEach((keras, ours) -> {
            NpyArray a = file.get(keras);
            HostTensor t = new HostTensor(a.shape(), toFloats(a));
            assertThat(w.get(ours).std()).as(ours).isCloseTo(t.std(), within(1e-6 * (1 + t.std())));
        });
        // python3: float(z['Conv1.kernel'].std()) -> 0.1524274.
        assertThat(w.get("features.0.0.weight").std()).isCloseTo(0.1524274, within(1e-6));

        // BN running variances are positive (python3: the smallest is 3.9e-36, a dead channel, still > 0).
        w.asMap().forEach((k, t) -> {
            if (k.endsWith("running_var")) {
                for (float v : t.values()) {
                    assertThat(v).as(k).isPositive();
                }
            }
        });

        // Trained first-layer filters are smooth: horizontally adjacent taps correlate (python3: 0.389);
        // He-random filters do not.
        double trained = adjacentTapCorrelation(w.get("features.0.0.weight"));
        double random = adjacentTapCorrelation(RandomInit.of(arch, 3).get("features.0.0.weight"));
        assertThat(trained).isCloseTo(0.3887, within(1e-3));
        assertThat(Math.abs(random)).isLessThan(0.15);

        // BN scales vary per channel after training (python3: mean per-layer std of gamma 0.789); at init they are 1.
        double gammaSpread = w.asMap().entrySet().stream().filter(e -> e.getKey().endsWith(".weight")
                        && arch.specs().get(e.getKey()).kind() == TensorKind.BN_WEIGHT)
                .mapToDouble(e -> e.getValue().std()).average().orElseThrow();
        assertThat(gammaSpread).isCloseTo(0.789, within(1e-3));
    }

    @Test
    void greyModelsGetTheRgbFilterSummed() {
        Path npz = SharedData.file(NPZ);
        Architecture grey = KerasMobileNetV2.architecture(1, 2);
        ImportedWeights r = KerasMobileNetV2.load(npz, grey, 3);
        Network.checkMatches(grey, r.weights(), "imported weights");
        StateDict rgb = KerasMobileNetV2.load(npz, KerasMobileNetV2.architecture(3, 2), 3).weights();
        float expected = at(rgb, "features.0.0.weight", 0, 0, 1, 2) + at(rgb, "features.0.0.weight", 0, 1, 1, 2)
                + at(rgb, "features.0.0.weight", 0, 2, 1, 2);
        assertThat(r.weights().get("features.0.0.weight").values()[5]).isCloseTo(expected, within(1e-7f));
        assertThat(r.report()).containsEntry("adapted", List.of("features.0.0.weight")).containsEntry("copied", 259);
    }

    @Test
    void wrongArchitecturesAreOneLineErrors() {
        Path npz = SharedData.file(NPZ);
        assertThatThrownBy(() -> KerasMobileNetV2.load(npz, ModelRegistry.get("mobilenet-v2").build(3, 2, 0.35), 1))
                .isInstanceOf(BadInputException.class)
                .hasMessage(npz + ": Keras MobileNetV2 weights need model mobilenet-v2-keras (TF-same padding, BN eps "
                        + "0.001), not mobilenet-v2");
        assertThatThrownBy(() -> KerasMobileNetV2.load(npz, ModelRegistry.get("mobilenet-v2-keras").build(3, 2, 1.0), 1))
                .isInstanceOf(BadInputException.class)
                .hasMessage(npz + ": array 'Conv1.kernel' gives features.0.0.weight of shape [16, 3, 3, 3], expected "
                        + "[32, 3, 3, 3] (are these width 0.35 weights?)");
    }

    private static float at(StateDict w, String key, int o, int i, int y, int x) {
        HostTensor t = w.get(key);
        long[] s = t.shape();
        return t.values()[(int) (((o * s[1] + i) * s[2] + y) * s[3] + x)];
    }

    private static float[] toFloats(NpyArray a) {
        return a.toFloatArray();
    }

    /** Pearson correlation of w[o, c, y, x] with w[o, c, y, x + 1] over all filters, channels and rows. */
    private static double adjacentTapCorrelation(HostTensor t) {
        long[] s = t.shape();
        int w = (int) s[3];
        List<double[]> pairs = new ArrayList<>();
        float[] v = t.values();
        for (int k = 0; k < v.length; k++) {
            if (k % w != w - 1) {
                pairs.add(new double[] {v[k], v[k + 1]});
            }
        }
        double ma = pairs.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double mb = pairs.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (double[] p : pairs) {
            sab += (p[0] - ma) * (p[1] - mb);
            saa += (p[0] - ma) * (p[0] - ma);
            sbb += (p[1] - mb) * (p[1] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
