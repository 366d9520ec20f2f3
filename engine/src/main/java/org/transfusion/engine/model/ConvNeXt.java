package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * ConvNeXt as timm's {@code ConvNeXt} builds {@code convnext_tiny} (its default {@code conv_mlp=False}), with timm's
 * keys and shapes: {@code stem.0} (4 x 4 stride-4 convolution with bias) and {@code stem.1} (LayerNorm over channels,
 * timm's {@code LayerNorm2d}); four stages {@code stages.0..3} of depths 3-3-9-3 and widths 96-192-384-768, each but
 * the first opening with {@code downsample.0} (LayerNorm over channels) and {@code downsample.1} (2 x 2 stride-2
 * convolution with bias); each block {@code stages.S.blocks.B}: {@code conv_dw} (7 x 7 depthwise, padding 3, bias),
 * then channels-last {@code norm} (LayerNorm), {@code mlp.fc1} (4x), exact erf GELU, {@code mlp.fc2}, times the
 * layer scale {@code gamma}, added to the block's input. The head: global average pool, {@code head.norm}
 * (LayerNorm), {@code head.fc}. LayerNorm eps 1e-6. No drop-path (timm's default 0): training and evaluation run the
 * same graph.
 *
 * <p>Probed layers: each stage's output {@code stages.0..3} (strides 4, 8, 16, 32), then {@code pool} (after {@code
 * head.norm}, what the classifier reads). Blocks of weight transfusion: {@code stem}, {@code stages.0..3}, {@code
 * head} (head.norm and head.fc).
 */
public final class ConvNeXt extends Architecture {
    private static final float EPS = 1e-6f;

    private final Conv stemConv;
    private final Ln stemNorm;
    private final List<Stage> stages = new ArrayList<>();
    private final Ln headNorm;
    private final Fc fc;
    private final List<String> layers = new ArrayList<>();

    public ConvNeXt(String name, int inputChannels, int outputs, int[] depths, int[] dims) {
        super(name, inputChannels, outputs);
        block("stem");
        stemConv = conv("stem.0", inputChannels, dims[0], 4, 4, 0, 1, true);
        stemNorm = layerNorm("stem.1", dims[0], EPS);
        for (int s = 0; s < depths.length; s++) {
            String prefix = "stages." + s;
            block(prefix);
            Ln downNorm = null;
            Conv down = null;
            if (s > 0) {
                downNorm = layerNorm(prefix + ".downsample.0", dims[s - 1], EPS);
                down = conv(prefix + ".downsample.1", dims[s - 1], dims[s], 2, 2, 0, 1, true);
            }
            List<Unit> units = new ArrayList<>();
            for (int b = 0; b < depths[s]; b++) {
                String u = prefix + ".blocks." + b;
                String gamma = parameter(u + ".gamma", new long[] {dims[s]}, TensorKind.LAYER_SCALE);
                units.add(new Unit(gamma, conv(u + ".conv_dw", dims[s], dims[s], 7, 1, 3, dims[s], true),
                        layerNorm(u + ".norm", dims[s], EPS), linear(u + ".mlp.fc1", dims[s], 4 * dims[s]),
                        linear(u + ".mlp.fc2", 4 * dims[s], dims[s])));
            }
            stages.add(new Stage(prefix, downNorm, down, units));
            layers.add(prefix);
        }
        layers.add("pool");
        block("head");
        int last = dims[dims.length - 1];
        headNorm = layerNorm("head.norm", last, EPS);
        fc = linear("head.fc", last, outputs);
    }

    /** timm's {@code convnext_tiny}. */
    public static ConvNeXt tiny(String name, int inputChannels, int outputs) {
        return new ConvNeXt(name, inputChannels, outputs, new int[] {3, 3, 9, 3}, new int[] {96, 192, 384, 768});
    }

    @Override
    public RandomInit.Rule initRule() {
        return RandomInit.Rule.TIMM_CONVNEXT;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // Total stride 32: the last stage on a 1 x 1 map.
        return 32;
    }

    @Override
    public String classifierPrefix() {
        return "head.fc";
    }

    @Override
    public String firstConvPrefix() {
        return "stem.0";
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        NDArray c = stemConv.apply(p, x);
        NDArray h = free(c, stemNorm.applyChannels(p, c));
        for (Stage s : stages) {
            h = taps.at(s.name, free(h, s.apply(p, h)));
        }
        NDArray pooled = free(h, Pool.globalAvgPool2d(h));
        NDArray normed = taps.at("pool", free(pooled, headNorm.apply(p, pooled)));
        return free(normed, fc.apply(p, normed));
    }

    private record Stage(String name, Ln downNorm, Conv down, List<Unit> units) {
        /** The stage's output; {@code x} is the caller's. */
        NDArray apply(Params p, NDArray x) {
            NDArray h = x;
            if (down != null) {
                NDArray normed = downNorm.applyChannels(p, x);
                h = free(normed, down.apply(p, normed));
            }
            for (Unit u : units) {
                h = free(h, u.apply(p, h), x);
            }
            return h == x ? h.duplicate() : h;
        }
    }

    /** One block: x + gamma * fc2(gelu(fc1(norm(dwconv(x))))), the MLP channels-last. */
    private record Unit(String gamma, Conv dw, Ln norm, Fc fc1, Fc fc2) {
        NDArray apply(Params p, NDArray x) {
            NDArray d = dw.apply(p, x);
            NDArray last = free(d, d.transpose(0, 2, 3, 1));
            NDArray normed = free(last, norm.apply(p, last));
            NDArray hidden = free(normed, fc1.apply(p, normed));
            NDArray act = free(hidden, Activation.gelu(hidden));
            NDArray out = free(act, fc2.apply(p, act));
            NDArray scaled = free(out, out.mul(p.get(gamma)));
            NDArray back = free(scaled, scaled.transpose(0, 3, 1, 2));
            return free(back, x.add(back));
        }
    }
}
