package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's structure: its named tensors (torchvision keys, shapes, roles), its forward pass written with
 * DJL's functional ops over a {@link Params} look-up, the names of the layers a probe can read, and the block
 * each tensor belongs to (for weight transfusion up to a block). Holds no weights: a {@link Network} pairs an
 * architecture with live tensors, and {@link StateDict}s hold weights in Java memory.
 */
public abstract class Architecture {
    private final String name;
    private final int inputChannels;
    private final int outputs;
    private final LinkedHashMap<String, TensorSpec> specs = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> blockOfKey = new LinkedHashMap<>();
    private final List<String> blocks = new ArrayList<>();
    private String currentBlock = "stem";

    protected Architecture(String name, int inputChannels, int outputs) {
        this.name = name;
        this.inputChannels = inputChannels;
        this.outputs = outputs;
    }

    public String name() {
        return name;
    }

    public int inputChannels() {
        return inputChannels;
    }

    public int outputs() {
        return outputs;
    }

    /** Every tensor in registration (= torchvision state-dict) order. */
    public Map<String, TensorSpec> specs() {
        return Collections.unmodifiableMap(specs);
    }

    /** Names of the layers a probe can read, in forward order. */
    public abstract List<String> layers();

    /** Smallest square input the architecture accepts without a degenerate feature map. */
    public abstract int minImageSize();

    /** The forward pass: logits of shape (batch, outputs). Named layers are reported to {@code taps}. */
    public abstract NDArray forward(Params p, NDArray x, boolean training, Taps taps);

    /** Blocks in forward order (e.g. conv1, layer1..layer4, fc): the units of weight transfusion. */
    public List<String> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /** The block a tensor key belongs to. */
    public String blockOf(String key) {
        return blockOfKey.get(key);
    }

    /**
     * For a slim variant, the last block it shares with its full-width parent (pretrained weights are copied up
     * to and including it; above it the channels are halved and initialised at random); null otherwise.
     */
    public String slimBoundary() {
        return null;
    }

    /** Key prefix of the classifier (re-initialised when the number of outputs changes). */
    public abstract String classifierPrefix();

    /** Key prefix of the first convolution (adapted when input channels differ). */
    public abstract String firstConvPrefix();

    /**
     * What the input's height and width must be a multiple of: 1 for a classifier (global pooling takes any
     * size); a U-Net's encoder total stride, so that each decoder stage meets its skip at the same size.
     */
    public int sizeMultiple() {
        return 1;
    }

    /**
     * The architecture whose weights this one's pretrained tensors come from (a weights file for it fits): this
     * one; for a U-Net, its encoder's classifier model (resnet18 for unet-resnet18).
     */
    public Architecture transferSource() {
        return this;
    }

    /**
     * The prefix under which this architecture holds {@link #transferSource()}'s tensors ({@code encoder.} in a
     * U-Net); empty when it is its own source. A tensor outside the prefix never comes from pretrained weights
     * ({@link #takesWeights}).
     */
    public String transferPrefix() {
        return "";
    }

    /** How {@link RandomInit} draws the conv and linear tensors: the rule of the library the keys come from. */
    public RandomInit.Rule initRule() {
        return RandomInit.Rule.TORCHVISION;
    }

    /** Whether pretrained weights can give this tensor (false for a U-Net's decoder, always random). */
    public boolean takesWeights(String key) {
        return key.startsWith(transferPrefix());
    }

    // ---- building helpers for subclasses -------------------------------------------------------------

    /** Subsequent tensors belong to {@code block} (blocks are listed in the order first used). */
    protected void block(String block) {
        currentBlock = block;
        if (!blocks.contains(block)) {
            blocks.add(block);
        }
    }

    private void add(String key, long[] shape, TensorKind kind) {
        if (specs.containsKey(key)) {
            throw new IllegalStateException("duplicate tensor key " + key);
        }
        if (!blocks.contains(currentBlock)) {
            blocks.add(currentBlock);
        }
        specs.put(key, new TensorSpec(key, shape, kind));
        blockOfKey.put(key, currentBlock);
    }

    protected Conv conv(String prefix, int in, int out, int kernel, int stride, int padding, int groups, boolean bias) {
        return conv(prefix, in, out, kernel, kernel, stride, stride, padding, padding, groups, bias);
    }

    protected Conv conv(String prefix, int in, int out, int kh, int kw, int sh, int sw, int ph, int pw, int groups,
                        boolean bias) {
        add(prefix + ".weight", new long[] {out, in / groups, kh, kw}, TensorKind.CONV_WEIGHT);
        if (bias) {
            add(prefix + ".bias", new long[] {out}, TensorKind.CONV_BIAS);
        }
        return new Conv(prefix, new Shape(sh, sw), new Shape(ph, pw), groups, bias);
    }

    protected Bn bn(String prefix, int channels, float eps) {
        add(prefix + ".weight", new long[] {channels}, TensorKind.BN_WEIGHT);
        add(prefix + ".bias", new long[] {channels}, TensorKind.BN_BIAS);
        add(prefix + ".running_mean", new long[] {channels}, TensorKind.BN_RUNNING_MEAN);
        add(prefix + ".running_var", new long[] {channels}, TensorKind.BN_RUNNING_VAR);
        add(prefix + ".num_batches_tracked", new long[] {}, TensorKind.BN_BATCHES_TRACKED);
        return new Bn(prefix, eps);
    }

    /**
     * The stem ResNet and DenseNet share: a 7x7 stride-2 convolution without bias from the input channels to
     * {@code channels}, BN (eps 1e-5), ReLU, then a 3x3 stride-2 max-pool (padding 1 each); {@code layer} names the
     * probe after the ReLU.
     */
    protected Stem stem(String layer, String convPrefix, String bnPrefix, int channels) {
        Conv c = conv(convPrefix, inputChannels, channels, 7, 2, 3, 1, false);
        return new Stem(layer, c, bn(bnPrefix, channels, 1e-5f));
    }

    /**
     * Registers {@code inner}'s tensors under {@code prefix}, each in the block {@code inner} puts it in (the block
     * names unchanged), leaving out the tensors of {@code inner}'s classifier.
     */
    protected void adopt(String prefix, Architecture inner) {
        String head = inner.classifierPrefix() + ".";
        for (TensorSpec spec : inner.specs().values()) {
            if (!spec.key().startsWith(head)) {
                block(inner.blockOf(spec.key()));
                add(prefix + spec.key(), spec.shape(), spec.kind());
            }
        }
    }

    protected Fc linear(String prefix, int in, int out) {
        add(prefix + ".weight", new long[] {out, in}, TensorKind.LINEAR_WEIGHT);
        add(prefix + ".bias", new long[] {out}, TensorKind.LINEAR_BIAS);
        return new Fc(prefix);
    }

    /** A layer norm over {@code channels} (timm's keys: {@code PREFIX.weight}, {@code PREFIX.bias}). */
    protected Ln layerNorm(String prefix, int channels, float eps) {
        add(prefix + ".weight", new long[] {channels}, TensorKind.LN_WEIGHT);
        add(prefix + ".bias", new long[] {channels}, TensorKind.LN_BIAS);
        return new Ln(prefix, channels, eps);
    }

    /** A tensor that is no layer's (a position embedding, a class token, a layer scale), registered as it is. */
    protected String parameter(String key, long[] shape, TensorKind kind) {
        add(key, shape, kind);
        return key;
    }

    /**
     * Closes {@code used}, an intermediate array nothing reads any more, and returns {@code result}. DJL keeps
     * every array until its manager closes, so without this a forward pass holds all its activations at once
     * (inference at 128 px: mobilenet-v2 peaked at 3.3 GB against PyTorch's 0.6 GB). Safe while training too:
     * autograd holds its own reference to each tensor backward needs. Never pass the network's input or a
     * parameter.
     */
    public static NDArray free(NDArray used, NDArray result) {
        used.close();
        return result;
    }

    /** {@link #free}, except that {@code used} is kept open when it is {@code keep} (the forward's input). */
    public static NDArray free(NDArray used, NDArray result, NDArray keep) {
        return used == keep ? result : free(used, result);
    }

    /**
     * {@link #free(NDArray, NDArray, NDArray)}, except that {@code used} is also kept open when it is one of
     * {@code kept} (an encoder's feature maps, which a decoder reads later; compared by identity); {@code kept} may
     * be null (a classifier's pass keeps nothing).
     */
    public static NDArray free(NDArray used, NDArray result, NDArray keep, List<NDArray> kept) {
        if (kept != null) {
            for (NDArray k : kept) {
                if (k == used) {
                    return result;
                }
            }
        }
        return free(used, result, keep);
    }

    /**
     * A convolution: weight (out, in/groups, kh, kw), optional bias. On tiny feature maps it runs as the matrix
     * product it is, elsewhere as libtorch's convolution, kept away from the shapes that crash oneDNN
     * ({@link SmallMapConv#convolve}).
     */
    public record Conv(String prefix, Shape stride, Shape padding, int groups, boolean bias) {
        public NDArray apply(Params p, NDArray x) {
            NDArray w = p.get(prefix + ".weight");
            NDArray b = bias ? p.get(prefix + ".bias") : null;
            return SmallMapConv.convolve(x, w, b, stride, padding, groups);
        }
    }

    /**
     * Batch normalisation over channels (dimension 1); torchvision's momentum 0.1 (DJL counts it as 1 - 0.1).
     * Axis -1 makes DJL's PyTorch engine call libtorch's batch_norm directly (which always normalises dimension
     * 1); any other axis goes through two transposes and extra arrays per call.
     */
    public record Bn(String prefix, float eps) {
        public NDArray apply(Params p, NDArray x, boolean training) {
            return BatchNorm.batchNorm(x, p.get(prefix + ".running_mean"), p.get(prefix + ".running_var"),
                    p.get(prefix + ".weight"), p.get(prefix + ".bias"), -1, 0.9f, eps, training).singletonOrThrow();
        }

        /** relu(bn(x)); the batch-norm output is freed at once (see {@link Architecture#free}). */
        public NDArray applyRelu(Params p, NDArray x, boolean training) {
            NDArray y = apply(p, x, training);
            return free(y, Activation.relu(y));
        }
    }

    /** See {@link #stem}. */
    public record Stem(String layer, Conv conv, Bn bn) {
        /** The stem's output, the quarter-size map; reports the map before the pool to {@code taps}. */
        public NDArray apply(Params p, NDArray x, boolean training, Taps taps) {
            return apply(p, x, training, taps, null);
        }

        /** As {@link #apply(Params, NDArray, boolean, Taps)}; adds the map before the pool to {@code kept} (kept open). */
        public NDArray apply(Params p, NDArray x, boolean training, Taps taps, List<NDArray> kept) {
            NDArray c = conv.apply(p, x);
            NDArray h = taps.at(layer, free(c, bn.applyRelu(p, c, training)));
            NDArray pooled = Pool.maxPool2d(h, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
            if (kept != null) {
                kept.add(h);
                return pooled;
            }
            return free(h, pooled);
        }
    }

    /**
     * Layer normalisation over the last dimension ({@link #apply}), or over the channels of an NCHW map as timm's
     * {@code LayerNorm2d} ({@link #applyChannels}).
     */
    public record Ln(String prefix, int channels, float eps) {
        public NDArray apply(Params p, NDArray x) {
            return LayerNorm.layerNorm(x, new Shape(channels), p.get(prefix + ".weight"), p.get(prefix + ".bias"), eps)
                    .singletonOrThrow();
        }

        /** Over dimension 1 of (N, C, H, W): normalised channels-last, returned as NCHW. */
        public NDArray applyChannels(Params p, NDArray x) {
            NDArray last = x.transpose(0, 2, 3, 1);
            NDArray y = free(last, apply(p, last));
            return free(y, y.transpose(0, 3, 1, 2));
        }
    }

    /** A fully connected layer. */
    public record Fc(String prefix) {
        public NDArray apply(Params p, NDArray x) {
            return Linear.linear(x, p.get(prefix + ".weight"), p.get(prefix + ".bias")).singletonOrThrow();
        }
    }
}
