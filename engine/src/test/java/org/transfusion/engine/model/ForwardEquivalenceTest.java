package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * Our forward passes give torchvision's logits (eval mode) to 1e-4 on the same weights and input.
 *
 * <p>How the expected numbers were produced: a throwaway script with Debian's python3-torchvision 0.14.1 (torch
 * 1.13, CPU, float32) built each model with 10 classes ({@code resnet18(num_classes=10)}, {@code
 * resnet50(num_classes=10)}, {@code densenet121(num_classes=10)}, {@code inception_v3(num_classes=10,
 * aux_logits=False, init_weights=False)}, {@code mobilenet_v2(num_classes=10, width_mult=1.0 | 0.35)}), filled
 * every state-dict tensor with the formula of {@link DeterministicWeights}
 * (numpy uint64 arithmetic for the hash), called {@code model.eval()} and printed {@code model(x).flatten()} for
 * the input {@code x} of {@link DeterministicWeights#input} ({@code 2 x 3 x 64 x 64}; Inception {@code 2 x 3 x 96
 * x 96}). For the Keras style it then wrapped every stride-2 {@code Conv2d} as {@code Sequential(ZeroPad2d((0, 1,
 * 0, 1)), conv with padding 0)} and set every BN eps to 0.001, which is the Keras graph of backbone_graph.json.
 * Values are rounded to 6 decimals; the two samples' logits differ by 0.06 (Inception) to 6.5 (ResNet-18), so
 * the tolerance is a real check. Measured here: max differences 2e-6 (Inception, DenseNet-121) to 6e-5
 * (MobileNetV2 width 1.0), ResNet-18 3.3e-5, which is float32 rounding: the same script gives 5.5e-5
 * (MobileNetV2), 1.7e-5 (ResNet-18) and 1.6e-5 (ResNet-50) between torchvision's own float32 and float64
 * forward passes.
 */
class ForwardEquivalenceTest {
    private static final double TOLERANCE = 1e-4;

    @Test
    void resnet50() {
        check(ModelRegistry.get("resnet50").build(3, 10, 1.0), 64, new float[] {
            -1.859258f, -3.096393f, 0.043533f, 0.095193f, 8.927026f, 4.650058f, 0.471391f, 2.602301f, -4.559774f,
            -2.977077f, -2.381696f, -2.687478f, -0.270673f, 0.147417f, 9.801569f, 4.983812f, 0.271412f, 2.180476f,
            -4.175624f, -2.787917f});
    }

    @Test
    void resnet18() {
        // No bn3 in basic blocks, so nothing damps the residual branches: logits up to ~48 (float32 ulp 4e-6).
        check(ModelRegistry.get("resnet18").build(3, 10, 1.0), 64, new float[] {
            2.571275f, 22.852961f, 10.444440f, -7.485971f, -16.210052f, -18.554855f, 47.885349f, -18.656429f,
            -22.432850f, -16.718517f, 1.913383f, 22.488300f, 5.601347f, -6.947610f, -14.132095f, -20.196011f,
            43.756592f, -12.129672f, -21.861252f, -16.296326f});
    }

    @Test
    void densenet121() {
        check(ModelRegistry.get("densenet121").build(3, 10, 1.0), 64, new float[] {
            1.214697f, -2.721762f, 2.155720f, 0.576073f, -0.541815f, 0.983046f, 3.935282f, 0.882848f, -2.670822f,
            2.621481f, 1.237770f, -2.675715f, 2.069501f, 0.721520f, -0.536529f, 0.927727f, 3.913528f, 0.789909f,
            -2.602234f, 2.553838f});
    }

    @Test
    void inceptionV3() {
        check(ModelRegistry.get("inception-v3").build(3, 10, 1.0), 96, new float[] {
            0.537861f, -0.002238f, -0.277444f, -0.366860f, 1.070469f, 0.093317f, 0.300835f, 0.755717f, -0.657072f,
            0.127060f, 0.592190f, -0.041624f, -0.300931f, -0.376602f, 1.048255f, 0.106400f, 0.327898f, 0.768193f,
            -0.715110f, 0.081546f});
    }

    @Test
    void mobilenetV2Width1() {
        check(ModelRegistry.get("mobilenet-v2").build(3, 10, 1.0), 64, new float[] {
            -0.724463f, 0.928085f, 1.244373f, -1.620781f, -0.129583f, 0.404460f, -4.985140f, -0.456341f, 4.880727f,
            2.443392f, -1.494213f, 0.093889f, 0.187954f, -1.129535f, 0.634049f, 1.865360f, -3.574326f, -0.009019f,
            4.881770f, 1.349349f});
    }

    @Test
    void mobilenetV2Width035() {
        check(ModelRegistry.get("mobilenet-v2").build(3, 10, 0.35), 64, new float[] {
            1.831768f, 2.053801f, 4.725960f, 1.256961f, 0.270534f, 0.454202f, -3.084320f, -2.533906f, -0.117964f,
            -1.474964f, 2.752714f, 2.519329f, 4.836911f, 0.294522f, -0.918335f, 0.596863f, -3.525611f, -3.291207f,
            0.907821f, -1.060076f});
    }

    @Test
    void mobilenetV2KerasStyleWidth035() {
        check(ModelRegistry.get("mobilenet-v2-keras").build(3, 10, 0.35), 64, new float[] {
            0.332159f, 2.368082f, 4.623471f, 0.901743f, -0.489326f, 1.042627f, -2.600521f, -3.556700f, -0.010422f,
            -0.530319f, 2.075179f, 1.452021f, 4.517735f, 2.493937f, -1.806377f, 0.929000f, -1.919620f, -3.622501f,
            -0.102619f, -0.828071f});
    }

    private static void check(Architecture arch, int size, float[] expected) {
        try (NDManager m = NDManager.newBaseManager();
             Network net = Network.create(m, arch, DeterministicWeights.of(arch))) {
            NDArray x = m.create(DeterministicWeights.input(2, 3, size, size), new Shape(2, 3, size, size));
            float[] logits = net.forward(x, false).toFloatArray();
            double maxDiff = 0;
            for (int i = 0; i < logits.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(logits[i] - expected[i]));
            }
            System.out.printf("%s (%d px): max |ours - torchvision| = %.3g%n", arch.name()
                    + (arch instanceof MobileNetV2 mb ? " width " + mb.width() : ""), size, maxDiff);
            assertThat(logits).hasSize(expected.length);
            assertThat(maxDiff).as(arch.name() + " logits vs torchvision").isLessThan(TOLERANCE);
        }
    }
}
