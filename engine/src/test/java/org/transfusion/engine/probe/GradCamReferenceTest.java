package org.transfusion.engine.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.DeterministicWeights;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;

/**
 * Grad-CAM of two model families (the CBRs and the ResNets) against PyTorch on the same weights and inputs.
 *
 * <p>How the expected numbers were produced: {@code /usr/bin/python3 gradcam_reference.py} (this test's resources,
 * Debian's python3-torch 1.13 and python3-torchvision 0.14, CPU, float32) fills every tensor of the model with the
 * formula of {@link DeterministicWeights} (cbr-small written out in torch, resnet18 from torchvision, 3 outputs),
 * runs it in eval mode on {@link DeterministicWeights#input}, takes the gradient of the chosen logit at the layer's
 * output with torch.autograd and prints {@code relu(sum_k mean(grad_k) * A_k)} at the layer's resolution, and after
 * {@code F.interpolate(..., mode='bilinear', align_corners=False)} to the input size and min-max scaling, row 7 of
 * the map at every second (32 px) or fourth (64 px) pixel. The ResNet's logits are those of
 * {@code ForwardEquivalenceTest} (its first three outputs), a check that the weights are the same.
 */
class GradCamReferenceTest {
    /**
     * Absolute tolerance on the layer maps relative to their largest value, and on the [0, 1] maps. Measured: at
     * most 6e-7 apart, the 6 decimals the script prints.
     */
    private static final double LAYER_TOLERANCE = 2e-5;
    private static final double MAP_TOLERANCE = 1e-5;

    private record Expected(int output, double logit, float[] layerMap, float[] row7) {}

    private static List<GradCam.Result> gradCam(String model, int size, String layer, int output) {
        Architecture arch = ModelRegistry.get(model).build(3, 3, 1.0);
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, arch,
                DeterministicWeights.of(arch))) {
            return GradCam.compute(net, layer, DeterministicWeights.input(2, 3, size, size), 2, 3, size, output);
        }
    }

    private static void check(List<GradCam.Result> results, Expected... expected) {
        assertThat(results).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            GradCam.Result r = results.get(i);
            Expected e = expected[i];
            assertThat(r.output()).isEqualTo(e.output());
            assertThat(r.score()).isCloseTo(e.logit(), within(1e-4 * Math.max(1, Math.abs(e.logit()))));
            float[] layer = r.layerMap();
            assertThat(layer).hasSize(e.layerMap().length);
            float scale = 0;
            for (float v : e.layerMap()) {
                scale = Math.max(scale, v);
            }
            for (int p = 0; p < layer.length; p++) {
                assertThat((double) layer[p]).as("image %d layer map [%d]", i, p)
                        .isCloseTo(e.layerMap()[p], within(LAYER_TOLERANCE * scale));
            }
            int step = r.map().width() / 16;
            for (int k = 0; k < 16; k++) {
                assertThat((double) r.map().at(k * step, 7)).as("image %d map (row 7, column %d)", i, k * step)
                        .isCloseTo(e.row7()[k], within(MAP_TOLERANCE));
            }
        }
    }

    @Test
    void cbrSmallAtItsLastStageExplainsTheLargestLogit() {
        List<GradCam.Result> r = gradCam("cbr-small", 32, "layer4", GradCam.LARGEST);
        assertThat(r.get(0).layerWidth()).isEqualTo(4);
        assertThat(r.get(0).layerHeight()).isEqualTo(4);
        check(r, new Expected(2, 3.650644, new float[] {
            0.149290f, 0.145718f, 0.209870f, 0.110419f, 0.043284f, 0.039693f, 0.100448f, 0.138065f, 0.053554f,
            0.072176f, 0.040403f, 0.107140f, 0.039736f, 0.054173f, 0.043755f, 0.031928f}, new float[] {
            0.408114f, 0.408114f, 0.406828f, 0.401682f, 0.396536f, 0.391390f, 0.410048f, 0.500120f, 0.590192f,
            0.680265f, 0.733631f, 0.676879f, 0.620127f, 0.563375f, 0.520811f, 0.520811f}),
            new Expected(2, 4.051189, new float[] {
                0.117567f, 0.187402f, 0.225850f, 0.128036f, 0.009622f, 0.059621f, 0.121089f, 0.144371f, 0.036363f,
                0.071729f, 0.073523f, 0.132962f, 0.058049f, 0.088528f, 0.101765f, 0.049659f}, new float[] {
                0.278325f, 0.278325f, 0.296342f, 0.368408f, 0.440475f, 0.512541f, 0.580885f, 0.638060f, 0.695234f,
                0.752409f, 0.782081f, 0.729249f, 0.676416f, 0.623584f, 0.583959f, 0.583959f}));
    }

    @Test
    void cbrSmallAtAnEarlierLayerExplainsAGivenOutput() {
        check(gradCam("cbr-small", 32, "layer3", 2), new Expected(2, 3.650644, new float[] {
            0.008299f, 0.016315f, 0.025022f, 0.028224f, 0.029599f, 0.027886f, 0.029023f, 0.029123f, 0.013143f,
            0.029234f, 0.037607f, 0.047486f, 0.046606f, 0.032984f, 0.030582f, 0.026282f, 0.018653f, 0.028881f,
            0.042891f, 0.052754f, 0.050152f, 0.032335f, 0.040090f, 0.030544f, 0.021174f, 0.031886f, 0.031955f,
            0.032836f, 0.039166f, 0.031888f, 0.026388f, 0.027238f, 0.016228f, 0.031493f, 0.026797f, 0.026413f,
            0.030015f, 0.020545f, 0.027405f, 0.024462f, 0.017700f, 0.026092f, 0.020019f, 0.025402f, 0.031259f,
            0.017904f, 0.013584f, 0.009782f, 0.009103f, 0.018059f, 0.009826f, 0.013547f, 0.006793f, 0.000000f,
            0.001521f, 0.000000f, 0.003730f, 0.001316f, 0.006075f, 0.007989f, 0.000312f, 0.000046f, 0.003166f,
            0.000000f}, new float[] {
            0.293630f, 0.327155f, 0.461258f, 0.587143f, 0.688375f, 0.788124f, 0.883427f, 0.951222f, 0.936491f,
            0.888774f, 0.742094f, 0.635481f, 0.649066f, 0.644130f, 0.583627f, 0.538249f}),
            new Expected(2, 4.051189, new float[] {
                0.014695f, 0.017531f, 0.020665f, 0.032866f, 0.033387f, 0.025962f, 0.034283f, 0.029759f, 0.020864f,
                0.031119f, 0.026673f, 0.037667f, 0.043005f, 0.036391f, 0.038977f, 0.034301f, 0.017719f, 0.024860f,
                0.029745f, 0.050264f, 0.048448f, 0.042184f, 0.040867f, 0.032959f, 0.016089f, 0.031437f, 0.035381f,
                0.041052f, 0.046730f, 0.036154f, 0.038477f, 0.028970f, 0.022821f, 0.034138f, 0.032455f, 0.037574f,
                0.050783f, 0.034650f, 0.039331f, 0.022311f, 0.021380f, 0.028078f, 0.018645f, 0.025698f, 0.031444f,
                0.030085f, 0.025196f, 0.014700f, 0.012672f, 0.010285f, 0.008414f, 0.014461f, 0.018841f, 0.016769f,
                0.007832f, 0.004921f, 0.009186f, 0.008094f, 0.011857f, 0.008254f, 0.013810f, 0.005062f, 0.005927f,
                0.000000f}, new float[] {
                0.401710f, 0.424891f, 0.517613f, 0.584740f, 0.575079f, 0.604988f, 0.753611f, 0.871852f, 0.898948f,
                0.902733f, 0.836584f, 0.789835f, 0.801286f, 0.794855f, 0.734776f, 0.689716f}));
    }

    @Test
    void resnet18AtLayer3() {
        check(gradCam("resnet18", 64, "layer3", GradCam.LARGEST), new Expected(1, 22.852961, new float[] {
            0.279850f, 0.790824f, 1.241009f, 1.631682f, 0.376101f, 0.487458f, 1.355373f, 1.425892f, 0.556320f,
            0.694968f, 2.061257f, 1.307323f, 1.469294f, 1.378669f, 1.707536f, 1.414604f}, new float[] {
            0.000000f, 0.000000f, 0.009139f, 0.082250f, 0.155362f, 0.228473f, 0.300498f, 0.364911f, 0.429325f,
            0.493739f, 0.557088f, 0.612986f, 0.668885f, 0.724783f, 0.773694f, 0.773694f}),
            new Expected(1, 22.488300, new float[] {
                0.452821f, 0.274687f, 0.879616f, 1.107882f, 0.607538f, 0.486503f, 1.360368f, 0.528009f, 0.905472f,
                0.768136f, 1.255037f, 0.631979f, 0.941927f, 0.963709f, 1.750042f, 1.107733f}, new float[] {
                0.119035f, 0.119035f, 0.115195f, 0.084477f, 0.053758f, 0.023039f, 0.009200f, 0.113518f, 0.217837f,
                0.322155f, 0.418355f, 0.457718f, 0.497082f, 0.536446f, 0.570889f, 0.570889f}));
    }
}
