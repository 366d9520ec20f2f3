package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * The ResNets as torchvision builds them, with torchvision's keys: {@code conv1}, {@code bn1}, {@code
 * layerI.J.convK}, {@code layerI.J.bnK}, {@code layerI.0.downsample.0/1}, {@code fc}. BN eps 1e-5. Two residual
 * blocks: {@link Block#BASIC} (resnet18: two 3x3 convs) and {@link Block#BOTTLENECK} (resnet50: 1x1, 3x3, 1x1,
 * output 4x the width; v1.5, the stride of a down-sampling bottleneck on its 3x3 conv, not the first 1x1).
 *
 * <p>The paper's <em>slim</em> variant keeps the stem, layer1 and layer2 as they are (the part that is
 * transfused from ImageNet) and rebuilds layer3 and layer4 with half the channels; it is the same network with
 * other stage widths, so its keys are the full model's keys with smaller shapes above layer2.
 *
 * <p>Probe layers: {@code conv1} (after the ReLU, before the max-pool), every residual block {@code layerI.J} but
 * the last of its stage, whose output is the stage's and is probed once, as {@code layerI}, and {@code pool}
 * (resnet18: conv1, layer1.0, layer1, layer2.0, layer2, ..., layer4.0, layer4, pool). Blocks for transfusion:
 * {@code conv1} (conv1 + bn1), {@code layer1..layer4}, {@code fc}.
 */
public final class ResNet extends Architecture implements Encoder {
    /** Width (channels of a block's inner convolutions) of each stage. */
    public static final int[] WIDTHS = {64, 128, 256, 512};
    /** The slim model: layer3 and layer4 at half width. */
    public static final int[] SLIM_WIDTHS = {64, 128, 128, 256};
    private static final float EPS = 1e-5f;

    /** A residual block: the kernels of its convolutions, which one strides, and output channels per width. */
    public enum Block {
        BASIC(new int[] {3, 3}, 0, 1),
        BOTTLENECK(new int[] {1, 3, 1}, 1, 4);

        private final int[] kernels;
        private final int strided;
        private final int expansion;

        Block(int[] kernels, int strided, int expansion) {
            this.kernels = kernels;
            this.strided = strided;
            this.expansion = expansion;
        }
    }

    private final boolean slim;
    private final Stem stem;
    private final List<List<Residual>> stages = new ArrayList<>();
    private final Fc fc;
    private final List<String> layers = new ArrayList<>();
    private final List<Scale> scales = new ArrayList<>();

    private ResNet(String name, int inputChannels, int outputs, Block kind, int[] depths, boolean slim) {
        super(name, inputChannels, outputs);
        this.slim = slim;
        int[] widths = slim ? SLIM_WIDTHS : WIDTHS;
        block("conv1");
        stem = stem("conv1", "conv1", "bn1", 64);
        layers.add("conv1");
        scales.add(new Scale("conv1", 64, 2));
        int in = 64;
        for (int s = 0; s < 4; s++) {
            String stage = "layer" + (s + 1);
            block(stage);
            List<Residual> blocks = new ArrayList<>();
            for (int j = 0; j < depths[s]; j++) {
                int stride = s > 0 && j == 0 ? 2 : 1;
                Residual b = residual(kind, stage + "." + j, in, widths[s], stride);
                blocks.add(b);
                // The last block's output is the stage's: probed once, by the stage's name.
                layers.add(j < depths[s] - 1 ? b.name : stage);
                in = widths[s] * kind.expansion;
            }
            scales.add(new Scale(stage, in, 4 << s));
            stages.add(blocks);
        }
        layers.add("pool");
        block("fc");
        fc = linear("fc", in, outputs);
    }

    public static ResNet resnet18(int inputChannels, int outputs) {
        return new ResNet("resnet18", inputChannels, outputs, Block.BASIC, new int[] {2, 2, 2, 2}, false);
    }

    public static ResNet resnet18Slim(int inputChannels, int outputs) {
        return new ResNet("resnet18-slim", inputChannels, outputs, Block.BASIC, new int[] {2, 2, 2, 2}, true);
    }

    public static ResNet resnet50(int inputChannels, int outputs) {
        return new ResNet("resnet50", inputChannels, outputs, Block.BOTTLENECK, new int[] {3, 4, 6, 3}, false);
    }

    public static ResNet resnet50Slim(int inputChannels, int outputs) {
        return new ResNet("resnet50-slim", inputChannels, outputs, Block.BOTTLENECK, new int[] {3, 4, 6, 3}, true);
    }

    /** The i-th conv and BN of a block's main path ({@code convI+1}, {@code bnI+1}). */
    private record ConvBn(Conv conv, Bn bn) {}

    /** A residual block: its main path, and the projection of the shortcut (null when it is the identity). */
    private record Residual(String name, List<ConvBn> path, Conv downConv, Bn downBn) {}

    private Residual residual(Block kind, String p, int in, int width, int stride) {
        int out = width * kind.expansion;
        List<ConvBn> path = new ArrayList<>();
        int from = in;
        for (int i = 0; i < kind.kernels.length; i++) {
            int k = kind.kernels[i];
            int to = i == kind.kernels.length - 1 ? out : width;
            Conv c = conv(p + ".conv" + (i + 1), from, to, k, i == kind.strided ? stride : 1, k / 2, 1, false);
            path.add(new ConvBn(c, bn(p + ".bn" + (i + 1), to, EPS)));
            from = to;
        }
        Conv dc = null;
        Bn db = null;
        // The shortcut needs a projection whenever the map shrinks or the channel count changes.
        if (stride != 1 || in != out) {
            dc = conv(p + ".downsample.0", in, out, 1, stride, 0, 1, false);
            db = bn(p + ".downsample.1", out, EPS);
        }
        return new Residual(p, path, dc, db);
    }

    @Override
    public String slimBoundary() {
        return slim ? "layer2" : null;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // torchvision accepts any size (its strided convs pad, so a map never shrinks below 1x1), but below 32 px
        // the five halvings (conv1, max-pool, layer2..4) would run the upper stages on 1x1 maps of padding.
        return 32;
    }

    @Override
    public String classifierPrefix() {
        return "fc";
    }

    @Override
    public String firstConvPrefix() {
        return "conv1";
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        NDArray h = features(p, x, training, taps, null);
        NDArray pooled = taps.at("pool", free(h, Pool.globalAvgPool2d(h)));
        return free(pooled, fc.apply(p, pooled));
    }

    /** Scales: conv1 (after the ReLU, stride 2), layer1..layer4 (strides 4..32). */
    @Override
    public List<Scale> scales() {
        return List.copyOf(scales);
    }

    @Override
    public List<NDArray> encode(Params p, NDArray x, boolean training, Taps taps) {
        List<NDArray> kept = new ArrayList<>();
        features(p, x, training, taps, kept);
        return kept;
    }

    /**
     * The stem and the four stages: layer4's map. With {@code kept} non-null, the map of each scale is added to it
     * and kept open (the encoder); with null, every intermediate is closed as soon as the next exists
     * (Architecture.free). The input is the caller's.
     */
    private NDArray features(Params p, NDArray x, boolean training, Taps taps, List<NDArray> kept) {
        NDArray h = stem.apply(p, x, training, taps, kept);
        for (List<Residual> stage : stages) {
            for (int j = 0; j < stage.size(); j++) {
                Residual b = stage.get(j);
                String layer = j < stage.size() - 1 ? b.name : b.name.substring(0, b.name.indexOf('.'));
                h = taps.at(layer, free(h, residual(p, b, h, training), null, kept));
            }
            if (kept != null) {
                kept.add(h);
            }
        }
        return h;
    }

    /**
     * One residual block: conv-BN-ReLU along the path, the last BN without ReLU (it is added to the shortcut
     * first); closes its intermediates, not its input {@code x}.
     */
    private static NDArray residual(Params p, Residual b, NDArray x, boolean training) {
        NDArray h = x;
        List<ConvBn> path = b.path;
        for (int i = 0; i < path.size(); i++) {
            ConvBn step = path.get(i);
            NDArray c = free(h, step.conv.apply(p, h), x);
            h = free(c, i < path.size() - 1 ? step.bn.applyRelu(p, c, training) : step.bn.apply(p, c, training));
        }
        NDArray shortcut = x;
        if (b.downConv != null) {
            NDArray d = b.downConv.apply(p, x);
            shortcut = free(d, b.downBn.apply(p, d, training));
        }
        // in place, as torchvision's out += identity: the last BN's output is not kept for its backward (batch norm
        // saves its input), so the addition may overwrite it, one pass and one allocation fewer
        NDArray sum = free(shortcut, h.addi(shortcut), x);
        return free(sum, Activation.relu(sum));
    }
}
