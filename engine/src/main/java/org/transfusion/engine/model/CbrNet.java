package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * The paper's small CBR family: layers of conv (stride 1, "same" padding, no bias) -> batch-norm -> ReLU, each
 * followed by a 3x3 stride-2 max-pool (padded so the map halves, rounding up, as TensorFlow's SAME pooling the
 * paper used), except where the spec says none; then global average pooling and one linear classifier.
 *
 * <p>Keys: {@code layers.I.conv.weight}, {@code layers.I.bn.{weight,bias,running_mean,running_var}}, {@code
 * fc.{weight,bias}}. Probe layers {@code layer1..layerN} (after the ReLU, before the pool) and {@code pool}.
 * Blocks {@code layer1..layerN}, {@code fc}.
 */
public final class CbrNet extends Architecture implements Encoder {
    private final List<Architecture.Conv> convs = new ArrayList<>();
    private final List<Architecture.Bn> bns = new ArrayList<>();
    private final boolean[] poolAfter;
    private final Architecture.Fc fc;
    private final List<String> layers = new ArrayList<>();
    private final String slimBoundary;
    private final int[] widths;
    private final int kernel;

    /**
     * @param widths       output channels of each layer
     * @param kernel       square kernel size of every conv (odd)
     * @param poolAfter    whether a max-pool follows each layer
     */
    public CbrNet(String name, int inputChannels, int outputs, int[] widths, int kernel, boolean[] poolAfter) {
        this(name, inputChannels, outputs, widths, kernel, poolAfter, null);
    }

    /**
     * @param slimBoundary for a slim variant, the last layer kept at full width (see
     *                     {@link Architecture#slimBoundary()}); null for the full model
     */
    public CbrNet(String name, int inputChannels, int outputs, int[] widths, int kernel, boolean[] poolAfter,
                  String slimBoundary) {
        super(name, inputChannels, outputs);
        this.slimBoundary = slimBoundary;
        this.widths = widths.clone();
        this.kernel = kernel;
        this.poolAfter = poolAfter.clone();
        int in = inputChannels;
        for (int i = 0; i < widths.length; i++) {
            block("layer" + (i + 1));
            convs.add(conv("layers." + i + ".conv", in, widths[i], kernel, 1, kernel / 2, 1, false));
            bns.add(bn("layers." + i + ".bn", widths[i], 1e-5f));
            layers.add("layer" + (i + 1));
            in = widths[i];
        }
        layers.add("pool");
        block("fc");
        fc = linear("fc", in, outputs);
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        int pools = 0;
        for (boolean p : poolAfter) {
            pools += p ? 1 : 0;
        }
        // Each pool halves the map; below 2^pools the last layers would see a 1x1 map padded with zeros.
        return Math.max(8, 1 << pools);
    }

    int[] widths() {
        return widths.clone();
    }

    int kernel() {
        return kernel;
    }

    boolean[] poolAfter() {
        return poolAfter.clone();
    }

    @Override
    public String slimBoundary() {
        return slimBoundary;
    }

    /**
     * A width variant's channels: each layer's times {@code factor}, rounded, at least 1 (a width sweep at fixed
     * depth, issue 30.9).
     */
    static int[] scaled(int[] widths, double factor) {
        int[] out = new int[widths.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(1, (int) Math.round(widths[i] * factor));
        }
        return out;
    }

    /**
     * A depth variant's channels: the first {@code depth} layers of {@code widths}, then the last width repeated
     * (a depth sweep at fixed width, issue 30.9).
     */
    static int[] deepened(int[] widths, int depth) {
        int[] out = new int[depth];
        for (int i = 0; i < depth; i++) {
            out[i] = widths[Math.min(i, widths.length - 1)];
        }
        return out;
    }

    /**
     * A depth variant's pools: a pool after each of the first layers as many as the full model pools, none after
     * the layers it adds (so that the smallest input stays the full model's).
     */
    static boolean[] deepenedPools(boolean[] poolAfter, int depth) {
        int pools = 0;
        for (boolean p : poolAfter) {
            pools += p ? 1 : 0;
        }
        boolean[] out = new boolean[depth];
        for (int i = 0; i < depth; i++) {
            out[i] = i < pools;
        }
        return out;
    }

    /** The slim variant's widths: layers after the second at half width, as the paper's slim ResNet. */
    static int[] slim(int[] widths) {
        int[] out = widths.clone();
        for (int i = 2; i < out.length; i++) {
            out[i] = out[i] / 2;
        }
        return out;
    }

    @Override
    public String classifierPrefix() {
        return "fc";
    }

    @Override
    public String firstConvPrefix() {
        return "layers.0.conv";
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        NDArray h = features(p, x, training, taps, null);
        NDArray pooled = taps.at("pool", free(h, Pool.globalAvgPool2d(h), x));
        return free(pooled, fc.apply(p, pooled));
    }

    /**
     * Scales: each layer after its ReLU, before its pool ({@code layer1} at stride 1, each pool doubling the
     * stride of the layers after it).
     */
    @Override
    public List<Scale> scales() {
        List<Scale> out = new ArrayList<>();
        int stride = 1;
        for (int i = 0; i < widths.length; i++) {
            out.add(new Scale(layers.get(i), widths[i], stride));
            stride *= poolAfter[i] ? 2 : 1;
        }
        return out;
    }

    @Override
    public List<NDArray> encode(Params p, NDArray x, boolean training, Taps taps) {
        List<NDArray> kept = new ArrayList<>();
        features(p, x, training, taps, kept);
        return kept;
    }

    /**
     * The conv-BN-ReLU layers with their pools. With {@code kept} non-null (the encoder), each layer's map before
     * its pool is added to it and kept open, and the last layer's pool is left out (no scale reads it); with null,
     * each intermediate is closed as soon as the next exists (Architecture.free). The input is the caller's.
     */
    private NDArray features(Params p, NDArray x, boolean training, Taps taps, List<NDArray> kept) {
        NDArray h = x;
        for (int i = 0; i < convs.size(); i++) {
            NDArray c = free(h, convs.get(i).apply(p, h), x, kept);
            NDArray a = free(c, bns.get(i).applyRelu(p, c, training));
            a = taps.at(layers.get(i), a);
            if (kept != null) {
                kept.add(a);
                if (i == convs.size() - 1) {
                    return a;
                }
            }
            if (poolAfter[i]) {
                a = free(a, Pool.maxPool2d(a, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false), null, kept);
            }
            h = a;
        }
        return h;
    }
}
