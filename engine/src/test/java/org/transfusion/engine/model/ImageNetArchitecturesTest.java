package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.model.RandomInit;

/** Probe layers report the documented shapes; training-mode forwards run; the Inception aux head is reachable. */
class ImageNetArchitecturesTest {

    private static Map<String, long[]> run(Architecture a, int batch, int size, boolean training, String... only) {
        Map<String, long[]> seen = new LinkedHashMap<>();
        Taps taps = Taps.of(layer -> only.length == 0 || java.util.Arrays.asList(only).contains(layer),
                (layer, activation) -> seen.put(layer, activation.getShape().getShape()));
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, RandomInit.of(a, 1))) {
            NDArray x = m.create(DeterministicWeights.input(batch, 3, size, size), new Shape(batch, 3, size, size));
            NDArray logits = net.forward(x, training, taps);
            seen.put("logits", logits.getShape().getShape());
            assertThat(logits.isNaN().any().getBoolean()).isFalse();
        }
        return seen;
    }

    @Test
    void resnet50ProbeLayersHaveTorchvisionsShapes() {
        Architecture a = ModelRegistry.get("resnet50").build(3, 5, 1.0);
        Map<String, long[]> s = run(a, 2, 64, false);
        assertThat(s.keySet()).containsExactlyElementsOf(concat(a.layers(), "logits"));
        // 64 px: conv1 stride 2 -> 32, max-pool -> 16, layer2..4 halve -> 8, 4, 2; channels 4x the stage width.
        assertThat(s.get("conv1")).containsExactly(2, 64, 32, 32);
        assertThat(s.get("layer1.0")).containsExactly(2, 256, 16, 16);
        assertThat(s.get("layer1")).containsExactly(2, 256, 16, 16);
        assertThat(s.get("layer2.0")).containsExactly(2, 512, 8, 8);
        assertThat(s.get("layer3.4")).containsExactly(2, 1024, 4, 4);
        assertThat(s.get("layer3")).containsExactly(2, 1024, 4, 4);
        assertThat(s.get("layer4")).containsExactly(2, 2048, 2, 2);
        assertThat(s.get("pool")).containsExactly(2, 2048);
        assertThat(s.get("logits")).containsExactly(2, 5);
    }

    @Test
    void resnet50SlimTrainsWithHalfWidthUpperStages() {
        Map<String, long[]> s = run(ModelRegistry.get("resnet50-slim").build(3, 4, 1.0), 2, 32, true, "layer2",
                "layer3", "layer4", "pool");
        assertThat(s.get("layer2")).containsExactly(2, 512, 4, 4);
        assertThat(s.get("layer3")).containsExactly(2, 512, 2, 2);
        assertThat(s.get("layer4")).containsExactly(2, 1024, 1, 1);
        assertThat(s.get("logits")).containsExactly(2, 4);
    }

    @Test
    void resnet18ProbeLayersHaveTorchvisionsShapes() {
        Architecture a = ModelRegistry.get("resnet18").build(3, 5, 1.0);
        Map<String, long[]> s = run(a, 2, 64, false);
        assertThat(s.keySet()).containsExactlyElementsOf(concat(a.layers(), "logits"));
        // The same maps as resnet50 (64 -> 32, 16, 8, 4, 2); basic blocks output their width: 64, 128, 256, 512.
        assertThat(shapes(s)).contains("conv1 2x64x32x32", "layer1.0 2x64x16x16", "layer2.0 2x128x8x8",
                "layer3 2x256x4x4", "layer4 2x512x2x2", "pool 2x512", "logits 2x5");
    }

    @Test
    void resnet18SlimTrainsWithHalfWidthUpperStages() {
        Map<String, long[]> s = run(ModelRegistry.get("resnet18-slim").build(3, 4, 1.0), 2, 32, true, "layer2",
                "layer3", "layer4");
        assertThat(shapes(s)).containsExactly("layer2 2x128x4x4", "layer3 2x128x2x2", "layer4 2x256x1x1",
                "logits 2x4");
    }

    @Test
    void densenet121ProbeLayersAtItsSmallestInput() {
        Architecture a = ModelRegistry.get("densenet121").build(3, 3, 1.0);
        Map<String, long[]> s = run(a, 2, a.minImageSize(), true);
        // 29 px: conv0 -> 15, max-pool -> 8, transitions -> 4, 2, 1. Each block adds 32 channels a layer (6, 12,
        // 24, 16 layers) and each transition halves them.
        assertThat(shapes(s)).containsExactly("conv0 2x64x15x15", "denseblock1 2x256x8x8", "transition1 2x128x4x4",
                "denseblock2 2x512x4x4", "transition2 2x256x2x2", "denseblock3 2x1024x2x2", "transition3 2x512x1x1",
                "denseblock4 2x1024x1x1", "pool 2x1024", "logits 2x3");
        assertThat(a.layers()).hasSize(s.size() - 1);
    }

    @Test
    void inceptionV3ProbeLayersAtItsSmallestInput() {
        Architecture a = ModelRegistry.get("inception-v3").build(3, 3, 1.0);
        Map<String, long[]> s = run(a, 2, a.minImageSize(), true);
        assertThat(s.keySet()).containsExactlyElementsOf(concat(a.layers(), "logits"));
        // 75 px: 37 (1a, stride 2) -> 35 (2a) -> 35 (2b) -> 17 (pool) -> 17 (3b) -> 15 (4a) -> 7 (pool);
        // Mixed_6a halves to 3, Mixed_7a to 1. Channels 256, 288, 288, 768 x5, 1280, 2048, 2048 as torchvision.
        assertThat(s.get("Mixed_5b")).containsExactly(2, 256, 7, 7);
        assertThat(s.get("Mixed_5d")).containsExactly(2, 288, 7, 7);
        assertThat(s.get("Mixed_6a")).containsExactly(2, 768, 3, 3);
        assertThat(s.get("Mixed_6e")).containsExactly(2, 768, 3, 3);
        assertThat(s.get("Mixed_7a")).containsExactly(2, 1280, 1, 1);
        assertThat(s.get("Mixed_7c")).containsExactly(2, 2048, 1, 1);
        assertThat(s.get("pool")).containsExactly(2, 2048);
        assertThat(s).doesNotContainKey("AuxLogits");
    }

    @Test
    void inceptionAuxLogitsAreReportedToTheTapsWhenBuilt() {
        // The aux head pools 5x5/3 then convolves 5x5: it needs the 17x17 Mixed_6e map of a 299 px input.
        Map<String, long[]> s = run(new InceptionV3("inception-v3", 3, 6, true), 1, 299, false, "AuxLogits",
                "Mixed_6e");
        assertThat(s.get("Mixed_6e")).containsExactly(1, 768, 17, 17);
        assertThat(s.get("AuxLogits")).containsExactly(1, 6);
        assertThat(s.get("logits")).containsExactly(1, 6);
    }

    @Test
    void mobilenetV2ProbeLayers() {
        Architecture a = ModelRegistry.get("mobilenet-v2").build(3, 2, 1.0);
        Map<String, long[]> s = run(a, 2, 64, true);
        assertThat(s.keySet()).containsExactlyElementsOf(concat(a.layers(), "logits"));
        // Strides 2 at features.0, 2, 4, 7, 14: 64 -> 32, 16, 8, 4, 2.
        assertThat(s.get("features.0")).containsExactly(2, 32, 32, 32);
        assertThat(s.get("features.1")).containsExactly(2, 16, 32, 32);
        assertThat(s.get("features.3")).containsExactly(2, 24, 16, 16);
        assertThat(s.get("features.6")).containsExactly(2, 32, 8, 8);
        assertThat(s.get("features.13")).containsExactly(2, 96, 4, 4);
        assertThat(s.get("features.17")).containsExactly(2, 320, 2, 2);
        assertThat(s.get("features.18")).containsExactly(2, 1280, 2, 2);
        assertThat(s.get("pool")).containsExactly(2, 1280);
    }

    /** "LAYER NxCxHxW" per layer seen, in forward order: one assertion checks a network's maps. */
    private static java.util.List<String> shapes(Map<String, long[]> seen) {
        return seen.entrySet().stream().map(e -> e.getKey() + " " + java.util.Arrays.stream(e.getValue())
                .mapToObj(Long::toString).collect(java.util.stream.Collectors.joining("x"))).toList();
    }

    private static java.util.List<String> concat(java.util.List<String> a, String b) {
        java.util.List<String> out = new java.util.ArrayList<>(a);
        out.add(b);
        return out;
    }
}
