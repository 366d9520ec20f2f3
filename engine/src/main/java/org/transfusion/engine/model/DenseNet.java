package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * DenseNet as torchvision builds it (no dropout, not the memory-efficient checkpointing variant, which computes
 * the same values), with torchvision's keys: {@code features.conv0} (7x7 stride 2) and {@code features.norm0},
 * a 3x3 stride-2 max-pool, then dense blocks {@code features.denseblockB.denselayerL} (norm1, ReLU, 1x1 {@code
 * conv1} to bn_size x growth channels, norm2, ReLU, 3x3 {@code conv2} to growth channels, appended to the
 * layer's input) separated by {@code features.transitionB} (norm, ReLU, 1x1 {@code conv} halving the channels,
 * 2x2 average pool), then {@code features.norm5}, ReLU, global average pooling and {@code classifier}. BN eps
 * 1e-5.
 *
 * <p>Probe layers: {@code conv0} (after the ReLU, before the max-pool), {@code denseblockB} (the block's output:
 * its input and every layer's new channels), {@code transitionB}, and {@code pool}. Blocks for transfusion:
 * {@code conv0}, {@code denseblock1}, {@code transition1}, ..., {@code denseblock4}, {@code classifier}; {@code
 * features.norm5} belongs to {@code denseblock4}, so that transfusion up to the last block carries every
 * tensor but the classifier, as resnet's layer4 does.
 */
public final class DenseNet extends Architecture {
    private static final float EPS = 1e-5f;

    private final Stem stem;
    private final List<DenseBlock> denseBlocks = new ArrayList<>();
    private final List<Transition> transitions = new ArrayList<>();
    private final Bn norm5;
    private final Fc classifier;
    private final List<String> layers = new ArrayList<>();

    /**
     * @param growth       channels each dense layer adds
     * @param depths       dense layers in each block
     * @param bnSize       the 1x1 bottleneck of a dense layer has {@code bnSize * growth} channels
     * @param initFeatures channels of conv0
     */
    private DenseNet(String name, int inputChannels, int outputs, int growth, int[] depths, int bnSize,
                     int initFeatures) {
        super(name, inputChannels, outputs);
        block("conv0");
        stem = stem("conv0", "features.conv0", "features.norm0", initFeatures);
        layers.add("conv0");
        int channels = initFeatures;
        for (int b = 0; b < depths.length; b++) {
            String unit = "denseblock" + (b + 1);
            block(unit);
            List<DenseLayer> dense = new ArrayList<>();
            for (int l = 0; l < depths[b]; l++) {
                dense.add(denseLayer("features." + unit + ".denselayer" + (l + 1), channels, bnSize * growth,
                        growth));
                channels += growth;
            }
            denseBlocks.add(new DenseBlock(unit, dense));
            layers.add(unit);
            if (b < depths.length - 1) {
                String t = "transition" + (b + 1);
                block(t);
                Bn norm = bn("features." + t + ".norm", channels, EPS);
                Conv halve = conv("features." + t + ".conv", channels, channels / 2, 1, 1, 0, 1, false);
                transitions.add(new Transition(t, norm, halve));
                channels /= 2;
                layers.add(t);
            }
        }
        // Still in denseblock4's unit (see the class comment): transfusion up to it keeps every feature tensor.
        norm5 = bn("features.norm5", channels, EPS);
        layers.add("pool");
        block("classifier");
        classifier = linear("classifier", channels, outputs);
    }

    /** torchvision's {@code densenet121()}: growth 32, blocks (6, 12, 24, 16), bn_size 4, 64 initial features. */
    public static DenseNet densenet121(int inputChannels, int outputs) {
        return new DenseNet("densenet121", inputChannels, outputs, 32, new int[] {6, 12, 24, 16}, 4, 64);
    }

    private record DenseLayer(Bn norm1, Conv conv1, Bn norm2, Conv conv2) {}

    private record DenseBlock(String name, List<DenseLayer> layers) {}

    private record Transition(String name, Bn norm, Conv conv) {}

    private DenseLayer denseLayer(String p, int in, int bottleneck, int growth) {
        Bn norm1 = bn(p + ".norm1", in, EPS);
        Conv conv1 = conv(p + ".conv1", in, bottleneck, 1, 1, 0, 1, false);
        Bn norm2 = bn(p + ".norm2", bottleneck, EPS);
        Conv conv2 = conv(p + ".conv2", bottleneck, growth, 3, 1, 1, 1, false);
        return new DenseLayer(norm1, conv1, norm2, conv2);
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    @Override
    public int minImageSize() {
        // torchvision's own limit: 29 px gives 15 after conv0, 8 after the max-pool, then 4, 2, 1 after the
        // transitions; at 28 px transition3's 2x2 average pool gets a 1x1 map and would output 0x0.
        return 29;
    }

    @Override
    public String classifierPrefix() {
        return "classifier";
    }

    @Override
    public String firstConvPrefix() {
        return "features.conv0";
    }

    @Override
    public NDArray forward(Params p, NDArray x, boolean training, Taps taps) {
        // Each intermediate is closed as soon as the next exists (Architecture.free); the input is the caller's.
        NDArray h = stem.apply(p, x, training, taps);
        for (int b = 0; b < denseBlocks.size(); b++) {
            DenseBlock block = denseBlocks.get(b);
            for (DenseLayer layer : block.layers) {
                h = grow(p, layer, h, training);
            }
            h = taps.at(block.name, h);
            if (b < transitions.size()) {
                Transition t = transitions.get(b);
                h = taps.at(t.name, free(h, transition(p, t, h, training)));
            }
        }
        NDArray features = free(h, norm5.applyRelu(p, h, training));
        NDArray pooled = taps.at("pool", free(features, Pool.globalAvgPool2d(features)));
        return free(pooled, classifier.apply(p, pooled));
    }

    /**
     * One dense layer: its input with the layer's new channels appended; closes the input. torchvision
     * concatenates the list of all earlier outputs at every layer; appending to the running concatenation gives
     * the same tensor while only two copies of the block's features (old and new) are alive at once.
     */
    private static NDArray grow(Params p, DenseLayer l, NDArray x, boolean training) {
        NDArray h = l.norm1.applyRelu(p, x, training);
        NDArray c = free(h, l.conv1.apply(p, h));
        h = free(c, l.norm2.applyRelu(p, c, training));
        NDArray fresh = free(h, l.conv2.apply(p, h));
        return free(x, free(fresh, NDArrays.concat(new NDList(x, fresh), 1)));
    }

    /** A transition: BN, ReLU, the 1x1 conv halving the channels, 2x2 average pool; closes its intermediates. */
    private static NDArray transition(Params p, Transition t, NDArray x, boolean training) {
        NDArray h = t.norm.applyRelu(p, x, training);
        NDArray c = free(h, t.conv.apply(p, h));
        return free(c, Pool.avgPool2d(c, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true));
    }
}
