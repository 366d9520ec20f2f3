package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;

/**
 * The U-Nets' contract with the training code: logits (B, outputs, H, W) at the input's resolution for sides that
 * are multiples of {@link Architecture#sizeMultiple()}; the encoder's keys are the classifier's under {@code
 * encoder.} without its head; blocks and probed layers are the classifier's, then the decoder's.
 */
class UNetTest {

    private static List<ModelCard> unets() {
        return ModelRegistry.all().stream().filter(ModelCard::isSegmentation).toList();
    }

    @Test
    void registersAUNetOnEachEncoder() {
        assertThat(unets()).extracting(ModelCard::name).containsExactly("unet-resnet18", "unet-resnet50",
                "unet-cbr-small", "unet-cbr-tiny", "unet-mobilenet-v2", "unet-mobilenet-v2-0.35-keras");
        for (ModelCard card : unets()) {
            ModelCard encoder = card.encoderCard();
            assertThat(card.task()).isEqualTo(ModelCard.Task.SEGMENTATION);
            assertThat(encoder.task()).isEqualTo(ModelCard.Task.CLASSIFICATION);
            assertThat(card.family()).as(card.name()).isEqualTo(encoder.family());
            assertThat(card.normalisation()).as(card.name()).isEqualTo(encoder.normalisation());
            assertThat(card.defaultImageSize() % card.reference().sizeMultiple()).as(card.name()).isZero();
            assertThat(card.weights()).as(card.name()).isEqualTo(encoder.weights());
            assertThat(card.sizeClass()).as(card.name()).isEqualTo(encoder.sizeClass());
        }
        assertThat(ModelRegistry.get("unet-resnet18").weights().orElseThrow().repo()).isEqualTo("timm/resnet18.tv_in1k");
        assertThat(ModelRegistry.get("unet-mobilenet-v2-0.35-keras").localWeightsNames())
                .contains("mobilenet_v2_035_imagenet");
        assertThat(ModelRegistry.get("unet-resnet50").sizeClass()).isEqualTo(ModelCard.SizeClass.LARGE);
        assertThat(ModelRegistry.get("unet-cbr-tiny").sizeClass()).isEqualTo(ModelCard.SizeClass.SMALL);
    }

    @Test
    void encoderKeysAreTheClassifiersUnderEncoderWithoutItsHead() {
        for (ModelCard card : unets()) {
            Architecture unet = card.build(3, 2, 1.0);
            Architecture classifier = card.encoderCard().build(3, 2, 1.0);
            List<String> expected = new ArrayList<>();
            classifier.specs().forEach((k, s) -> {
                if (!k.startsWith(classifier.classifierPrefix() + ".")) {
                    expected.add(UNet.ENCODER + k);
                    assertThat(unet.specs().get(UNet.ENCODER + k).shape()).as(k).isEqualTo(s.shape());
                    assertThat(unet.blockOf(UNet.ENCODER + k)).as(k).isEqualTo(classifier.blockOf(k));
                }
            });
            List<String> encoderKeys = unet.specs().keySet().stream().filter(k -> k.startsWith(UNet.ENCODER)).toList();
            assertThat(encoderKeys).as(card.name()).isEqualTo(expected);
            assertThat(unet.specs().keySet()).as(card.name())
                    .allMatch(k -> k.startsWith(UNet.ENCODER) || k.startsWith("decoder."));
            assertThat(unet.firstConvPrefix()).isEqualTo(UNet.ENCODER + classifier.firstConvPrefix());
            assertThat(unet.classifierPrefix()).isEqualTo("decoder.head");
            assertThat(unet.transferSource().name()).isEqualTo(classifier.name());
            List<String> blocks = new ArrayList<>(classifier.blocks());
            blocks.remove(classifier.blockOf(classifier.classifierPrefix() + ".weight"));
            blocks.add("decoder");
            assertThat(unet.blocks()).as(card.name()).isEqualTo(blocks);
            List<String> layers = new ArrayList<>(classifier.layers());
            layers.remove("pool");
            assertThat(unet.layers().subList(0, layers.size())).as(card.name()).isEqualTo(layers);
            assertThat(unet.layers().subList(layers.size(), unet.layers().size())).as(card.name())
                    .allMatch(l -> l.startsWith("decoder."));
        }
        assertThat(ModelRegistry.get("unet-resnet18").reference().blocks())
                .containsExactly("conv1", "layer1", "layer2", "layer3", "layer4", "decoder");
        assertThat(ModelRegistry.get("unet-resnet18").reference().layers()).containsExactly("conv1", "layer1.0",
                "layer1", "layer2.0", "layer2", "layer3.0", "layer3", "layer4.0", "layer4", "decoder.0", "decoder.1",
                "decoder.2", "decoder.3", "decoder.4");
    }

    @Test
    void encoderScalesAreTheStatedLayersChannelsAndStrides() {
        assertThat(((Encoder) ModelRegistry.get("resnet18").reference()).scales()).containsExactly(
                new Encoder.Scale("conv1", 64, 2), new Encoder.Scale("layer1", 64, 4),
                new Encoder.Scale("layer2", 128, 8), new Encoder.Scale("layer3", 256, 16),
                new Encoder.Scale("layer4", 512, 32));
        assertThat(((Encoder) ModelRegistry.get("resnet50").reference()).scales()).extracting(Encoder.Scale::channels)
                .containsExactly(64, 256, 512, 1024, 2048);
        assertThat(((Encoder) ModelRegistry.get("cbr-small").reference()).scales()).containsExactly(
                new Encoder.Scale("layer1", 32, 1), new Encoder.Scale("layer2", 64, 2),
                new Encoder.Scale("layer3", 128, 4), new Encoder.Scale("layer4", 256, 8));
        assertThat(((Encoder) ModelRegistry.get("mobilenet-v2").reference()).scales()).containsExactly(
                new Encoder.Scale("features.1", 16, 2), new Encoder.Scale("features.3", 24, 4),
                new Encoder.Scale("features.6", 32, 8), new Encoder.Scale("features.13", 96, 16),
                new Encoder.Scale("features.18", 1280, 32));
        assertThat(((Encoder) ModelRegistry.get("mobilenet-v2-0.35-keras").reference()).scales())
                .extracting(Encoder.Scale::channels).containsExactly(8, 8, 16, 32, 1280);
        assertThat(ModelRegistry.get("unet-resnet50").reference().sizeMultiple()).isEqualTo(32);
        assertThat(ModelRegistry.get("unet-mobilenet-v2").reference().sizeMultiple()).isEqualTo(32);
        assertThat(ModelRegistry.get("unet-cbr-small").reference().sizeMultiple()).isEqualTo(8);
        assertThat(ModelRegistry.get("resnet18").reference().sizeMultiple()).isEqualTo(1);
    }

    /** Each map the encoder hands the decoder has the size its scale states, for a non-square input too. */
    @Test
    void encodeGivesEachScaleAtItsStride() {
        for (String name : List.of("resnet18", "cbr-tiny", "mobilenet-v2-0.35-keras")) {
            Architecture a = ModelRegistry.get(name).build(1, 2, 1.0);
            try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, RandomInit.of(a, 3))) {
                NDArray x = m.create(DeterministicWeights.input(2, 1, 64, 96), new Shape(2, 1, 64, 96));
                List<NDArray> maps = ((Encoder) a).encode(net.params(), x, false, Taps.NONE);
                List<Encoder.Scale> scales = ((Encoder) a).scales();
                assertThat(maps).hasSameSizeAs(scales);
                for (int i = 0; i < scales.size(); i++) {
                    Encoder.Scale s = scales.get(i);
                    assertThat(maps.get(i).getShape()).as(name + " " + s)
                            .isEqualTo(new Shape(2, s.channels(), 64 / s.stride(), 96 / s.stride()));
                }
            }
        }
    }

    @Test
    void logitsAreFullResolutionForEverySizeMultiple() {
        for (ModelCard card : unets()) {
            for (int outputs : new int[] {1, 3}) {
                Architecture a = card.build(outputs == 1 ? 1 : 3, outputs, 1.0);
                int m = a.sizeMultiple();
                int[][] sizes = {{64, 64}, {64 + m, 64 + 2 * m}};
                try (NDManager nd = NDManager.newBaseManager();
                     Network net = Network.create(nd, a, RandomInit.of(a, 7))) {
                    for (int[] hw : sizes) {
                        int c = a.inputChannels();
                        NDArray x = nd.create(DeterministicWeights.input(2, c, hw[0], hw[1]),
                                new Shape(2, c, hw[0], hw[1]));
                        NDArray y = net.forward(x, outputs == 3);
                        assertThat(y.getShape()).as(card.name() + " " + hw[0] + "x" + hw[1])
                                .isEqualTo(new Shape(2, outputs, hw[0], hw[1]));
                        assertThat(y.isInfinite().any().getBoolean() || y.isNaN().any().getBoolean()).isFalse();
                    }
                }
            }
        }
    }

    /** A training step's backward reaches the encoder's first conv and the head, in both memory layouts. */
    @Test
    void gradientsReachEncoderAndHeadInBothMemoryFormats() {
        for (String name : List.of("unet-cbr-tiny", "unet-mobilenet-v2-0.35-keras")) {
            Architecture a = ModelRegistry.get(name).build(3, 2, 1.0);
            for (BatchArrays.MemoryFormat format : BatchArrays.MemoryFormat.values()) {
                Batch b = new Batch(0, 2, 3, 64, DeterministicWeights.input(2, 3, 64, 64), new float[2], 1);
                try (NDManager root = NDManager.newBaseManager();
                     Network net = Network.create(root, a, DeterministicWeights.of(a));
                     NDManager s = net.manager().newSubManager()) {
                    NDArray x = new BatchArrays(format).images(s, b);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(net.forward(x, true).sum());
                    }
                    for (String key : List.of(a.firstConvPrefix() + ".weight", "decoder.stem.0.conv.weight",
                            "decoder.head.bias")) {
                        float[] g = net.trainable().get(key).getGradient().toFloatArray();
                        double norm = 0;
                        for (float v : g) {
                            assertThat(Float.isFinite(v)).as(name + " " + format + " " + key).isTrue();
                            norm += Math.abs(v);
                        }
                        assertThat(norm).as(name + " " + format + " " + key + " gradient").isPositive();
                    }
                }
            }
        }
    }

    @Test
    void refusesSidesThatAreNotMultiples() {
        Architecture a = ModelRegistry.get("unet-cbr-tiny").build(3, 1, 1.0);
        try (NDManager nd = NDManager.newBaseManager(); Network net = Network.create(nd, a, RandomInit.of(a, 7))) {
            NDArray x = nd.zeros(new Shape(1, 3, 64, 60));
            assertThatThrownBy(() -> net.forward(x, false)).hasMessageContaining("multiples of 8");
        }
    }
}
