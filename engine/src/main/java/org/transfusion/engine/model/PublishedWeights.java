package org.transfusion.engine.model;

import org.transfusion.engine.data.Normalisation;

/**
 * A model's published pretrained weights, described as timm's {@code pretrained_cfg} describes them: the hub
 * repository, file and revision, {@code sha256} when we pin the file's hash (the hub's own hash is checked in every
 * case), the licence, the input size the weights were trained on and the classes of their head (0: no head, as a
 * self-supervised checkpoint). The input's mean and std are the model card's unless the checkpoint was trained
 * with others ({@code normalisation}: DINO and DeiT ViTs use ImageNet's where the AugReg ViTs use 0.5); the first
 * convolution and the classifier are the card's ({@link ModelCard}); {@code hub.PretrainedSource} puts the two
 * together.
 *
 * @param normalisation the input normalisation these weights were trained with; null = the model card's
 */
public record PublishedWeights(String repo, String file, String revision, String sha256, String licence,
                               String description, int inputSize, int classes, Normalisation normalisation) {

    /** Weights trained with the model card's normalisation. */
    public PublishedWeights(String repo, String file, String revision, String sha256, String licence,
                            String description, int inputSize, int classes) {
        this(repo, file, revision, sha256, licence, description, inputSize, classes, null);
    }

    /** These weights, trained on inputs normalised with {@code n} rather than the card's. */
    public PublishedWeights withNormalisation(Normalisation n) {
        return new PublishedWeights(repo, file, revision, sha256, licence, description, inputSize, classes, n);
    }

    /** These weights with a head of {@code n} classes (0: none). */
    public PublishedWeights withClasses(int n) {
        return new PublishedWeights(repo, file, revision, sha256, licence, description, inputSize, n, normalisation);
    }

    /**
     * The checkpoint's name among its architecture's, as timm names a pretrained tag: what follows the last dot of
     * the hub repository's name ({@code tv_in1k} for {@code timm/resnet50.tv_in1k}, {@code fb_ssl_yfcc100m_ft_in1k}
     * for {@code timm/resnet50.fb_ssl_yfcc100m_ft_in1k}); the repository's name when it has no dot.
     */
    public String tag() {
        String name = repo.substring(repo.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }

    /** Another timm checkpoint of {@code timmName} with the same keys: {@code timm/TIMMNAME.TAG}, model.safetensors. */
    public static PublishedWeights timm(String timmName, String tag, String licence, String description,
                                        int inputSize) {
        return new PublishedWeights("timm/" + timmName + "." + tag, "model.safetensors", "main", null, licence,
                description, inputSize, 1000);
    }

    /**
     * torchvision's ImageNet-1k weights of {@code model} at 224 px, as timm hosts them ({@code timm/MODEL.tv_in1k}),
     * with torchvision's keys (TimmKeysTest).
     */
    public static PublishedWeights torchvisionViaTimm(String model, String licence) {
        return torchvisionViaTimm(model, model, licence, 224);
    }

    /** As {@link #torchvisionViaTimm(String, String)} for a model timm names {@code timmName}, at {@code inputSize}. */
    public static PublishedWeights torchvisionViaTimm(String model, String timmName, String licence, int inputSize) {
        return new PublishedWeights("timm/" + timmName + ".tv_in1k", "model.safetensors", "main", null, licence,
                "torchvision's " + model + " ImageNet-1k weights, via timm", inputSize, 1000);
    }
}
