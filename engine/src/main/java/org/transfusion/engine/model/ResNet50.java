package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * ResNet-50 as torchvision builds it (v1.5: the stride of a down-sampling bottleneck sits on its 3x3 conv, not
 * the first 1x1), with torchvision's keys: {@code conv1}, {@code bn1}, {@code layerI.J.conv1..3}, {@code
 * layerI.J.bn1..3}, {@code layerI.0.downsample.0/1}, {@code fc}. BN eps 1e-5.
 *
 * <p>The paper's <em>slim</em> variant keeps the stem, layer1 and layer2 as they are (the part that is
 * transfused from ImageNet) and rebuilds layer3 and layer4 with half the channels; it is the same class with
 * other stage widths, so its keys are resnet50's keys with smaller shapes above layer2.
 *
 * <p>Probe layers: {@code conv1} (after the ReLU, before the max-pool), every bottleneck {@code layerI.J},
 * {@code layer1..layer4} (the stage outputs, equal to their last bottleneck), and {@code pool}. Blocks for
 * transfusion: {@code conv1} (conv1 + bn1), {@code layer1..layer4}, {@code fc}.
 */
public final class ResNet50 extends Architecture {
    /** Bottleneck width of each stage; a stage outputs 4x its width. */
    public static final int[] WIDTHS = {64, 128, 256, 512};
    /** The slim model: layer3 and layer4 at half width (128/256, outputs 512/1024). */
    public static final int[] SLIM_WIDTHS = {64, 128, 128, 256};
    private static final int[] DEPTHS = {3, 4, 6, 3};
    private static final int EXPANSION = 4;
    private static final float EPS = 1e-5f;

    private final Conv conv1;
    private final Bn bn1;
    private final List<List<Bottleneck>> stages = new ArrayList<>();
    private final Fc fc;
    private final List<String> layers = new ArrayList<>();

    public ResNet50(String name, int inputChannels, int outputs, int[] widths) {
        super(name, inputChannels, outputs);
        block("conv1");
        conv1 = conv("conv1", inputChannels, 64, 7, 2, 3, 1, false);
        bn1 = bn("bn1", 64, EPS);
        layers.add("conv1");
        int in = 64;
        for (int s = 0; s < 4; s++) {
            String stage = "layer" + (s + 1);
            block(stage);
            List<Bottleneck> blocks = new ArrayList<>();
            for (int j = 0; j < DEPTHS[s]; j++) {
                int stride = s > 0 && j == 0 ? 2 : 1;
                Bottleneck b = bottleneck(stage + "." + j, in, widths[s], stride);
                blocks.add(b);
                layers.add(b.name);
                in = widths[s] * EXPANSION;
            }
            stages.add(blocks);
            layers.add(stage);
        }
        layers.add("pool");
        block("fc");
        fc = linear("fc", in, outputs);
    }

    public static ResNet50 standard(int inputChannels, int outputs) {
        return new ResNet50("resnet50", inputChannels, outputs, WIDTHS);
    }

    public static ResNet50 slim(int inputChannels, int outputs) {
        return new ResNet50("resnet50-slim", inputChannels, outputs, SLIM_WIDTHS);
    }

    private record Bottleneck(String name, Conv conv1, Bn bn1, Conv conv2, Bn bn2, Conv conv3, Bn bn3,
                              Conv downConv, Bn downBn) {}

    private Bottleneck bottleneck(String p, int in, int width, int stride) {
        int out = width * EXPANSION;
        Conv c1 = conv(p + ".conv1", in, width, 1, 1, 0, 1, false);
        Bn b1 = bn(p + ".bn1", width, EPS);
        Conv c2 = conv(p + ".conv2", width, width, 3, stride, 1, 1, false);
        Bn b2 = bn(p + ".bn2", width, EPS);
        Conv c3 = conv(p + ".conv3", width, out, 1, 1, 0, 1, false);
        Bn b3 = bn(p + ".bn3", out, EPS);
        Conv dc = null;
        Bn db = null;
        // The shortcut needs a projection whenever the map shrinks or the channel count changes.
        if (stride != 1 || in != out) {
            dc = conv(p + ".downsample.0", in, out, 1, stride, 0, 1, false);
            db = bn(p + ".downsample.1", out, EPS);
        }
        return new Bottleneck(p, c1, b1, c2, b2, c3, b3, dc, db);
    }

    @Override
    public String slimBoundary() {
        return name().endsWith("-slim") ? "layer2" : null;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // Five halvings (conv1, max-pool, layer2..4): 32 px leaves layer4 a 1x1 map.
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
        // Each intermediate is closed as soon as the next exists (Architecture.free); the input is the caller's.
        NDArray c = conv1.apply(p, x);
        NDArray h = taps.at("conv1", free(c, bn1.applyRelu(p, c, training)));
        h = free(h, Pool.maxPool2d(h, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false));
        for (int s = 0; s < stages.size(); s++) {
            for (Bottleneck b : stages.get(s)) {
                h = taps.at(b.name, free(h, bottleneck(p, b, h, training)));
            }
            taps.at("layer" + (s + 1), h);
        }
        NDArray pooled = taps.at("pool", free(h, Pool.globalAvgPool2d(h)));
        return free(pooled, fc.apply(p, pooled));
    }

    /** One bottleneck; closes its intermediates, not its input {@code x}. */
    private static NDArray bottleneck(Params p, Bottleneck b, NDArray x, boolean training) {
        NDArray c = b.conv1.apply(p, x);
        NDArray h = free(c, b.bn1.applyRelu(p, c, training));
        c = free(h, b.conv2.apply(p, h));
        h = free(c, b.bn2.applyRelu(p, c, training));
        c = free(h, b.conv3.apply(p, h));
        h = free(c, b.bn3.apply(p, c, training));
        NDArray shortcut = x;
        if (b.downConv != null) {
            NDArray d = b.downConv.apply(p, x);
            shortcut = free(d, b.downBn.apply(p, d, training));
        }
        NDArray sum = free(shortcut, free(h, h.add(shortcut)), x);
        return free(sum, Activation.relu(sum));
    }
}
