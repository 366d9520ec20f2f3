package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ReLU6 through TorchScript's hardtanh ({@link ScriptedOps#relu6}, issue 33) against the formula and against the
 * formulation it replaced, relu(x) - relu(x - 6): values and gradients equal within 1e-6 relative (exactly, in
 * fact: both gradients are the upstream gradient masked), on inputs that span below 0, (0, 6) and above 6, in
 * both memory layouts a batch comes in.
 */
class ScriptedOpsTest {

    /** The formulation MobileNetV2 used before (commit 047dcbf): relu(x) - relu(x - 6). */
    private static NDArray previousRelu6(NDArray x) {
        return Activation.relu(x).sub(Activation.relu(x.sub(6f)));
    }

    private static float[] inputs(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 4 + 3); // about 23% below 0, 22% above 6
        }
        return v;
    }

    @Test
    void valuesAreTheClampAndGradientsThoseOfThePreviousFormulation() {
        Shape shape = new Shape(4, 24, 9, 9);
        float[] x = inputs((int) shape.size(), 1);
        float[] upstream = inputs((int) shape.size(), 2);
        for (boolean channelsLast : new boolean[] {false, true}) {
            float[][] gradients = new float[2][];
            float[][] values = new float[2][];
            for (int k = 0; k < 2; k++) {
                try (NDManager nd = NDManager.newBaseManager()) {
                    NDArray in = nd.create(x, shape);
                    if (channelsLast) {
                        // the trainer's default batch layout: NHWC strides under the NCHW shape
                        in = in.transpose(0, 2, 3, 1).toDevice(in.getDevice(), true).transpose(0, 3, 1, 2);
                    }
                    in.setRequiresGradient(true);
                    NDArray w = nd.create(upstream, shape);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = k == 0 ? ScriptedOps.relu6(in) : previousRelu6(in);
                        values[k] = y.toFloatArray();
                        gc.backward(y.mul(w).sum());
                    }
                    gradients[k] = in.getGradient().toFloatArray();
                }
            }
            int between = 0;
            for (int i = 0; i < x.length; i++) {
                float expected = Math.min(Math.max(x[i], 0f), 6f);
                assertThat(values[0][i]).as("value %d", i).isEqualTo(expected);
                assertThat((double) values[1][i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6 * 6));
                // d/dx of sum(w * relu6(x)) is w where 0 < x < 6, else 0
                float dx = x[i] > 0 && x[i] < 6 ? upstream[i] : 0f;
                assertThat(gradients[0][i]).as("gradient %d", i).isEqualTo(dx);
                assertThat(gradients[0][i]).as("gradient %d against the previous formulation", i)
                        .isEqualTo(gradients[1][i]);
                between += x[i] > 0 && x[i] < 6 ? 1 : 0;
            }
            assertThat(between).as("inputs on every side").isBetween(x.length / 4, x.length * 3 / 4);
        }
    }

    /**
     * At exactly 0 and 6 the gradient is 0, as PyTorch's nn.ReLU6 (hardtanh_backward masks 0 < x < 6); the previous
     * formulation gave 1 at 6. The only difference between the two, on a set of measure zero.
     */
    @Test
    void inPlaceItIsTheClampWrittenOverItsInputInEitherLayout() {
        Shape shape = new Shape(2, 16, 7, 7);
        float[] x = inputs((int) shape.size(), 3);
        for (boolean channelsLast : new boolean[] {false, true}) {
            try (NDManager nd = NDManager.newBaseManager()) {
                NDArray in = nd.create(x, shape);
                if (channelsLast) {
                    in = in.transpose(0, 2, 3, 1).toDevice(in.getDevice(), true).transpose(0, 3, 1, 2);
                }
                float[] clamped = in.clip(0, 6).toFloatArray();
                NDArray out = ScriptedOps.relu6InPlace(in);
                // the clamp's values, exactly, and written over the input (its own values are now the result)
                assertThat(out.toFloatArray()).containsExactly(clamped);
                assertThat(in.toFloatArray()).containsExactly(clamped);
                assertThat(out.getShape()).isEqualTo(shape);
            }
        }
    }

    @Test
    void atTheKinksTheGradientIsPyTorchs() {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray in = nd.create(new float[] {-1f, 0f, 3f, 6f, 7f});
            in.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = ScriptedOps.relu6(in);
                assertThat(y.toFloatArray()).containsExactly(0f, 0f, 3f, 6f, 6f);
                gc.backward(y.sum());
            }
            assertThat(in.getGradient().toFloatArray()).containsExactly(0f, 0f, 1f, 0f, 0f);
        }
    }
}
