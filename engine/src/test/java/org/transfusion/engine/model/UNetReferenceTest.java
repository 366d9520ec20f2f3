package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * Our U-Nets give PyTorch's logits (eval mode) to 1e-4 on the same weights and input: {@code
 * scripts/unet_reference.py} builds unet-cbr-tiny (2 outputs) and unet-resnet18 (1 output) in PyTorch from the
 * description in {@link UNet} (torchvision's resnet18 as the encoder, {@code F.interpolate(mode="nearest")}, {@code
 * torch.cat}), fills every tensor of the same keys by the formula of {@link DeterministicWeights}, runs the input
 * {@code DeterministicWeights.input(1, 3, 64, 64)} and saves the logits (1, outputs, 64, 64), computed in float64, as
 * the .npy files beside this test (Debian's python3-torch 1.13).
 *
 * <p>Tolerance: 1e-4 for logits up to 10 in magnitude (unet-cbr-tiny's reach 4.5), 1e-5 of the largest logit above
 * (unet-resnet18's reach 23: 2.3e-4), float32's rounding: PyTorch's own float32 pass differs from its float64 one by
 * 1.2e-5 and 8.6e-5 on these two. A wrong upsampling, concatenation order or padding moves logits by whole units.
 */
class UNetReferenceTest {
    @Test
    void unetCbrTinyMatchesPyTorch() throws Exception {
        check("unet-cbr-tiny", 2, "unet_cbr_tiny_logits.npy");
    }

    @Test
    void unetResnet18MatchesPyTorch() throws Exception {
        check("unet-resnet18", 1, "unet_resnet18_logits.npy");
    }

    private void check(String model, int outputs, String file) throws Exception {
        NpyArray expected = Npy.read(Path.of(getClass().getResource(file).toURI()));
        Architecture a = ModelRegistry.get(model).build(3, outputs, 1.0);
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, DeterministicWeights.of(a))) {
            NDArray x = m.create(DeterministicWeights.input(1, 3, 64, 64), new Shape(1, 3, 64, 64));
            NDArray y = net.forward(x, false);
            assertThat(y.getShape()).isEqualTo(new Shape(expected.shape()));
            float[] got = y.toFloatArray();
            double maxDiff = 0;
            double spread = 0;
            double largest = 0;
            for (int i = 0; i < got.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected.getDouble(i)));
                spread = Math.max(spread, Math.abs(expected.getDouble(i) - expected.getDouble(0)));
                largest = Math.max(largest, Math.abs(expected.getDouble(i)));
            }
            double tolerance = 1e-5 * Math.max(10, largest);
            System.out.printf("%s: max |ours - PyTorch| = %.3g (logits spread %.3g)%n", model, maxDiff, spread);
            assertThat(spread).as("the logits vary over the image, so the check is a real one").isGreaterThan(1);
            assertThat(maxDiff).as(model + " logits vs PyTorch").isLessThan(tolerance);
        }
    }
}
