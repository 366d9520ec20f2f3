package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * {@code efficientnet-b0} is timm's {@code efficientnet_b0}: the same state-dict keys and shapes, and the same logits
 * on the same weights and input.
 *
 * <p>Every expected number comes from {@code scripts/efficientnet_reference.py}, run on timm's source at commit
 * {@code aa4b5850c1543fa488abf260f18390eda46cf85d} (huggingface/pytorch-image-models, 1.0.29.dev0; imported as is on
 * Debian's python3-torch 1.13.1):
 * <ul>
 * <li>{@code golden/timm-efficientnet_b0.keys.txt}: {@code timm.create_model("efficientnet_b0", num_classes=1000)}'s
 * state dict, {@code key [shape]} a line (360 tensors); {@code golden/timm-efficientnet_b0-w0.35.keys.txt}: timm's
 * builder at {@code channel_multiplier=0.35};
 * <li>{@code efficientnet_b0_eval_logits.npy} and {@code efficientnet_b0_train_logits.npy} beside this test: the
 * logits (2, 10) of {@code efficientnet_b0} with 10 classes, every tensor filled by {@link DeterministicWeights}'
 * formula, for {@code DeterministicWeights.input(2, 3, 64, 64)}, in float64, in eval mode and in training mode
 * (timm's defaults: no dropout, no drop path; nor has ours).
 * </ul>
 *
 * <p>Tolerances. Training mode: 1e-4, as {@link ForwardEquivalenceTest}; the logits reach 1.06 and the two samples'
 * differ by up to 1.03, and timm's own float32 pass differs from its float64 one by 8.5e-6 (float32 rounding, printed
 * by the script). Eval mode: these weights leave the logits almost independent of the input (the samples' differ by
 * 2.5e-8; the script's docstring says why: each block without a shortcut scales the input's share by about 0.07 and
 * BN's biases and running means dominate), so that pass checks every layer, padding and gate on the path the weights
 * alone take; its logits are below 0.1 and timm's float32 pass is 4.0e-8 from float64, so 1e-6 is 25 times that
 * rounding and far below what a wrong padding, SE width or missing activation moves.
 */
class EfficientNetTest {
    private static final double TRAIN_TOLERANCE = 1e-4;
    private static final double EVAL_TOLERANCE = 1e-6;

    private static List<String> golden(String name) throws IOException {
        try (InputStream in = EfficientNetTest.class.getResourceAsStream("/golden/" + name + ".keys.txt")) {
            assertThat(in).as("golden list " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static List<String> keys(Architecture a) {
        return a.specs().values().stream().map(s -> s.key() + " " + Arrays.toString(s.shape()).replace(" ", ""))
                .toList();
    }

    @Test
    void keysAndShapesAreTimmsInTimmsOrder() throws IOException {
        List<String> timm = golden("timm-efficientnet_b0");
        assertThat(timm).hasSize(360).contains("conv_stem.weight [32,3,3,3]",
                "blocks.0.0.se.conv_reduce.weight [8,32,1,1]", "blocks.5.3.conv_dw.weight [1152,1,5,5]",
                "conv_head.weight [1280,320,1,1]", "classifier.weight [1000,1280]");
        assertThat(keys(ModelRegistry.get("efficientnet-b0").build(3, 1000, 1.0))).containsExactlyElementsOf(timm);
    }

    @Test
    void widthMultiplierRoundsEveryWidthAsTimm() throws IOException {
        List<String> timm = golden("timm-efficientnet_b0-w0.35");
        assertThat(keys(ModelRegistry.get("efficientnet-b0").build(3, 1000, 0.35))).containsExactlyElementsOf(timm);
    }

    /** The card says what timm's pretrained_cfg for efficientnet_b0.ra_in1k says (the script prints it). */
    @Test
    void cardIsTimmsPretrainedCfg() {
        ModelCard card = ModelRegistry.get("efficientnet-b0");
        assertThat(card.family()).isEqualTo(ModelCard.Family.EFFICIENTNET);
        assertThat(card.firstConvKey()).isEqualTo("conv_stem.weight");
        assertThat(card.classifierPrefix()).isEqualTo("classifier");
        assertThat(card.defaultImageSize()).isEqualTo(224);
        assertThat(card.normalisation()).isEqualTo(Normalisation.IMAGENET);
        PublishedWeights w = card.published();
        assertThat(w.repo()).isEqualTo("timm/efficientnet_b0.ra_in1k");
        assertThat(w.file()).isEqualTo("model.safetensors");
        assertThat(w.licence()).isEqualToIgnoringCase("apache-2.0");
        assertThat(w.inputSize()).isEqualTo(224);
        assertThat(w.classes()).isEqualTo(1000);
        assertThat(card.sizeClass()).isEqualTo(ModelCard.SizeClass.NEITHER);
        assertThat(card.slimVariant()).isEmpty();
    }

    @Test
    void trainingModeLogitsAreTimms() throws Exception {
        double spread = check(true, "efficientnet_b0_train_logits.npy", TRAIN_TOLERANCE);
        assertThat(spread).as("the samples' logits differ, so the input's path is checked").isGreaterThan(0.5);
    }

    @Test
    void evalModeLogitsAreTimms() throws Exception {
        check(false, "efficientnet_b0_eval_logits.npy", EVAL_TOLERANCE);
    }

    /** Compares with the file's logits; returns the largest difference between the two samples' expected logits. */
    private double check(boolean training, String file, double tolerance) throws Exception {
        NpyArray expected = Npy.read(Path.of(getClass().getResource(file).toURI()));
        assertThat(expected.shape()).containsExactly(2, 10);
        Architecture a = ModelRegistry.get("efficientnet-b0").build(3, 10, 1.0);
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, DeterministicWeights.of(a))) {
            NDArray x = m.create(DeterministicWeights.input(2, 3, 64, 64), new Shape(2, 3, 64, 64));
            float[] got = net.forward(x, training).toFloatArray();
            double maxDiff = 0;
            double samples = 0;
            for (int i = 0; i < got.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected.getDouble(i)));
                samples = Math.max(samples, Math.abs(expected.getDouble(i % 10) - expected.getDouble(10 + i % 10)));
            }
            System.out.printf("efficientnet-b0 (%s, 64 px): max |ours - timm| = %.3g%n", training ? "train" : "eval",
                    maxDiff);
            assertThat(maxDiff).as("efficientnet-b0 logits vs timm").isLessThan(tolerance);
            return samples;
        }
    }

    /** Probed layers: the stem, each stage's output, the head conv and the pool, at the strides timm's stages have. */
    @Test
    void probedLayersHaveTheStagesShapes() {
        Architecture a = ModelRegistry.get("efficientnet-b0").build(3, 5, 1.0);
        Map<String, String> seen = new LinkedHashMap<>();
        Taps taps = Taps.of(layer -> true, (layer, x) -> seen.put(layer, x.getShape().toString()));
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, RandomInit.of(a, 1))) {
            net.forward(m.create(DeterministicWeights.input(2, 3, 64, 64), new Shape(2, 3, 64, 64)), true, taps);
        }
        // 64 px: stride 2 at the stem and the first block of stages 1, 2, 3 and 5: 32, 32, 16, 8, 4, 4, 2, 2.
        assertThat(seen).containsExactly(Map.entry("conv_stem", "(2, 32, 32, 32)"),
                Map.entry("blocks.0", "(2, 16, 32, 32)"), Map.entry("blocks.1", "(2, 24, 16, 16)"),
                Map.entry("blocks.2", "(2, 40, 8, 8)"), Map.entry("blocks.3", "(2, 80, 4, 4)"),
                Map.entry("blocks.4", "(2, 112, 4, 4)"), Map.entry("blocks.5", "(2, 192, 2, 2)"),
                Map.entry("blocks.6", "(2, 320, 2, 2)"), Map.entry("conv_head", "(2, 1280, 2, 2)"),
                Map.entry("pool", "(2, 1280)"));
        assertThat(a.blocks()).containsExactly("conv_stem", "blocks.0", "blocks.1", "blocks.2", "blocks.3",
                "blocks.4", "blocks.5", "blocks.6", "conv_head", "classifier");
        assertThat(a.blockOf("bn1.weight")).isEqualTo("conv_stem");
        assertThat(a.blockOf("blocks.3.2.se.conv_expand.bias")).isEqualTo("blocks.3");
        assertThat(a.blockOf("bn2.running_var")).isEqualTo("conv_head");
    }
}
