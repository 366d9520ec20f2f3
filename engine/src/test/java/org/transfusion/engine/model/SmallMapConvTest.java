package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The small-map rewrites must be invisible but for speed: the same output and the same gradients (input, weight,
 * bias) as libtorch's own convolution — the reference here — for every shape that takes them, in both layouts.
 * Tolerance: float32 rounding of sums over at most 9 * 64 products in a different order (relative 1e-5).
 */
class SmallMapConvTest {

    /**
     * in, out, input size, kernel, stride, padding, groups (0 = depthwise), channels-last, expect a rewrite,
     * training (autograd recording; the gradients are checked either way).
     */
    private record Case(int in, int out, int size, int k, int s, int p, int groups, boolean cl, boolean rewrites,
                        boolean training) {
        Case(int in, int out, int size, int k, int s, int p, int groups, boolean cl, boolean rewrites) {
            this(in, out, size, k, s, p, groups, cl, rewrites, true);
        }
    }

    private static final Case[] CASES = {
        new Case(64, 32, 1, 1, 1, 0, 1, true, true),      // pointwise on a 1x1 map (resnet50 layer4 at 28 px)
        new Case(64, 32, 1, 1, 1, 0, 1, false, true),     // 1x1 maps are both layouts
        new Case(48, 40, 2, 1, 2, 0, 1, true, true),      // the stride-2 downsample 2x2 -> 1x1
        new Case(24, 40, 2, 1, 1, 0, 1, true, true),      // 4 output pixels, channels-last
        new Case(24, 40, 2, 1, 1, 0, 1, false, false),    // ... but contiguous: libtorch's convolution
        new Case(24, 40, 2, 1, 1, 0, 1, true, false, false), // ... and in inference: libtorch's convolution
        new Case(24, 40, 4, 1, 2, 0, 1, true, true),      // 4x4 stride 2 -> 2x2
        new Case(24, 40, 3, 1, 1, 0, 1, true, false),     // 9 output pixels: convolution
        new Case(32, 16, 1, 3, 1, 1, 1, true, true),      // dense 3x3 on a 1x1 map: the centre tap
        new Case(32, 16, 2, 3, 2, 1, 1, true, true),      // dense 3x3 stride 2 on 2x2 (resnet50 layer4.0.conv2)
        new Case(16, 8, 3, 3, 3, 1, 1, true, true),       // 3x3 stride 3 on 3x3: the window misses input row 2
        new Case(32, 32, 1, 3, 1, 1, 0, true, true),      // depthwise 3x3 on 1x1 (mobilenet-v2's last stage)
        new Case(32, 32, 2, 3, 2, 1, 0, false, true),     // depthwise 3x3 stride 2 on 2x2
        new Case(32, 32, 2, 3, 1, 1, 0, true, false),     // depthwise on 2x2 -> 2x2: convolution
        new Case(16, 16, 1, 3, 1, 1, 4, true, false),     // grouped (neither dense nor depthwise): convolution
    };

    @Test
    void sameValuesAndGradientsAsLibtorchConvolution() {
        for (Case c : CASES) {
            for (boolean bias : new boolean[] {false, true}) {
                int groups = c.groups() == 0 ? c.in() : c.groups();
                Result ref = run(c, groups, bias, false);
                Result got = run(c, groups, bias, true);
                String what = c + " bias=" + bias;
                assertThat(got.rewritten).as(what + " takes the rewrite").isEqualTo(c.rewrites());
                assertThat(got.shape).as(what).isEqualTo(ref.shape);
                assertClose(got.y, ref.y, what + " output");
                assertClose(got.dx, ref.dx, what + " d input");
                assertClose(got.dw, ref.dw, what + " d weight");
                if (bias) {
                    assertClose(got.db, ref.db, what + " d bias");
                }
            }
        }
    }

    private record Result(boolean rewritten, Shape shape, float[] y, float[] dx, float[] dw, float[] db) {}

    private static Result run(Case c, int groups, boolean bias, boolean rewrite) {
        Random r = new Random(c.hashCode() + (bias ? 1 : 0));
        int n = 3;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = layout(m, normal(r, n * c.in() * c.size() * c.size()), new Shape(n, c.in(), c.size(), c.size()),
                    c.cl());
            NDArray w = layout(m, normal(r, c.out() * (c.in() / groups) * c.k() * c.k()),
                    new Shape(c.out(), c.in() / groups, c.k(), c.k()), c.cl());
            NDArray b = bias ? m.create(normal(r, c.out())) : null;
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            if (b != null) {
                b.setRequiresGradient(true);
            }
            Shape stride = new Shape(c.s(), c.s());
            Shape padding = new Shape(c.p(), c.p());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = rewrite ? SmallMapConv.apply(x, w, b, stride, padding, groups, c.cl(), c.training()) : null;
                boolean rewritten = y != null;
                if (y == null) {
                    y = Conv2d.conv2d(x, w, b, stride, padding, new Shape(1, 1), groups).singletonOrThrow();
                }
                // A loss whose gradient differs per output element, so every path back is checked.
                NDArray weights = m.create(normal(r, (int) y.size()), y.getShape());
                gc.backward(y.mul(weights).sum());
                return new Result(rewritten, y.getShape(), y.toFloatArray(), x.getGradient().toFloatArray(),
                        w.getGradient().toFloatArray(), b == null ? null : b.getGradient().toFloatArray());
            }
        }
    }

    /** An (N, C, H, W) array, either contiguous or a view of (N, H, W, C) memory, as {@code BatchArrays} builds it. */
    private static NDArray layout(NDManager m, float[] values, Shape nchw, boolean channelsLast) {
        if (!channelsLast) {
            return m.create(values, nchw);
        }
        float[] nhwc = Network.channelsLastOrder(values, nchw.getShape());
        return m.create(nhwc, new Shape(nchw.get(0), nchw.get(2), nchw.get(3), nchw.get(1))).transpose(0, 3, 1, 2);
    }

    private static float[] normal(Random r, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static void assertClose(float[] got, float[] want, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        double scale = 1e-6;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < got.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("%s [%d]: %s vs %s", what, i, got[i], want[i])
                    .isLessThanOrEqualTo(1e-5 * scale);
        }
    }
}
