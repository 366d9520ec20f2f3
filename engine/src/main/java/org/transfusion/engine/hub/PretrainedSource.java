package org.transfusion.engine.hub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Published pretrained weights of a model, described as timm's {@code pretrained_cfg} describes them: the hub
 * repository and file, the licence, the input the weights were trained on (size, per-channel mean and std), and
 * where the first convolution and the classifier are. {@code sha256} pins the file's hash when we know it (the
 * hub's own hash for the file is checked in every case).
 *
 * <p>The ImageNet models of the paper and the two medical imaging users reach for next to them come from timm's
 * {@code tv_in1k} weights: torchvision's own ImageNet weights, with torchvision's keys (TimmKeysTest). The licence
 * is the one timm's {@code pretrained_cfg} states for each (timm commit aa4b585): bsd-3-clause for the ResNets,
 * timm's default apache-2.0 for Inception-v3 and DenseNet-121.
 */
public record PretrainedSource(String model, String repo, String file, String revision, String sha256,
                               String licence, String description, int inputSize, List<Double> mean,
                               List<Double> std, String firstConv, String classifier, int classes) {

    private static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    private static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);
    private static final List<Double> INCEPTION = List.of(0.5, 0.5, 0.5);

    private static final Map<String, PretrainedSource> REGISTRY = new LinkedHashMap<>();

    static {
        register(torchvision("resnet18", "BSD-3-Clause", "conv1", "fc"));
        register(torchvision("resnet50", "BSD-3-Clause", "conv1", "fc"));
        register(new PretrainedSource("inception-v3", "timm/inception_v3.tv_in1k", "model.safetensors", "main", null,
                "Apache-2.0", "torchvision's Inception-v3 ImageNet-1k weights, via timm", 299, INCEPTION, INCEPTION,
                "Conv2d_1a_3x3.conv", "fc", 1000));
        register(torchvision("densenet121", "Apache-2.0", "features.conv0", "classifier"));
    }

    /** torchvision's ImageNet weights of {@code model} at 224 px with ImageNet's mean and std, as timm hosts them. */
    private static PretrainedSource torchvision(String model, String licence, String firstConv, String classifier) {
        return new PretrainedSource(model, "timm/" + model + ".tv_in1k", "model.safetensors", "main", null, licence,
                "torchvision's " + model + " ImageNet-1k weights, via timm", 224, IMAGENET_MEAN, IMAGENET_STD,
                firstConv, classifier, 1000);
    }

    private static void register(PretrainedSource s) {
        REGISTRY.put(s.model(), s);
    }

    /**
     * The published weights of {@code model} (a {@code -slim} variant shares its full model's: its lower blocks
     * are the same), or null when none are published.
     */
    public static PretrainedSource of(String model) {
        String base = model.endsWith("-slim") ? model.substring(0, model.length() - "-slim".length()) : model;
        return REGISTRY.get(base);
    }

    public static List<PretrainedSource> all() {
        return List.copyOf(REGISTRY.values());
    }
}
