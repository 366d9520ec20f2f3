package org.transfusion.engine.hub;

import java.util.List;
import java.util.Optional;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.PublishedWeights;

/**
 * Published pretrained weights of a model, described as timm's {@code pretrained_cfg} describes them: the hub
 * repository and file, the licence, the input the weights were trained on (size, per-channel mean and std), and
 * where the first convolution and the classifier are. {@code sha256} pins the file's hash when we know it (the
 * hub's own hash for the file is checked in every case).
 *
 * <p>Read off the model's card ({@link ModelCard}): its {@link PublishedWeights}, normalisation (the checkpoint's
 * own where it was trained with another, {@link PublishedWeights#normalisation}) and keys. A slim
 * variant's source is its full model's (its lower blocks are the same).
 */
public record PretrainedSource(String model, String repo, String file, String revision, String sha256,
                               String licence, String description, int inputSize, List<Double> mean,
                               List<Double> std, String firstConv, String classifier, int classes) {

    /** The published weights of {@code model} (a slim variant's are its full model's, a U-Net's its encoder's), or null when none are. */
    public static PretrainedSource of(String model) {
        return ModelRegistry.find(model).flatMap(c -> of(c.weightsCard())).orElse(null);
    }

    /**
     * The published checkpoint of {@code model} tagged {@code tag} ({@link PublishedWeights#tag}; its slim variant's
     * or U-Net's are its full model's or encoder's), or null when the model has none of that tag.
     */
    public static PretrainedSource of(String model, String tag) {
        return ModelRegistry.find(model).flatMap(c -> c.weightsCard().checkpoint(tag)
                .map(w -> of(c.weightsCard(), w))).orElse(null);
    }

    private static Optional<PretrainedSource> of(ModelCard card) {
        PublishedWeights w = card.published();
        return w == null ? Optional.empty() : Optional.of(of(card, w));
    }

    private static PretrainedSource of(ModelCard card, PublishedWeights w) {
        Normalisation n = w.normalisation() != null ? w.normalisation() : card.normalisation();
        return new PretrainedSource(card.name(), w.repo(), w.file(), w.revision(), w.sha256(),
                w.licence(), w.description(), w.inputSize(), n.mean(), n.std(), card.firstConvPrefix(),
                card.classifierPrefix(), w.classes());
    }

    /** Every model's default published weights, in the registry's order. */
    public static List<PretrainedSource> all() {
        return ModelRegistry.all().stream().map(PretrainedSource::of).flatMap(Optional::stream).toList();
    }

    /** Every published checkpoint of every model (the default first per model), in the registry's order. */
    public static List<PretrainedSource> allCheckpoints() {
        return ModelRegistry.all().stream().filter(c -> c.weightsCard() == c)
                .flatMap(c -> c.checkpoints().stream().map(w -> of(c, w))).toList();
    }

    /** The checkpoint's tag ({@code tv_in1k}): what follows the last dot of the repository's name. */
    public String tag() {
        return new PublishedWeights(repo, file, revision, sha256, licence, description, inputSize, classes, null)
                .tag();
    }

    /** The input normalisation the weights were trained with. */
    public Normalisation normalisation() {
        return new Normalisation(mean, std);
    }
}
