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
 * Tolerance: float32 rounding of sums over up to 1,024 products in a different order (relative 1e-5 of the largest
 * value; the sums here are O(sqrt(1024)) while the rounding error of each is O(1024 * 6e-8)).
 */
class SmallMapConvTest {

    /**
     * in, out, input size, kernel, stride, padding, groups (0 = depthwise), channels-last, expect a rewrite,
     * training (autograd recording; the gradients are checked either way).
     */
    private record Case(int in, int out, int size, int k, int s, int p, int groups, boolean cl, boolean rewrites,
                        boolean training, SmallMapConv.Conv1x1 policy) {
        Case(int in, int out, int size, int k, int s, int p, int groups, boolean cl, boolean rewrites) {
            this(in, out, size, k, s, p, groups, cl, rewrites, true, SmallMapConv.Conv1x1.ONEDNN);
        }

        Case(int in, int out, int size, int k, int s, int p, int groups, boolean cl, boolean rewrites,
             boolean training) {
            this(in, out, size, k, s, p, groups, cl, rewrites, training, SmallMapConv.Conv1x1.ONEDNN);
        }
    }

    private static final SmallMapConv.Conv1x1 MATMUL = SmallMapConv.Conv1x1.MATMUL;

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
        // Every 1x1 as a matrix product (the default policy), in both layouts, training and inference:
        new Case(24, 40, 5, 1, 1, 0, 1, true, true, true, MATMUL),
        new Case(24, 40, 5, 1, 1, 0, 1, false, true, true, MATMUL),   // contiguous: batched (out,C)x(C,HW)
        new Case(24, 40, 5, 1, 1, 0, 1, false, true, false, MATMUL),
        new Case(24, 40, 7, 1, 2, 0, 1, false, true, true, MATMUL),   // stride 2 on an odd map, contiguous
        new Case(24, 40, 7, 1, 2, 0, 1, true, true, true, MATMUL),
        new Case(24, 40, 5, 1, 1, 1, 1, true, false, true, MATMUL),   // padded 1x1: not a pure product
        new Case(24, 40, 5, 3, 1, 1, 1, true, false, true, MATMUL),   // 3x3 on 5x5: convolution under any policy
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

    /**
     * The 1x1 channel pairs that crash oneDNN 3.7 are never handed to it whole: {@link SmallMapConv#convolve} cuts
     * them into two convolutions of safe pairs. Checked against a reference that never runs oneDNN's 1x1 kernel
     * (it would be the thing under test, and crashes on the CPUs this guards): the 1x1 convolution written out
     * here as the product of the (N*H*W, C) pixel matrix and the (out, C) weight, by plain Java loops over the
     * values read back from libtorch.
     */
    @Test
    void crashingPairsAreSplitAndStillExact() {
        assertThat(SmallMapConv.oneDnnSafeSplit(1024, 2048)).isEqualTo(1024);
        assertThat(SmallMapConv.oneDnnSafeSplit(1024, 512)).isEqualTo(192); // 256 + 256: 1024/256 crashes too
        assertThat(SmallMapConv.oneDnnSafeSplit(512, 2048)).isEqualTo(960); // 1024 + 1024: 512/1024 crashes too
        assertThat(SmallMapConv.oneDnnSafeSplit(2048, 512)).isEqualTo(256); // the backward pass's order
        assertThat(SmallMapConv.oneDnnSafeSplit(256, 1000)).isZero();
        assertThat(SmallMapConv.oneDnnSafeSplit(64, 256)).isZero();
        for (int[] pair : new int[][] {{1024, 2048}, {1024, 512}, {256, 1024}, {512, 1024}, {512, 2048}}) {
            for (int[] p : new int[][] {pair, {pair[1], pair[0]}}) {
                long first = SmallMapConv.oneDnnSafeSplit(p[0], p[1]);
                assertThat(first).as("%d -> %d", p[0], p[1]).isPositive();
                assertThat(SmallMapConv.crashesOneDnn(p[0], first)).isFalse();
                assertThat(SmallMapConv.crashesOneDnn(p[0], p[1] - first)).isFalse();
            }
        }
        Random r = new Random(7);
        int n = 2;
        int size = 3;
        for (int[] p : new int[][] {{256, 1024}, {1024, 512}}) {
            int in = p[0];
            int out = p[1];
            float[] xs = normal(r, n * in * size * size);
            float[] ws = normal(r, out * in);
            float[] bs = normal(r, out);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = layout(m, xs, new Shape(n, in, size, size), true);
                NDArray w = m.create(ws, new Shape(out, in, 1, 1));
                NDArray b = m.create(bs);
                float[] y = SmallMapConv.convolve(x, w, b, new Shape(1, 1), new Shape(0, 0), 1,
                        SmallMapConv.Conv1x1.ONEDNN).toFloatArray();
                float[] want = new float[n * out * size * size];
                int hw = size * size;
                for (int i = 0; i < n; i++) {
                    for (int o = 0; o < out; o++) {
                        for (int q = 0; q < hw; q++) {
                            double sum = bs[o];
                            for (int c = 0; c < in; c++) {
                                sum += (double) ws[o * in + c] * xs[(i * in + c) * hw + q];
                            }
                            want[(i * out + o) * hw + q] = (float) sum;
                        }
                    }
                }
                assertClose(y, want, in + " -> " + out + " split convolution");
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
                NDArray y = rewrite
                        ? SmallMapConv.apply(x, w, b, stride, padding, groups, c.cl(), c.training(), c.policy())
                        : null;
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
