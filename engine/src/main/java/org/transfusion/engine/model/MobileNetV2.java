package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;
import org.transfusion.error.BadInputException;

/**
 * MobileNetV2 as torchvision builds it, with a width multiplier and torchvision's keys: {@code features.0}
 * (3x3 stride-2 conv-BN-ReLU6), {@code features.1..17} (inverted residual blocks: optional 1x1 expansion, 3x3
 * depthwise, linear 1x1 projection; the shortcut when stride 1 and channels in = out), {@code features.18}
 * (1x1 conv-BN-ReLU6 to the last channel count), then global average pooling, dropout 0.2 and {@code
 * classifier.1}. Channel counts are rounded to multiples of 8 the way torchvision's {@code _make_divisible}
 * does, so width 0.35 gives the widths of the published 0.35 models.
 *
 * <p>Two padding/normalisation styles, recorded in the architecture because weights trained under one give
 * different features under the other: {@link Style#TORCHVISION} (symmetric padding 1 everywhere, BN eps 1e-5)
 * and {@link Style#KERAS} for weights imported from Keras Applications: the stride-2 convolutions pad like
 * TensorFlow's "same" (the extra row/column at the bottom/right, none at the top/left for even maps; Keras'
 * explicit ZeroPadding2D does exactly this) and BN eps is 0.001. Both styles have the same keys and shapes.
 *
 * <p>The <em>slim</em> variant (the paper's idea, applied here): features.0..6 as usual (the part at 1/2..1/8
 * resolution, what transfusion would keep), everything from features.7 on (the 1/16 and 1/32 stages, as
 * resnet50-slim halves layer3/layer4) with half the channels before the rounding to multiples of 8.
 *
 * <p>Probe layers and blocks: {@code features.0..features.18}, then {@code pool} (probe) and {@code classifier}
 * (block). Dropout applies only in training, its mask from the engine's random generator (seeded by the
 * trainer from the run seed).
 */
public final class MobileNetV2 extends Architecture implements Encoder {
    /** Padding and BN conventions of the framework the weights come from. */
    public enum Style {
        TORCHVISION(1e-5f), KERAS(1e-3f);

        final float eps;

        Style(float eps) {
            this.eps = eps;
        }
    }

    /** torchvision's inverted residual setting: expansion t, channels c, repeats n, first stride s. */
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };
    /** In the slim variant, features from this index on have half the channels. */
    public static final int SLIM_FROM = 7;
    private static final float DROPOUT = 0.2f;

    private final Style style;
    private final double width;
    private final int halveFrom;
    private final List<Feature> features = new ArrayList<>();
    private final Fc classifier;
    private final List<String> layers = new ArrayList<>();
    /** Output channels and stride of each feature. */
    private final List<int[]> featureShapes = new ArrayList<>();

    /**
     * @param halveFrom features with this index and above get half the channels ({@link #SLIM_FROM} for the
     *                  slim variant; any value above 18 for the standard network)
     */
    public MobileNetV2(String name, int inputChannels, int outputs, double width, int halveFrom, Style style) {
        super(name, inputChannels, outputs);
        if (!(width > 0) || width > 4) {
            throw new BadInputException("mobilenet-v2 width must be in (0, 4], got " + width);
        }
        this.style = style;
        this.width = width;
        this.halveFrom = halveFrom;
        int in = makeDivisible(32 * width);
        block("features.0");
        features.add(new ConvBnRelu6("features.0", conv("features.0.0", inputChannels, in, 3, 2, 1, 1, false),
                bn("features.0.1", in, style.eps), 2));
        int stride = 2;
        featureShapes.add(new int[] {in, stride});
        int index = 1;
        for (int[] row : SETTING) {
            for (int i = 0; i < row[2]; i++) {
                int out = makeDivisible(row[1] * width * (index >= halveFrom ? 0.5 : 1));
                features.add(invertedResidual("features." + index, in, out, i == 0 ? row[3] : 1, row[0]));
                stride *= i == 0 ? row[3] : 1;
                featureShapes.add(new int[] {out, stride});
                in = out;
                index++;
            }
        }
        int last = makeDivisible(1280 * Math.max(1.0, width) * (index >= halveFrom ? 0.5 : 1));
        block("features." + index);
        features.add(new ConvBnRelu6("features." + index, conv("features." + index + ".0", in, last, 1, 1, 0, 1,
                false), bn("features." + index + ".1", last, style.eps), 1));
        featureShapes.add(new int[] {last, stride});
        for (Feature f : features) {
            layers.add(f.name());
        }
        layers.add("pool");
        block("classifier");
        classifier = linear("classifier.1", last, outputs);
    }

    /** torchvision's {@code _make_divisible(v, 8)}: nearest multiple of 8, at least 8, never 10% below v. */
    public static int makeDivisible(double v) {
        int rounded = Math.max(8, (int) (v + 4) / 8 * 8);
        return rounded < 0.9 * v ? rounded + 8 : rounded;
    }

    public Style style() {
        return style;
    }

    public double width() {
        return width;
    }

    @Override
    public String slimBoundary() {
        return halveFrom <= 18 ? "features." + (halveFrom - 1) : null;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // Five stride-2 stages: 32 px leaves the last stage a 1x1 map.
        return 32;
    }

    @Override
    public String classifierPrefix() {
        return "classifier.1";
    }

    @Override
    public String firstConvPrefix() {
        return "features.0.0";
    }

    /**
     * Scales: the last feature of each stride ({@code features.1, 3, 6, 13, 18} at strides 2, 4, 8, 16, 32; the
     * last is the 1x1 conv to the last channel count, as segmentation_models_pytorch's MobileNetV2 encoder takes).
     */
    @Override
    public List<Scale> scales() {
        List<Scale> out = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            if (i == features.size() - 1 || featureShapes.get(i + 1)[1] != featureShapes.get(i)[1]) {
                out.add(new Scale(features.get(i).name(), featureShapes.get(i)[0], featureShapes.get(i)[1]));
            }
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
     * features.0..18: the last one's map. With {@code kept} non-null (the encoder), the map of each scale is added
     * to it and kept open; with null, each intermediate is closed as soon as the next exists (Architecture.free).
     * The input is the caller's.
     */
    private NDArray features(Params p, NDArray x, boolean training, Taps taps, List<NDArray> kept) {
        List<String> names = kept == null ? List.of() : scales().stream().map(Scale::layer).toList();
        NDArray h = x;
        for (Feature f : features) {
            h = taps.at(f.name(), free(h, f.apply(p, h, training), x, kept));
            if (names.contains(f.name())) {
                kept.add(h);
            }
        }
        return h;
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        NDArray h = features(p, x, training, taps, null);
        NDArray pooled = taps.at("pool", free(h, Pool.globalAvgPool2d(h), x));
        if (training) {
            pooled = free(pooled, Dropout.dropout(pooled, DROPOUT, true).singletonOrThrow());
        }
        return free(pooled, classifier.apply(p, pooled));
    }

    // ---- building blocks --------------------------------------------------------------------------------

    private interface Feature {
        String name();

        NDArray apply(Params p, NDArray x, boolean training);
    }

    /**
     * Values from which inference clamps ReLU6 in place ({@link ScriptedOps#relu6InPlace}). Measured on AMD EPYC family
     * 25 (`bench/training/ab.py`, 3 rounds): in place everywhere, 224 px inference 1.06x, 28 px 0.95x (35 TorchScript
     * calls per step on maps of at most 0.4M values); 2^21 values puts 64 px's first layers (2.1M) in place and 28 px's
     * none.
     */
    static final long IN_PLACE_MIN_VALUES = 1L << 21;

    /** Conv (3x3 or 1x1, stride s) -> BN -> ReLU6; torchvision's Conv2dNormActivation with ReLU6. */
    private final class ConvBnRelu6 implements Feature {
        private final String name;
        private final Conv conv;
        private final Bn bn;
        private final int stride;

        ConvBnRelu6(String name, Conv conv, Bn bn, int stride) {
            this.name = name;
            this.conv = conv;
            this.bn = bn;
            this.stride = stride;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public NDArray apply(Params p, NDArray x, boolean training) {
            NDArray c = convolve(p, conv, x, stride);
            NDArray b = free(c, bn.apply(p, c, training));
            // training: hardtanh with its one-pass gradient (ScriptedOps); inference needs no gradient: in place on
            // large maps (half the memory traffic), a clamp on small ones (where the TorchScript call costs more)
            if (training) {
                return free(b, ScriptedOps.relu6(b));
            }
            return free(b, b.size() >= IN_PLACE_MIN_VALUES ? ScriptedOps.relu6InPlace(b) : b.clip(0, 6));
        }
    }

    private Feature invertedResidual(String n, int in, int out, int stride, int expansion) {
        block(n);
        int hidden = in * expansion;
        ConvBnRelu6 expand = null;
        int i = 0;
        if (expansion != 1) {
            expand = new ConvBnRelu6(n + ".conv.0", conv(n + ".conv.0.0", in, hidden, 1, 1, 0, 1, false),
                    bn(n + ".conv.0.1", hidden, style.eps), 1);
            i = 1;
        }
        ConvBnRelu6 depthwise = new ConvBnRelu6(n + ".conv." + i, conv(n + ".conv." + i + ".0", hidden, hidden, 3,
                stride, 1, hidden, false), bn(n + ".conv." + i + ".1", hidden, style.eps), stride);
        Conv project = conv(n + ".conv." + (i + 1), hidden, out, 1, 1, 0, 1, false);
        Bn projectBn = bn(n + ".conv." + (i + 2), out, style.eps);
        boolean residual = stride == 1 && in == out;
        ConvBnRelu6 e = expand;
        return new Feature() {
            @Override
            public String name() {
                return n;
            }

            @Override
            public NDArray apply(Params p, NDArray x, boolean training) {
                NDArray expanded = e == null ? x : e.apply(p, x, training);
                NDArray h = free(expanded, depthwise.apply(p, expanded, training), x);
                // The projection is linear (no ReLU6): squashing the narrow bottleneck would lose information.
                NDArray c = free(h, project.apply(p, h));
                h = free(c, projectBn.apply(p, c, training));
                return residual ? free(h, h.add(x)) : h;
            }
        };
    }

    /**
     * Applies a conv. In the Keras style a stride-2 3x3 conv pads as TensorFlow's "same": total padding
     * max(k - s, 0) for even maps (max(k - in % s, 0) in general), the smaller half at the top/left.
     */
    private NDArray convolve(Params p, Conv conv, NDArray x, int stride) {
        if (style != Style.KERAS || stride == 1) {
            return conv.apply(p, x);
        }
        NDArray padded = tfSamePad(x, 3, stride);
        Conv valid = new Conv(conv.prefix(), conv.stride(), new Shape(0, 0), conv.groups(), conv.bias());
        return free(padded, valid.apply(p, padded));
    }

    /** Zero-pads an NCHW map the way TensorFlow's "same" padding does for a k x k kernel at the given stride. */
    static NDArray tfSamePad(NDArray x, int kernel, int stride) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        long padH = Math.max(kernel - (h % stride == 0 ? stride : h % stride), 0);
        long padW = Math.max(kernel - (w % stride == 0 ? stride : w % stride), 0);
        // NDArray.pad takes torch's order: last dimension first, (before, after) each.
        return x.pad(new Shape(padW / 2, padW - padW / 2, padH / 2, padH - padH / 2), 0);
    }
}
