package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * Inception-v3 as torchvision builds it, with its keys ({@code Conv2d_1a_3x3.conv/bn}, ..., {@code
 * Mixed_5b..Mixed_7c}, optional {@code AuxLogits}, {@code fc}). Every convolution is torchvision's
 * BasicConv2d: conv without bias, BN with eps 0.001 (the value of the original TensorFlow model whose weights
 * torchvision ported), ReLU. torchvision's {@code transform_input} is off: inputs are expected already
 * normalised with ImageNet statistics, like every other model here.
 *
 * <p>The auxiliary classifier is built only when asked ({@code aux}); its logits are not part of the returned
 * output but are reported to the taps as {@code AuxLogits} (computed in training, or when a tap wants them), so
 * a trainer that wants the auxiliary loss can take them from there.
 *
 * <p>Probe layers: {@code Mixed_5b..Mixed_7c} and {@code pool}. Blocks: {@code stem1} (the three 3x3 convs before
 * the first max-pool), {@code stem2} (Conv2d_3b_1x1, Conv2d_4a_3x3), each Mixed block, {@code AuxLogits} when
 * present, {@code fc}.
 *
 * <p>Dropout (p = 0.5) before {@code fc} applies only in training and draws its mask from the engine's random
 * generator, which the trainer seeds from the run seed.
 */
public final class InceptionV3 extends Architecture {
    private static final float EPS = 1e-3f;
    private static final float DROPOUT = 0.5f;

    private final List<Basic> stem1 = new ArrayList<>();
    private final List<Basic> stem2 = new ArrayList<>();
    private final List<Mixed> mixed = new ArrayList<>();
    private final Aux aux;
    private final Fc fc;
    private final List<String> layers = new ArrayList<>();

    /** @param withAux whether to build torchvision's {@code AuxLogits} head (after Mixed_6e) */
    public InceptionV3(String name, int inputChannels, int outputs, boolean withAux) {
        super(name, inputChannels, outputs);
        block("stem1");
        stem1.add(basic("Conv2d_1a_3x3", inputChannels, 32, 3, 3, 2, 0, 0));
        stem1.add(basic("Conv2d_2a_3x3", 32, 32, 3, 3, 1, 0, 0));
        stem1.add(basic("Conv2d_2b_3x3", 32, 64, 3, 3, 1, 1, 1));
        block("stem2");
        stem2.add(basic("Conv2d_3b_1x1", 64, 80, 1, 1, 1, 0, 0));
        stem2.add(basic("Conv2d_4a_3x3", 80, 192, 3, 3, 1, 0, 0));
        mixed.add(inceptionA("Mixed_5b", 192, 32));
        mixed.add(inceptionA("Mixed_5c", 256, 64));
        mixed.add(inceptionA("Mixed_5d", 288, 64));
        mixed.add(inceptionB("Mixed_6a", 288));
        mixed.add(inceptionC("Mixed_6b", 768, 128));
        mixed.add(inceptionC("Mixed_6c", 768, 160));
        mixed.add(inceptionC("Mixed_6d", 768, 160));
        mixed.add(inceptionC("Mixed_6e", 768, 192));
        // torchvision registers AuxLogits between Mixed_6e and Mixed_7a; keeping that order keeps the keys in
        // torchvision's state-dict order.
        if (withAux) {
            block("AuxLogits");
            aux = new Aux(basic("AuxLogits.conv0", 768, 128, 1, 1, 1, 0, 0),
                    basic("AuxLogits.conv1", 128, 768, 5, 5, 1, 0, 0), linear("AuxLogits.fc", 768, outputs));
        } else {
            aux = null;
        }
        mixed.add(inceptionD("Mixed_7a", 768));
        mixed.add(inceptionE("Mixed_7b", 1280));
        mixed.add(inceptionE("Mixed_7c", 2048));
        for (Mixed m : mixed) {
            layers.add(m.name());
        }
        layers.add("pool");
        block("fc");
        fc = linear("fc", 2048, outputs);
    }

    public boolean hasAux() {
        return aux != null;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // torchvision's own limit: below 75 px the map before Mixed_7a becomes too small for its stride-2 convs.
        return 75;
    }

    @Override
    public String classifierPrefix() {
        return "fc";
    }

    @Override
    public String firstConvPrefix() {
        return "Conv2d_1a_3x3.conv";
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        NDArray h = x;
        for (Basic b : stem1) {
            h = b.apply(p, h, training);
        }
        h = maxPool3s2(h);
        for (Basic b : stem2) {
            h = b.apply(p, h, training);
        }
        h = maxPool3s2(h);
        for (Mixed m : mixed) {
            h = taps.at(m.name(), m.apply(p, h, training));
            if (aux != null && m.name().equals("Mixed_6e") && (training || taps.wants("AuxLogits"))) {
                taps.at("AuxLogits", aux.apply(p, h, training));
            }
        }
        NDArray pooled = taps.at("pool", Pool.globalAvgPool2d(h));
        if (training) {
            pooled = Dropout.dropout(pooled, DROPOUT, true).singletonOrThrow();
        }
        return fc.apply(p, pooled);
    }

    // ---- building blocks --------------------------------------------------------------------------------

    /** torchvision's BasicConv2d: conv (no bias) -> BN (eps 0.001) -> ReLU. */
    private record Basic(Conv conv, Bn bn) {
        NDArray apply(Params p, NDArray x, boolean training) {
            return bn.applyRelu(p, conv.apply(p, x), training);
        }
    }

    private Basic basic(String prefix, int in, int out, int kh, int kw, int stride, int ph, int pw) {
        Conv c = conv(prefix + ".conv", in, out, kh, kw, stride, stride, ph, pw, 1, false);
        return new Basic(c, bn(prefix + ".bn", out, EPS));
    }

    /** A mixed block: its name (probe layer and transfusion block) and its forward pass. */
    private record Mixed(String name, Forward forward) {
        NDArray apply(Params p, NDArray x, boolean training) {
            return forward.apply(p, x, training);
        }
    }

    @FunctionalInterface
    private interface Forward {
        NDArray apply(Params p, NDArray x, boolean training);
    }

    private static NDArray chain(Params p, NDArray x, boolean training, Basic... convs) {
        NDArray h = x;
        for (Basic b : convs) {
            h = b.apply(p, h, training);
        }
        return h;
    }

    private static NDArray maxPool3s2(NDArray x) {
        return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), false);
    }

    /** 3x3 average pool, stride 1, zero padding counted in the mean (torchvision's avg_pool2d default). */
    private static NDArray avgPool3s1(NDArray x) {
        return Pool.avgPool2d(x, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, true);
    }

    private static NDArray cat(NDArray... parts) {
        return NDArrays.concat(new NDList(parts), 1);
    }

    /** InceptionA (35x35 grid): 1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avgpool-1x1. */
    private Mixed inceptionA(String n, int in, int poolFeatures) {
        block(n);
        Basic b1 = basic(n + ".branch1x1", in, 64, 1, 1, 1, 0, 0);
        Basic b5a = basic(n + ".branch5x5_1", in, 48, 1, 1, 1, 0, 0);
        Basic b5b = basic(n + ".branch5x5_2", 48, 64, 5, 5, 1, 2, 2);
        Basic d1 = basic(n + ".branch3x3dbl_1", in, 64, 1, 1, 1, 0, 0);
        Basic d2 = basic(n + ".branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1);
        Basic d3 = basic(n + ".branch3x3dbl_3", 96, 96, 3, 3, 1, 1, 1);
        Basic bp = basic(n + ".branch_pool", in, poolFeatures, 1, 1, 1, 0, 0);
        return new Mixed(n, (p, x, t) -> cat(b1.apply(p, x, t), chain(p, x, t, b5a, b5b), chain(p, x, t, d1, d2, d3),
                bp.apply(p, avgPool3s1(x), t)));
    }

    /** InceptionB (grid reduction 35 -> 17): 3x3/2 | 1x1-3x3-3x3/2 | maxpool/2. */
    private Mixed inceptionB(String n, int in) {
        block(n);
        Basic b3 = basic(n + ".branch3x3", in, 384, 3, 3, 2, 0, 0);
        Basic d1 = basic(n + ".branch3x3dbl_1", in, 64, 1, 1, 1, 0, 0);
        Basic d2 = basic(n + ".branch3x3dbl_2", 64, 96, 3, 3, 1, 1, 1);
        Basic d3 = basic(n + ".branch3x3dbl_3", 96, 96, 3, 3, 2, 0, 0);
        return new Mixed(n, (p, x, t) -> cat(b3.apply(p, x, t), chain(p, x, t, d1, d2, d3), maxPool3s2(x)));
    }

    /** InceptionC (17x17 grid, factorised 7x7): 1x1 | 1x1-1x7-7x1 | 1x1-7x1-1x7-7x1-1x7 | avgpool-1x1. */
    private Mixed inceptionC(String n, int in, int c7) {
        block(n);
        Basic b1 = basic(n + ".branch1x1", in, 192, 1, 1, 1, 0, 0);
        Basic s1 = basic(n + ".branch7x7_1", in, c7, 1, 1, 1, 0, 0);
        Basic s2 = basic(n + ".branch7x7_2", c7, c7, 1, 7, 1, 0, 3);
        Basic s3 = basic(n + ".branch7x7_3", c7, 192, 7, 1, 1, 3, 0);
        Basic d1 = basic(n + ".branch7x7dbl_1", in, c7, 1, 1, 1, 0, 0);
        Basic d2 = basic(n + ".branch7x7dbl_2", c7, c7, 7, 1, 1, 3, 0);
        Basic d3 = basic(n + ".branch7x7dbl_3", c7, c7, 1, 7, 1, 0, 3);
        Basic d4 = basic(n + ".branch7x7dbl_4", c7, c7, 7, 1, 1, 3, 0);
        Basic d5 = basic(n + ".branch7x7dbl_5", c7, 192, 1, 7, 1, 0, 3);
        Basic bp = basic(n + ".branch_pool", in, 192, 1, 1, 1, 0, 0);
        return new Mixed(n, (p, x, t) -> cat(b1.apply(p, x, t), chain(p, x, t, s1, s2, s3),
                chain(p, x, t, d1, d2, d3, d4, d5), bp.apply(p, avgPool3s1(x), t)));
    }

    /** InceptionD (grid reduction 17 -> 8): 1x1-3x3/2 | 1x1-1x7-7x1-3x3/2 | maxpool/2. */
    private Mixed inceptionD(String n, int in) {
        block(n);
        Basic a1 = basic(n + ".branch3x3_1", in, 192, 1, 1, 1, 0, 0);
        Basic a2 = basic(n + ".branch3x3_2", 192, 320, 3, 3, 2, 0, 0);
        Basic s1 = basic(n + ".branch7x7x3_1", in, 192, 1, 1, 1, 0, 0);
        Basic s2 = basic(n + ".branch7x7x3_2", 192, 192, 1, 7, 1, 0, 3);
        Basic s3 = basic(n + ".branch7x7x3_3", 192, 192, 7, 1, 1, 3, 0);
        Basic s4 = basic(n + ".branch7x7x3_4", 192, 192, 3, 3, 2, 0, 0);
        return new Mixed(n, (p, x, t) -> cat(chain(p, x, t, a1, a2), chain(p, x, t, s1, s2, s3, s4), maxPool3s2(x)));
    }

    /** InceptionE (8x8 grid, expanded filter bank): 1x1 | 1x1-(1x3,3x1) | 1x1-3x3-(1x3,3x1) | avgpool-1x1. */
    private Mixed inceptionE(String n, int in) {
        block(n);
        Basic b1 = basic(n + ".branch1x1", in, 320, 1, 1, 1, 0, 0);
        Basic t1 = basic(n + ".branch3x3_1", in, 384, 1, 1, 1, 0, 0);
        Basic t2a = basic(n + ".branch3x3_2a", 384, 384, 1, 3, 1, 0, 1);
        Basic t2b = basic(n + ".branch3x3_2b", 384, 384, 3, 1, 1, 1, 0);
        Basic d1 = basic(n + ".branch3x3dbl_1", in, 448, 1, 1, 1, 0, 0);
        Basic d2 = basic(n + ".branch3x3dbl_2", 448, 384, 3, 3, 1, 1, 1);
        Basic d3a = basic(n + ".branch3x3dbl_3a", 384, 384, 1, 3, 1, 0, 1);
        Basic d3b = basic(n + ".branch3x3dbl_3b", 384, 384, 3, 1, 1, 1, 0);
        Basic bp = basic(n + ".branch_pool", in, 192, 1, 1, 1, 0, 0);
        return new Mixed(n, (p, x, t) -> {
            NDArray s = t1.apply(p, x, t);
            NDArray d = chain(p, x, t, d1, d2);
            return cat(b1.apply(p, x, t), t2a.apply(p, s, t), t2b.apply(p, s, t), d3a.apply(p, d, t),
                    d3b.apply(p, d, t), bp.apply(p, avgPool3s1(x), t));
        });
    }

    /** torchvision's InceptionAux: avgpool 5/3 -> 1x1 (128) -> 5x5 (768) -> global average -> fc. */
    private record Aux(Basic conv0, Basic conv1, Fc fc) {
        NDArray apply(Params p, NDArray x, boolean training) {
            NDArray h = Pool.avgPool2d(x, new Shape(5, 5), new Shape(3, 3), new Shape(0, 0), false, true);
            h = conv1.apply(p, conv0.apply(p, h, training), training);
            return fc.apply(p, Pool.globalAvgPool2d(h));
        }
    }
}
