package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.error.BadInputException;

/**
 * Convolutions on tiny feature maps computed as the matrix products they are. libtorch 2.7.1's oneDNN
 * convolution is slow there: at 28 px input, resnet50's last stage runs on 1x1 maps and mobilenet-v2's on 1x1 and
 * 2x2, where a 1x1 convolution of batch 64 took 2.1 ms forward and 11 ms forward + backward (2048 to 512
 * channels) against 1.3 and 4.7 ms as a matrix product through {@code linear}; a depthwise 3x3 convolution on a
 * 1x1 map (which only ever reads its centre tap) cost 1.4 ms backward for what is an element-wise product.
 *
 * <p>Two exact rewrites, each used only where it measured faster (see docs/speed.md and bench/README.md):
 * <ul>
 *   <li><b>pointwise</b>: a 1x1 kernel without padding and a single group is a product of the (N*H*W, C) pixel
 *       matrix with the (out, C) weight; taken when the output has one pixel, or, when training, at most four
 *       pixels while batches are channels-last (then the pixel matrix is a view, no copy). oneDNN's backward is
 *       the slow part: on 2x2 maps its forward alone is as fast as the product, and in inference it won
 *       (mobilenet-v2 at 64 px: 1,730 img/s with the convolution, 1,445 with the product);</li>
 *   <li><b>single window</b>: when the output has one pixel, it is the dot product of the input (which lies in
 *       one window of the kernel) with the taps that window covers; dense ({@code groups == 1}) through
 *       {@code linear}, depthwise as an element-wise product and a sum.</li>
 * </ul>
 * Both give the same values and gradients as the convolution up to float rounding (tested against libtorch's
 * convolution); the weights keep their (out, in/groups, kh, kw) shape, so state dicts are unaffected.
 */
public final class SmallMapConv {
    /** Output pixels up to which a channels-last pointwise convolution is done as a matrix product in training. */
    static final int POINTWISE_MAX_PIXELS = 4;

    /**
     * How 1x1 convolutions (no padding, one group) that no other rule rewrites are computed. {@code MATMUL}: all
     * of them as the matrix product they are. The others use libtorch's convolution (measured faster: resnet50 64 px
     * training 125 vs 94 img/s on an AMD EPYC family 26 with libtorch's MKL products) and differ in the channel
     * pairs that crash oneDNN on some CPUs ({@link #crashesOneDnn}): {@code ONEDNN} always splits them ({@link
     * #convolve}), {@code NATIVE} never does, {@code AUTO} (the default) splits them only where {@link OneDnnProbe}
     * finds this machine needs it — the split costs resnet50 2-3% where oneDNN is fine. Chosen by {@code
     * -Dtransfusion.conv1x1} or {@code TRANSFUSION_CONV1X1} ({@code matmul}, {@code onednn}, {@code native},
     * {@code auto}), read once (every convolution of every step asks).
     */
    public enum Conv1x1 {
        MATMUL, ONEDNN, NATIVE, AUTO;

        static final Conv1x1 DEFAULT = AUTO;

        private static volatile Conv1x1 chosen;

        /** The policy of this process ({@code -Dtransfusion.conv1x1} or {@code TRANSFUSION_CONV1X1}), read once. */
        public static Conv1x1 chosen() {
            Conv1x1 c = chosen;
            if (c == null) {
                c = parse(System.getProperty("transfusion.conv1x1", System.getenv("TRANSFUSION_CONV1X1")));
                chosen = c;
            }
            return c;
        }

        static Conv1x1 parse(String value) {
            if (value == null || value.isBlank()) {
                return DEFAULT;
            }
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "matmul" -> MATMUL;
                case "onednn" -> ONEDNN;
                case "native" -> NATIVE;
                case "auto" -> AUTO;
                default -> throw new BadInputException("transfusion.conv1x1 (TRANSFUSION_CONV1X1) is '" + value
                        + "'; expected auto, onednn, native or matmul");
            };
        }

        /** As run.json records it: {@code auto}, {@code onednn}, {@code native} or {@code matmul}. */
        public String setting() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether the crashing channel pairs are split: asks the probe (once per process) only under AUTO. */
        boolean splitsCrashingPairs() {
            return this == ONEDNN || (this == AUTO && OneDnnProbe.hazardous());
        }
    }

    /**
     * The convolution of {@code x} with {@code w}: a small-map rewrite where one applies ({@link #apply}), otherwise
     * libtorch's convolution — split over slices of the output channels, joined again, when oneDNN would see one
     * of the channel pairs that crash it ({@link #crashesOneDnn}) and the policy says this machine needs it.
     */
    static NDArray convolve(NDArray x, NDArray w, NDArray bias, Shape stride, Shape padding, int groups) {
        return convolve(x, w, bias, stride, padding, groups, Conv1x1.chosen());
    }

    /** {@link #convolve(NDArray, NDArray, NDArray, Shape, Shape, int)} under a given 1x1 policy. */
    static NDArray convolve(NDArray x, NDArray w, NDArray bias, Shape stride, Shape padding, int groups,
                            Conv1x1 policy) {
        NDArray small = apply(x, w, bias, stride, padding, groups,
                BatchArrays.defaultFormat() == BatchArrays.MemoryFormat.CHANNELS_LAST, JniUtils.isGradMode(), policy);
        if (small != null) {
            return small;
        }
        Shape ws = w.getShape();
        long first = ws.get(2) == 1 && ws.get(3) == 1 && groups == 1 && crashesOneDnn(ws.get(1), ws.get(0))
                && policy.splitsCrashingPairs() ? oneDnnSafeSplit(ws.get(1), ws.get(0)) : 0;
        if (first == 0) {
            return Conv2d.conv2d(x, w, bias, stride, padding, new Shape(1, 1), groups).singletonOrThrow();
        }
        // One split op, not two slices: a slice's backward fills a zero gradient of the whole weight per slice (12M
        // parameters of resnet50, every step), a split's backward concatenates the two slices' gradients once.
        NDList weights = w.split(new long[] {first}, 0);
        NDList biases = bias == null ? null : bias.split(new long[] {first}, 0);
        NDList pieces = new NDList(2);
        for (int i = 0; i < 2; i++) {
            NDArray wi = local(weights.get(i), x);
            NDArray bi = biases == null ? null : local(biases.get(i), x);
            pieces.add(Conv2d.conv2d(x, wi, bi, stride, padding, new Shape(1, 1), 1).singletonOrThrow());
        }
        NDArray y = NDArrays.concat(pieces, 1);
        pieces.close();
        return y;
    }

    /**
     * Where to cut the {@code out} channels of a 1x1 convolution from {@code in} channels into two convolutions so
     * that neither is a pair oneDNN crashes on: 0 (no cut) for every other shape; otherwise the multiple of 64
     * nearest to the middle for which both parts are safe (1024 -> 2048: 1024 + 1024; 1024 -> 512: 192 + 320, since
     * 1024/256 is itself such a pair; 512 -> 2048: 960 + 1088). Two parts, not more: each slice of the weight gets a
     * full-size gradient buffer in the backward pass.
     */
    static long oneDnnSafeSplit(long in, long out) {
        if (!crashesOneDnn(in, out)) {
            return 0;
        }
        for (long first = out / 2 / 64 * 64; first >= 64; first -= 64) {
            if (!crashesOneDnn(in, first) && !crashesOneDnn(in, out - first)) {
                return first;
            }
        }
        throw new IllegalStateException("no safe split of a 1x1 convolution " + in + " -> " + out);
    }

    /**
     * The 1x1 convolutions that can abort the process inside oneDNN 3.7 (libtorch 2.7.1): its brgemm 1x1 blocking
     * heuristic ({@code brg_blocking_t::est_eff_1x1}, forward and backward-data) has a "maskrcnn workaround" for
     * exactly these input/output channel pairs that divides two integers, {@code div_up(M + M_tail, 16) /
     * (M_n_sp_blks + M_tail_n_sp_blks)}, evaluated even on CPUs without AMX. The divisor is zero when the brgemm
     * row block chosen for the kernel exceeds the spatial block, which happens when the CPU reports a per-core L1
     * too small for any row block to fit (the block then stays at its register maximum) — as the AMD EPYC family
     * 26 VMs that crashed report their caches. Other channel pairs take a float division there (no trap). The
     * backward pass swaps the roles, so both orders are listed. These shapes are resnet50's (and densenet121's
     * transition 1024 -> 512) 1x1 convolutions in its last two stages.
     */
    static boolean crashesOneDnn(long in, long out) {
        return pair(in, out, 1024, 2048) || pair(in, out, 1024, 512) || pair(in, out, 256, 1024)
                || pair(in, out, 512, 1024) || pair(in, out, 512, 2048);
    }

    private static boolean pair(long in, long out, long a, long b) {
        return (in == a && out == b) || (in == b && out == a);
    }

    private SmallMapConv() {}

    /**
     * The convolution of {@code x} (N, C, H, W) with {@code w} (out, C/groups, kh, kw), or null when neither
     * rewrite applies (the caller then runs the ordinary convolution).
     */
    static NDArray apply(NDArray x, NDArray w, NDArray bias, Shape stride, Shape padding, int groups) {
        return apply(x, w, bias, stride, padding, groups,
                BatchArrays.defaultFormat() == BatchArrays.MemoryFormat.CHANNELS_LAST, JniUtils.isGradMode());
    }

    /**
     * {@link #apply}, with the batches' layout ({@code channelsLast}) and whether a backward pass will follow
     * ({@code training}: autograd is recording) given.
     */
    static NDArray apply(NDArray x, NDArray w, NDArray bias, Shape stride, Shape padding, int groups,
                         boolean channelsLast, boolean training) {
        return apply(x, w, bias, stride, padding, groups, channelsLast, training, Conv1x1.chosen());
    }

    /** {@link #apply(NDArray, NDArray, NDArray, Shape, Shape, int, boolean, boolean)} under a given 1x1 policy. */
    static NDArray apply(NDArray x, NDArray w, NDArray bias, Shape stride, Shape padding, int groups,
                         boolean channelsLast, boolean training, Conv1x1 policy) {
        Shape xs = x.getShape();
        Shape ws = w.getShape();
        if (xs.dimension() != 4 || ws.dimension() != 4) {
            return null;
        }
        long n = xs.get(0);
        long c = xs.get(1);
        long h = xs.get(2);
        long wd = xs.get(3);
        long out = ws.get(0);
        long kh = ws.get(2);
        long kw = ws.get(3);
        long sh = stride.get(0);
        long sw = stride.get(1);
        long ph = padding.get(0);
        long pw = padding.get(1);
        long ho = (h + 2 * ph - kh) / sh + 1;
        long wo = (wd + 2 * pw - kw) / sw + 1;
        if (ho < 1 || wo < 1) {
            return null;
        }
        if (kh == 1 && kw == 1 && ph == 0 && pw == 0 && groups == 1
                && (policy == Conv1x1.MATMUL || ho * wo == 1
                    || (training && channelsLast && ho * wo <= POINTWISE_MAX_PIXELS))) {
            return pointwise(x, w, bias, n, c, out, ho, wo, sh, sw, channelsLast);
        }
        if (ho == 1 && wo == 1 && ph < kh && pw < kw) {
            boolean depthwise = groups == c && ws.get(1) == 1 && out == c;
            if (groups == 1 || depthwise) {
                return singleWindow(x, w, bias, n, c, out, h, wd, kh, kw, ph, pw, depthwise);
            }
        }
        return null;
    }

    /**
     * Moves an array derived from a parameter (a view or a copy of a weight) to the manager of the input {@code x},
     * the caller's per-step manager. DJL attaches an op's result to its first operand's manager, which for a
     * weight is the network's: without this every step would leave its weight views and copies there (measured:
     * resident memory grew by 4 MB per resnet50 inference step at 28 px).
     */
    private static NDArray local(NDArray derived, NDArray x) {
        derived.attach(x.getManager());
        return derived;
    }

    private static NDArray pointwise(NDArray x, NDArray w, NDArray bias, long n, long c, long out, long ho, long wo,
                                     long sh, long sw, boolean channelsLast) {
        NDArray sampled = sh == 1 && sw == 1 ? x : x.get(":, :, ::" + sh + ", ::" + sw);
        if (channelsLast || ho * wo == 1) {
            // (N, C, H, W) -> (N, H, W, C): a view of channels-last memory, so the reshape copies nothing.
            NDArray pixels = sampled.transpose(0, 2, 3, 1).reshape(n * ho * wo, c);
            NDArray y = Linear.linear(pixels, local(w.reshape(out, c), x), bias).singletonOrThrow();
            return y.reshape(n, ho, wo, out).transpose(0, 3, 1, 2);
        }
        // Contiguous batches: (out, C) x (N, C, H*W) -> (N, out, H*W), a batched product over views of both.
        NDArray y = local(w.reshape(out, c), x).matMul(sampled.reshape(n, c, ho * wo));
        if (bias != null) {
            y = y.add(local(bias.reshape(out, 1), x));
        }
        return y.reshape(n, out, ho, wo);
    }

    private static NDArray singleWindow(NDArray x, NDArray w, NDArray bias, long n, long c, long out, long h,
                                        long wd, long kh, long kw, long ph, long pw, boolean depthwise) {
        // The one output pixel's window starts at (-ph, -pw): input rows [0, rows) meet kernel rows [ph, ph + rows).
        long rows = Math.min(h, kh - ph);
        long cols = Math.min(wd, kw - pw);
        NDArray in = rows == h && cols == wd ? x : x.get(":, :, 0:" + rows + ", 0:" + cols);
        NDArray taps = rows == kh && cols == kw ? w
                : local(w.get(":, :, " + ph + ":" + (ph + rows) + ", " + pw + ":" + (pw + cols)), x);
        if (depthwise) {
            NDArray y = in.mul(local(taps.reshape(1, c, rows, cols), x)).sum(new int[] {2, 3}, true);
            return bias == null ? y : y.add(local(bias.reshape(1, c, 1, 1), x));
        }
        // Flatten both in (row, column, channel) order so that channels-last input is flattened as a view.
        NDArray flat = in.transpose(0, 2, 3, 1).reshape(n, rows * cols * c);
        NDArray wflat = local(taps.transpose(0, 2, 3, 1), x).reshape(out, rows * cols * c);
        return Linear.linear(flat, wflat, bias).singletonOrThrow().reshape(n, out, 1, 1);
    }
}
