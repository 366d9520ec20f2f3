package org.transfusion.engine.model;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.error.BadInputException;

/** Models by name (DESIGN.md): the CBR family, and the ImageNet architectures for transfer. */
public final class ModelRegistry {
    private static final Map<String, ModelInfo> MODELS = new LinkedHashMap<>();

    static {
        register(new ModelInfo("cbr-large-tall", "CBR: 5 x (7x7 conv-bn-relu), 32-64-128-256-512, no pool after the 5th",
                224, "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-large-tall", c, k, new int[] {32, 64, 128, 256, 512}, 7,
                        new boolean[] {true, true, true, true, false})));
        register(new ModelInfo("cbr-large-wide", "CBR: 4 x (7x7 conv-bn-relu), 64-128-256-512", 224,
                "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-large-wide", c, k, new int[] {64, 128, 256, 512}, 7, allPools(4))));
        register(new ModelInfo("cbr-small", "CBR: 4 x (7x7 conv-bn-relu), 32-64-128-256", 224,
                "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-small", c, k, new int[] {32, 64, 128, 256}, 7, allPools(4))));
        register(new ModelInfo("cbr-tiny", "CBR: 4 x (5x5 conv-bn-relu), 64-128-256-512", 224,
                "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-tiny", c, k, new int[] {64, 128, 256, 512}, 5, allPools(4))));
        register(new ModelInfo("resnet18", "ResNet-18 (basic blocks, layers 2-2-2-2), torchvision keys", 224,
                "conv1.weight", "fc", "imagenet", (c, k, w) -> ResNet.resnet18(c, k)));
        register(new ModelInfo("resnet18-slim", "ResNet-18 up to layer2, layer3/layer4 with half the channels", 224,
                "conv1.weight", "fc", "imagenet", (c, k, w) -> ResNet.resnet18Slim(c, k)));
        register(new ModelInfo("resnet50", "ResNet-50 (torchvision v1.5: stride on the 3x3 conv), torchvision keys",
                224, "conv1.weight", "fc", "imagenet", (c, k, w) -> ResNet.resnet50(c, k)));
        register(new ModelInfo("resnet50-slim", "ResNet-50 up to layer2, layer3/layer4 with half the channels "
                + "(the paper's slim model)", 224, "conv1.weight", "fc", "imagenet",
                (c, k, w) -> ResNet.resnet50Slim(c, k)));
        register(new ModelInfo("densenet121", "DenseNet-121 (growth 32, blocks 6-12-24-16), torchvision keys", 224,
                "features.conv0.weight", "classifier", "imagenet", (c, k, w) -> DenseNet.densenet121(c, k)));
        // Normalisation "inception" = mean 0.5, std 0.5 per channel (inputs in [-1, 1]): torchvision's ImageNet
        // Inception weights expect it (their transform_input turns ImageNet-normalised inputs into exactly that),
        // and so do Keras' MobileNetV2 weights (preprocess_input x / 127.5 - 1).
        register(new ModelInfo("inception-v3", "Inception-v3 (torchvision keys, BN eps 0.001, no AuxLogits, "
                + "no transform_input)", 299, "Conv2d_1a_3x3.conv.weight", "fc", "inception",
                (c, k, w) -> new InceptionV3("inception-v3", c, k, false)));
        register(new ModelInfo("mobilenet-v2", "MobileNetV2 with width multiplier (torchvision keys and rounding)",
                224, "features.0.0.weight", "classifier.1", "imagenet",
                (c, k, w) -> new MobileNetV2("mobilenet-v2", c, k, w, Integer.MAX_VALUE, MobileNetV2.Style.TORCHVISION)));
        register(new ModelInfo("mobilenet-v2-slim", "MobileNetV2 with features.7 onwards at half the channels",
                224, "features.0.0.weight", "classifier.1", "imagenet",
                (c, k, w) -> new MobileNetV2("mobilenet-v2-slim", c, k, w, MobileNetV2.SLIM_FROM,
                        MobileNetV2.Style.TORCHVISION)));
        register(new ModelInfo("mobilenet-v2-keras", "MobileNetV2 as Keras builds it (TF-same padding on stride-2 "
                + "convs, BN eps 0.001), for the imported Keras ImageNet weights; mobilenet-v2's keys", 224,
                "features.0.0.weight", "classifier.1", "inception",
                (c, k, w) -> new MobileNetV2("mobilenet-v2-keras", c, k, w, Integer.MAX_VALUE, MobileNetV2.Style.KERAS)));
        // Keras publishes MobileNetV2 ImageNet weights per width; this name fixes the width of the ones a study can
        // use without a --width setting of its own (../shared/data/weights has the 0.35 backbone).
        register(new ModelInfo("mobilenet-v2-0.35-keras", "mobilenet-v2-keras at width 0.35, the width of Keras' "
                + "smallest ImageNet MobileNetV2", 224, "features.0.0.weight", "classifier.1", "inception",
                (c, k, w) -> new MobileNetV2("mobilenet-v2-0.35-keras", c, k, 0.35, Integer.MAX_VALUE,
                        MobileNetV2.Style.KERAS)));
    }

    static {
        for (String base : new String[] {"cbr-large-tall", "cbr-large-wide", "cbr-small", "cbr-tiny"}) {
            ModelInfo full = MODELS.get(base);
            register(new ModelInfo(base + "-slim", full.description() + "; slim: layers after layer2 at half width",
                    full.defaultImageSize(), full.firstConvKey(), full.classifierKey(), full.normalisation(),
                    (c, k, w) -> {
                        CbrNet parent = (CbrNet) full.build(c, k, w);
                        return new CbrNet(base + "-slim", c, k, CbrNet.slim(parent.widths()), parent.kernel(),
                                parent.poolAfter(), "layer2");
                    }));
        }
    }

    private ModelRegistry() {}

    private static boolean[] allPools(int n) {
        boolean[] p = new boolean[n];
        java.util.Arrays.fill(p, true);
        return p;
    }

    /** Adds a model; later modules (e.g. the ImageNet architectures) register theirs here too. */
    public static synchronized void register(ModelInfo info) {
        MODELS.put(info.name(), info);
    }

    public static synchronized ModelInfo get(String name) {
        ModelInfo info = MODELS.get(name);
        if (info == null) {
            throw new BadInputException("unknown model '" + name + "' (expected one of "
                    + String.join(", ", MODELS.keySet()) + ")");
        }
        return info;
    }

    public static synchronized Collection<ModelInfo> all() {
        return Collections.unmodifiableCollection(MODELS.values());
    }
}
