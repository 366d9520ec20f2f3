package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ResNet's residual addition in place (issue 33: torchvision's {@code out += identity}) on the last batch norm's
 * output, in training: autograd gives the gradients of the out-of-place addition it replaced, exactly (batch norm
 * keeps its input for its backward, not its output, and the addition's backward needs neither), for the batch
 * norm's input, weight and bias and for the shortcut; and the forward values are the same.
 */
class InPlaceResidualTest {
    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** relu(bn(x) + shortcut) as ResNet's residual block ends, then sum(w * out); the gradients it gives. */
    private static float[][] gradients(boolean inPlace) {
        Shape shape = new Shape(4, 6, 5, 5);
        int n = (int) shape.size();
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray x = nd.create(gaussian(n, 1), shape);
            NDArray shortcut = nd.create(gaussian(n, 2), shape);
            NDArray gamma = nd.create(gaussian(6, 3)).add(2f);
            NDArray beta = nd.create(gaussian(6, 4));
            NDArray w = nd.create(gaussian(n, 5), shape);
            for (NDArray a : new NDArray[] {x, shortcut, gamma, beta}) {
                a.setRequiresGradient(true);
            }
            float[] out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray h = BatchNorm.batchNorm(x, nd.zeros(new Shape(6)), nd.ones(new Shape(6)), gamma, beta, -1,
                        0.9f, 1e-5f, true).singletonOrThrow();
                NDArray sum = inPlace ? h.addi(shortcut) : h.add(shortcut);
                NDArray y = Activation.relu(sum);
                out = y.toFloatArray();
                gc.backward(y.mul(w).sum());
            }
            return new float[][] {out, x.getGradient().toFloatArray(), shortcut.getGradient().toFloatArray(),
                gamma.getGradient().toFloatArray(), beta.getGradient().toFloatArray()};
        }
    }

    @Test
    void theInPlaceAdditionAfterBatchNormGivesTheSameValuesAndGradients() {
        float[][] inPlace = gradients(true);
        float[][] outOfPlace = gradients(false);
        String[] what = {"output", "d/d input", "d/d shortcut", "d/d weight", "d/d bias"};
        for (int k = 0; k < what.length; k++) {
            assertThat(inPlace[k]).as(what[k]).containsExactly(outOfPlace[k]);
        }
        // the gradients are not trivially zero: about half the outputs pass the ReLU
        double norm = 0;
        for (float v : inPlace[1]) {
            norm += Math.abs(v);
        }
        assertThat(norm).isPositive();
    }
}
