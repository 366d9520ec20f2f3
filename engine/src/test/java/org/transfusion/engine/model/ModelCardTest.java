package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Normalisation;

/**
 * Every registered model's card holds what the rest of the code asks it (issue 28), and no model probes one tensor
 * twice (issue 30): a forward pass with every layer tapped hands each probed layer its own array, with its own values.
 */
class ModelCardTest {

    @Test
    void everyProbedLayerIsItsOwnTensor() {
        for (ModelCard card : ModelRegistry.all()) {
            Architecture a = card.build(3, 2, 1.0);
            int size = a.minImageSize();
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            Map<String, String> values = new LinkedHashMap<>();
            Taps taps = Taps.of(layer -> true, (layer, x) -> {
                assertThat(arrays).as(card.name() + ": " + layer + " tapped twice").doesNotContainKey(layer);
                arrays.put(layer, x);
                values.put(layer, x.getShape() + Arrays.toString(x.toFloatArray()));
            });
            try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, RandomInit.of(a, 1))) {
                NDArray x = m.create(DeterministicWeights.input(2, 3, size, size), new Shape(2, 3, size, size));
                net.forward(x, false, taps);
            }
            assertThat(arrays.keySet()).as(card.name()).containsExactlyElementsOf(card.probedLayers());
            IdentityHashMap<NDArray, String> seen = new IdentityHashMap<>();
            arrays.forEach((layer, array) -> assertThat(seen.put(array, layer))
                    .as(card.name() + ": " + layer + " is the array of another layer").isNull());
            // Distinct arrays with one shape and the same values would be one tensor copied (a 1x1 map and its
            // pooled vector share values at the smallest input, but not a shape).
            Map<String, String> byContent = new LinkedHashMap<>();
            values.forEach((layer, content) -> assertThat(byContent.put(content, layer))
                    .as(card.name() + ": " + layer + " holds the shape and values of another layer").isNull());
        }
    }

    @Test
    void resnetsProbeEachStageOutputOnceByTheStageName() {
        assertThat(ModelRegistry.get("resnet18").probedLayers()).containsExactly("conv1", "layer1.0", "layer1",
                "layer2.0", "layer2", "layer3.0", "layer3", "layer4.0", "layer4", "pool");
        assertThat(ModelRegistry.get("resnet50").probedLayers()).containsExactly("conv1", "layer1.0", "layer1.1",
                "layer1", "layer2.0", "layer2.1", "layer2.2", "layer2", "layer3.0", "layer3.1", "layer3.2", "layer3.3",
                "layer3.4", "layer3", "layer4.0", "layer4.1", "layer4", "pool");
    }

    @Test
    void probedWidthsAreEachLayersChannels() {
        // cbr-small: 32-64-128-256 channels (its description), then the pooled 256; resnet18 as torchvision's:
        // conv1 64, each stage's blocks 64, 128, 256, 512, the pool 512
        assertThat(ModelRegistry.get("cbr-small").probedWidths()).containsExactly(32, 64, 128, 256, 256);
        assertThat(ModelRegistry.get("resnet18").probedWidths()).containsExactly(64, 64, 64, 128, 128, 256, 256, 512,
                512, 512);
    }

    @Test
    void keysPointAtTheArchitecturesTensors() {
        for (ModelCard card : ModelRegistry.all()) {
            Architecture a = card.reference();
            assertThat(a.specs()).as(card.name()).containsKey(card.firstConvKey()).containsKey(card.classifierKey());
            assertThat(a.specs().get(card.firstConvKey()).shape()).as(card.name() + " first conv takes 3 channels")
                    .hasSize(4).satisfies(s -> assertThat(s[1]).isEqualTo(3));
            assertThat(a.specs().get(card.classifierKey()).shape()[0]).as(card.name() + " classifier outputs")
                    .isEqualTo(2);
            assertThat(card.normalisation()).as(card.name()).isIn(Normalisation.IMAGENET, Normalisation.INCEPTION);
            assertThat(a.name()).isEqualTo(card.name());
        }
    }

    @Test
    void slimRelationIsSymmetric() {
        List<String> slims = new ArrayList<>();
        for (ModelCard card : ModelRegistry.all()) {
            if (card.isSlim()) {
                slims.add(card.name());
                ModelCard full = card.fullModel();
                assertThat(full.isSlim()).as(card.name()).isFalse();
                assertThat(full.slimVariant()).as(card.name()).contains(card);
                assertThat(card.family()).isEqualTo(full.family());
                assertThat(card.normalisation()).isEqualTo(full.normalisation());
                assertThat(card.published()).as("a slim card uses its full model's weights").isNull();
                assertThat(card.weights()).isEqualTo(full.weights());
                assertThat(card.reference().slimBoundary()).as(card.name()).isNotNull();
            } else {
                assertThat(card.fullModel()).isSameAs(card);
                assertThat(card.reference().slimBoundary()).as(card.name()).isNull();
                card.slimVariant().ifPresent(s -> assertThat(s.fullModel()).isSameAs(card));
            }
        }
        assertThat(slims).containsExactlyInAnyOrder("resnet18-slim", "resnet50-slim", "mobilenet-v2-slim",
                "cbr-large-tall-slim", "cbr-large-wide-slim", "cbr-small-slim", "cbr-tiny-slim");
    }

    /** The verdicts' scopes as the paper draws them: small = the CBRs (not slim), large = ResNet50 and Inception-v3. */
    @Test
    void sizeClassesAreThePapers() {
        List<String> small = new ArrayList<>();
        List<String> large = new ArrayList<>();
        // The classifiers; a U-Net has its encoder's size class (UNetTest).
        List<ModelCard> classifiers = ModelRegistry.all().stream().filter(c -> !c.isSegmentation()).toList();
        for (ModelCard card : classifiers) {
            switch (card.sizeClass()) {
                case SMALL -> small.add(card.name());
                case LARGE -> large.add(card.name());
                case NEITHER -> assertThat(card.trainableParameters()).as(card.name())
                        .isLessThan(ModelCard.SizeClass.LARGE_PARAMETERS);
            }
        }
        assertThat(small).containsExactly("cbr-large-tall", "cbr-large-wide", "cbr-small", "cbr-tiny");
        // ViT-S (21.7 M, with 16 or 8 px patches) and ConvNeXt-T (27.8 M) are large
        // by the same rule.
        assertThat(large).containsExactly("resnet50", "inception-v3", "vit-small-p16", "vit-small-p8",
                "convnext-tiny");
        // The rule's margin: the large models well above 20M, every other model well below.
        assertThat(ModelRegistry.get("resnet50").trainableParameters()).isBetween(23_000_000L, 24_000_000L);
        assertThat(ModelRegistry.get("inception-v3").trainableParameters()).isBetween(21_000_000L, 22_500_000L);
        assertThat(classifiers.stream().filter(c -> c.sizeClass() != ModelCard.SizeClass.LARGE)
                .mapToLong(ModelCard::trainableParameters).max().orElseThrow()).isLessThan(12_000_000L);
    }

    @Test
    void familiesAndWeightsAreDeclared() {
        assertThat(ModelRegistry.get("cbr-small-slim").family()).isEqualTo(ModelCard.Family.CBR);
        assertThat(ModelRegistry.get("densenet121").family()).isEqualTo(ModelCard.Family.DENSENET);
        assertThat(ModelRegistry.get("mobilenet-v2-0.35-keras").family()).isEqualTo(ModelCard.Family.MOBILENET);
        assertThat(ModelRegistry.get("mobilenet-v2-0.35-keras").localWeightsNames())
                .containsExactly("mobilenet_v2_035_imagenet");
        assertThat(ModelRegistry.all().stream().filter(c -> c.published() != null).map(ModelCard::name))
                .containsExactly("resnet18", "resnet50", "densenet121", "inception-v3", "efficientnet-b0", "vit-small-p16",
                        "convnext-tiny");
        assertThat(ModelRegistry.get("vit-small-p16").family()).isEqualTo(ModelCard.Family.VIT);
        assertThat(ModelRegistry.get("convnext-tiny").family()).isEqualTo(ModelCard.Family.CONVNEXT);
        assertThat(ModelRegistry.get("resnet50-slim").weights().orElseThrow().repo())
                .isEqualTo("timm/resnet50.tv_in1k");
        assertThat(ModelRegistry.find("resnet50-wide")).isEmpty();
    }
}
