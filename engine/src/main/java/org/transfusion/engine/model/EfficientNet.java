package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;
import org.transfusion.error.BadInputException;

/**
 * EfficientNet-B0 as timm builds it ({@code timm.create_model("efficientnet_b0")}), with timm's state-dict keys and
 * shapes, so that timm's published weights ({@code timm/efficientnet_b0.ra_in1k}) load unchanged (EfficientNetTest
 * compares the keys with timm's list and the forward pass with timm's logits):
 * <ul>
 * <li>{@code conv_stem} (3x3 stride 2, no bias) and {@code bn1}, SiLU;
 * <li>{@code blocks.0} .. {@code blocks.6}, the seven stages of mobile inverted bottlenecks. {@code blocks.0.0} is
 * timm's depthwise-separable block: {@code conv_dw} (depthwise), {@code bn1}, SiLU, squeeze-excitation
 * {@code se.conv_reduce}/{@code se.conv_expand}, {@code conv_pw} (1x1), {@code bn2} without activation. Every later
 * block is an inverted residual: {@code conv_pw} (1x1 expansion by 6), {@code bn1}, SiLU, {@code conv_dw}
 * (depthwise 3x3 or 5x5, the stage's stride on its first block), {@code bn2}, SiLU, squeeze-excitation,
 * {@code conv_pwl} (linear 1x1 projection), {@code bn3}; the shortcut is added when the stride is 1 and the channels
 * in and out are equal;
 * <li>{@code conv_head} (1x1 to 1280), {@code bn2}, SiLU, global average pooling and {@code classifier}.
 * </ul>
 * Squeeze-excitation: the map's mean per channel, a 1x1 conv with bias to a quarter of the block's input channels,
 * SiLU, a 1x1 conv with bias back, a sigmoid gate multiplying the map. Padding is symmetric, {@code k / 2}
 * (timm's default for efficientnet_b0; tf_efficientnet_b0 pads like TensorFlow's "same" and is not this model). BN
 * eps is PyTorch's 1e-5 (timm passes no eps for efficientnet_b0).
 *
 * <p>Width: timm's {@code round_channels} (the stem's 32, each stage's channels and the head's 1280 times the
 * multiplier, rounded to a multiple of 8 as {@link MobileNetV2#makeDivisible}); the expansion's channels are
 * rounded the same way, and the SE's reduced channels are Python's {@code round} of the expanded channels times
 * 0.25 / expansion, as timm computes them. Depth is B0's (no depth multiplier).
 *
 * <p>Regularisation: none, as timm's {@code create_model("efficientnet_b0")} builds it (drop_rate 0,
 * drop_path_rate 0; timm's comment recommends 0.2 and 0.2 for training from scratch, which a run here does not
 * apply). Training and evaluation differ only in BN's statistics.
 *
 * <p>Blocks (weight transfusion) and probed layers: {@code conv_stem}, {@code blocks.0} .. {@code blocks.6},
 * {@code conv_head}, then {@code pool} (probe) and {@code classifier} (block).
 */
public final class EfficientNet extends Architecture {
    /** B0's stages (timm's arch_def): repeats, depthwise kernel, first stride, expansion, output channels. */
    private static final int[][] STAGES = {
        {1, 3, 1, 1, 16}, {2, 3, 2, 6, 24}, {2, 5, 2, 6, 40}, {3, 3, 2, 6, 80}, {3, 5, 1, 6, 112}, {4, 5, 2, 6, 192},
        {1, 3, 1, 6, 320},
    };
    private static final int STEM = 32;
    private static final int HEAD = 1280;
    private static final double SE_RATIO = 0.25;
    private static final float EPS = 1e-5f;

    private final double width;
    private final ConvBn stem;
    private final List<List<Block>> stages = new ArrayList<>();
    private final ConvBn head;
    private final Fc classifier;
    private final List<String> layers = new ArrayList<>();

    public EfficientNet(String name, int inputChannels, int outputs, double width) {
        super(name, inputChannels, outputs);
        if (!(width > 0) || width > 4) {
            throw new BadInputException(name + " width must be in (0, 4], got " + width);
        }
        this.width = width;
        int in = MobileNetV2.makeDivisible(STEM * width);
        block("conv_stem");
        stem = new ConvBn(conv("conv_stem", inputChannels, in, 3, 2, 1, 1, false), bn("bn1", in, EPS), true);
        layers.add("conv_stem");
        for (int s = 0; s < STAGES.length; s++) {
            int[] row = STAGES[s];
            block("blocks." + s);
            List<Block> stage = new ArrayList<>();
            int out = MobileNetV2.makeDivisible(row[4] * width);
            for (int b = 0; b < row[0]; b++) {
                String n = "blocks." + s + "." + b;
                int stride = b == 0 ? row[2] : 1;
                stage.add(row[3] == 1 ? separable(n, in, out, row[1], stride) : inverted(n, in, out, row[1], stride,
                        row[3]));
                in = out;
            }
            stages.add(stage);
            layers.add("blocks." + s);
        }
        int last = MobileNetV2.makeDivisible(HEAD * width);
        block("conv_head");
        head = new ConvBn(conv("conv_head", in, last, 1, 1, 0, 1, false), bn("bn2", last, EPS), true);
        layers.add("conv_head");
        layers.add("pool");
        block("classifier");
        classifier = linear("classifier", last, outputs);
    }

    public double width() {
        return width;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // Five stride-2 steps (the stem, blocks.1, 2, 3 and 5): 32 px leaves the last stages a 1x1 map.
        return 32;
    }

    @Override
    public String classifierPrefix() {
        return "classifier";
    }

    @Override
    public String firstConvPrefix() {
        return "conv_stem";
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        NDArray h = taps.at("conv_stem", stem.apply(p, x, training));
        for (int s = 0; s < stages.size(); s++) {
            for (Block b : stages.get(s)) {
                h = free(h, b.apply(p, h, training));
            }
            h = taps.at("blocks." + s, h);
        }
        h = taps.at("conv_head", free(h, head.apply(p, h, training)));
        NDArray pooled = taps.at("pool", free(h, Pool.globalAvgPool2d(h)));
        return free(pooled, classifier.apply(p, pooled));
    }

    /** x * sigmoid(x); the sigmoid is freed at once. */
    static NDArray silu(NDArray x) {
        NDArray gate = Activation.sigmoid(x);
        return free(gate, x.mul(gate));
    }

    // ---- building blocks --------------------------------------------------------------------------------

    /** One block: its output from its input (which stays the caller's). */
    private interface Block {
        NDArray apply(Params p, NDArray x, boolean training);
    }

    /** A convolution, its BN and, when {@code act}, SiLU. */
    private record ConvBn(Conv conv, Bn bn, boolean act) {
        NDArray apply(Params p, NDArray x, boolean training) {
            NDArray c = conv.apply(p, x);
            NDArray b = free(c, bn.apply(p, c, training));
            return act ? free(b, silu(b)) : b;
        }
    }

    /** Squeeze-excitation over {@code channels} with {@code reduced} channels inside. */
    private record SqueezeExcite(Conv reduce, Conv expand) {
        NDArray apply(Params p, NDArray x) {
            NDArray pooled = Pool.globalAvgPool2d(x);
            NDArray m = free(pooled, pooled.reshape(pooled.getShape().get(0), pooled.getShape().get(1), 1, 1));
            NDArray r = free(m, reduce.apply(p, m));
            NDArray a = free(r, silu(r));
            NDArray e = free(a, expand.apply(p, a));
            NDArray gate = free(e, Activation.sigmoid(e));
            return free(gate, x.mul(gate));
        }
    }

    private SqueezeExcite squeezeExcite(String n, int channels, int reduced) {
        return new SqueezeExcite(conv(n + ".se.conv_reduce", channels, reduced, 1, 1, 0, 1, true),
                conv(n + ".se.conv_expand", reduced, channels, 1, 1, 0, 1, true));
    }

    /** timm's SE width: Python's round (half to even) of {@code channels * (0.25 / expansion)}. */
    static int seChannels(int channels, int expansion) {
        return (int) Math.rint(channels * (SE_RATIO / expansion));
    }

    /** timm's DepthwiseSeparableConv: depthwise, BN, SiLU, SE, 1x1, BN (no activation). */
    private Block separable(String n, int in, int out, int kernel, int stride) {
        ConvBn dw = new ConvBn(conv(n + ".conv_dw", in, in, kernel, stride, kernel / 2, in, false), bn(n + ".bn1", in,
                EPS), true);
        SqueezeExcite se = squeezeExcite(n, in, seChannels(in, 1));
        ConvBn pw = new ConvBn(conv(n + ".conv_pw", in, out, 1, 1, 0, 1, false), bn(n + ".bn2", out, EPS), false);
        return residual(stride == 1 && in == out, (p, x, training) -> {
            NDArray h = dw.apply(p, x, training);
            h = free(h, se.apply(p, h));
            return free(h, pw.apply(p, h, training));
        });
    }

    /** timm's InvertedResidual: 1x1 expansion, BN, SiLU, depthwise, BN, SiLU, SE, linear 1x1, BN. */
    private Block inverted(String n, int in, int out, int kernel, int stride, int expansion) {
        int mid = MobileNetV2.makeDivisible(in * (double) expansion);
        ConvBn pw = new ConvBn(conv(n + ".conv_pw", in, mid, 1, 1, 0, 1, false), bn(n + ".bn1", mid, EPS), true);
        ConvBn dw = new ConvBn(conv(n + ".conv_dw", mid, mid, kernel, stride, kernel / 2, mid, false),
                bn(n + ".bn2", mid, EPS), true);
        SqueezeExcite se = squeezeExcite(n, mid, seChannels(mid, expansion));
        ConvBn pwl = new ConvBn(conv(n + ".conv_pwl", mid, out, 1, 1, 0, 1, false), bn(n + ".bn3", out, EPS), false);
        return residual(stride == 1 && in == out, (p, x, training) -> {
            NDArray h = pw.apply(p, x, training);
            h = free(h, dw.apply(p, h, training));
            h = free(h, se.apply(p, h));
            return free(h, pwl.apply(p, h, training));
        });
    }

    /** {@code body}, plus its input when {@code skip}. */
    private static Block residual(boolean skip, Block body) {
        if (!skip) {
            return body;
        }
        return (p, x, training) -> {
            NDArray h = body.apply(p, x, training);
            return free(h, h.add(x));
        };
    }
}
