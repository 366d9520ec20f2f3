package org.transfusion.engine.model;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.transfusion.engine.data.Normalisation;

/**
 * What a registered model is, said once (in the manner of timm's {@code pretrained_cfg}): its family, natural input
 * size, the normalisation its pretrained weights expect, its slim relation, its published weights and the other
 * names a local weights file of it may have; and, read off the architecture it builds (the one truth about its
 * tensors): where its first convolution and classifier are, the layers a probe reads (each a distinct tensor:
 * ModelCardTest), its trainable parameters and its size class. Everything that asks what a model is asks its card
 * ({@link ModelRegistry#get}); nothing compares model names (ArchitectureTest).
 *
 * @param slimOf             the full model a slim variant halves the upper blocks of; null for a full model
 * @param published          its own published weights; null when none (a slim card uses its full model's:
 *                           {@link #weights})
 * @param localWeightsNames  names besides {@code NAME.safetensors}, {@code NAME.npz} and {@code NAME/} that its
 *                           weights may have in a weights folder (e.g. the folder Keras' export is named)
 * @param encoder            for a segmentation model ({@link UNet}), the classifier model its encoder is (whose
 *                           family, normalisation, weights and size class it has); null for a classifier
 * @param otherWeights       further published checkpoints of the same architecture and keys (another recipe, a
 *                           self- or weakly supervised pretraining), each named by its tag
 *                           ({@link PublishedWeights#tag}); {@code published} stays the one a study takes by default
 */
public record ModelCard(String name, String description, Family family, int defaultImageSize,
                        Normalisation normalisation, String slimOf, PublishedWeights published,
                        List<String> localWeightsNames, Factory factory, String encoder,
                        List<PublishedWeights> otherWeights) {

    /** A card with no published checkpoint beyond {@code published}. */
    public ModelCard(String name, String description, Family family, int defaultImageSize,
                     Normalisation normalisation, String slimOf, PublishedWeights published,
                     List<String> localWeightsNames, Factory factory, String encoder) {
        this(name, description, family, defaultImageSize, normalisation, slimOf, published, localWeightsNames,
                factory, encoder, List.of());
    }

    /** A classifier's card. */
    public ModelCard(String name, String description, Family family, int defaultImageSize,
                     Normalisation normalisation, String slimOf, PublishedWeights published,
                     List<String> localWeightsNames, Factory factory) {
        this(name, description, family, defaultImageSize, normalisation, slimOf, published, localWeightsNames,
                factory, null);
    }

    /** What a model predicts. */
    public enum Task {
        /** Logits (batch, outputs) for the whole image. */
        CLASSIFICATION,
        /** Logits (batch, outputs, H, W), one per pixel, at the input's resolution. */
        SEGMENTATION
    }

    /** The paper's model families. */
    public enum Family {
        CBR, RESNET, DENSENET, INCEPTION, MOBILENET,
        /** Beyond the paper: EfficientNet-B0, the mobile-size backbone practitioners fine-tune next (issue 31). */
        EFFICIENTNET,
        /** Vision transformers (Dosovitskiy et al. 2021), timm's keys. */
        VIT,
        /** ConvNeXt (Liu et al. 2022), timm's keys. */
        CONVNEXT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The size classes the verdicts scope their claims by ({@code study.Findings}). The rule: a model is
     * {@link #LARGE} when its network (3 input channels, 2 outputs, width 1) has at least
     * {@value #LARGE_PARAMETERS} trainable parameters (resnet50: 23.5 M, inception-v3: 21.8 M; the next largest,
     * resnet18, has 11.2 M); {@link #SMALL} when it is a full (not slim) model of the CBR family, the paper's small
     * models, which it calls small by family rather than by count (the CBR-LargeT has 8.5 M, more than
     * densenet121's 7.0 M); {@link #NEITHER} otherwise. A segmentation model has its encoder's size class (the
     * claims are about the transferred encoder; a decoder adds 1-4 M random parameters).
     */
    public enum SizeClass {
        SMALL, LARGE, NEITHER;

        public static final long LARGE_PARAMETERS = 20_000_000L;

        /** "small", "large", or "-" for neither (the report's size column). */
        public String label() {
            return this == NEITHER ? "-" : name().toLowerCase(Locale.ROOT);
        }
    }

    /** Builds the architecture for the given input channels, number of outputs and width multiplier. */
    @FunctionalInterface
    public interface Factory {
        Architecture build(int inputChannels, int outputs, double width);
    }

    public ModelCard {
        localWeightsNames = List.copyOf(localWeightsNames);
        otherWeights = List.copyOf(otherWeights);
        java.util.Set<String> tags = new java.util.HashSet<>();
        for (PublishedWeights w : checkpointsOf(published, otherWeights)) {
            if (!tags.add(w.tag())) {
                throw new IllegalArgumentException(name + ": two published checkpoints tagged " + w.tag());
            }
        }
    }

    private static List<PublishedWeights> checkpointsOf(PublishedWeights published, List<PublishedWeights> others) {
        List<PublishedWeights> out = new java.util.ArrayList<>();
        if (published != null) {
            out.add(published);
        }
        out.addAll(others);
        return out;
    }

    /** This card with {@code others} as its further published checkpoints. */
    public ModelCard withOtherWeights(List<PublishedWeights> others) {
        return new ModelCard(name, description, family, defaultImageSize, normalisation, slimOf, published,
                localWeightsNames, factory, encoder, others);
    }

    /**
     * Every published checkpoint this model can start from, the default first: its own, or (slim variant, U-Net)
     * its {@link #weightsCard}'s.
     */
    public List<PublishedWeights> checkpoints() {
        ModelCard w = weightsCard();
        return checkpointsOf(w.published(), w.otherWeights());
    }

    /** The published checkpoint tagged {@code tag} ({@code tv_in1k}, {@code a1_in1k}), or empty. */
    public Optional<PublishedWeights> checkpoint(String tag) {
        return checkpoints().stream().filter(w -> w.tag().equals(tag)).findFirst();
    }

    public Architecture build(int inputChannels, int outputs, double width) {
        return factory.build(inputChannels, outputs, width);
    }

    /** The architecture at 3 input channels, 2 outputs and width 1: what the card's derived facts are read from. */
    public Architecture reference() {
        return build(3, 2, 1.0);
    }

    /** Key prefix of the first convolution (adapted when input channels differ), e.g. {@code conv1}. */
    public String firstConvPrefix() {
        return reference().firstConvPrefix();
    }

    /** The first convolution's weight tensor, e.g. {@code conv1.weight}. */
    public String firstConvKey() {
        return firstConvPrefix() + ".weight";
    }

    /** Key prefix of the classifier (re-initialised when the number of outputs changes), e.g. {@code fc}. */
    public String classifierPrefix() {
        return reference().classifierPrefix();
    }

    /** The classifier's weight tensor, e.g. {@code fc.weight}. */
    public String classifierKey() {
        return classifierPrefix() + ".weight";
    }

    /** The layers a probe reads for similarity (and Grad-CAM at), in forward order, each a distinct tensor. */
    public List<String> probedLayers() {
        return reference().layers();
    }

    /**
     * Each probed layer's width (its channels: the neurons a probe reads per point), in {@link #probedLayers()}
     * order, from one forward pass of {@link #reference()} with random weights on a blank input of its smallest size.
     */
    public List<Integer> probedWidths() {
        Architecture a = reference();
        int size = a.minImageSize();
        java.util.Map<String, Integer> widths = new java.util.LinkedHashMap<>();
        Taps taps = Taps.of(layer -> true, (layer, x) -> widths.put(layer, (int) x.getShape().get(1)));
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
             Network net = Network.create(m, a, RandomInit.of(a, 0))) {
            net.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, size, size)), false, taps);
        }
        return probedLayers().stream().map(l -> widths.getOrDefault(l, 0)).toList();
    }

    /** Trainable parameters of {@link #reference()} (what {@code transfusion models} lists). */
    public long trainableParameters() {
        return reference().specs().values().stream().filter(t -> t.kind().trainable()).mapToLong(TensorSpec::size)
                .sum();
    }

    /** See {@link SizeClass} for the rule. */
    public SizeClass sizeClass() {
        if (isSegmentation()) {
            return encoderCard().sizeClass();
        }
        if (trainableParameters() >= SizeClass.LARGE_PARAMETERS) {
            return SizeClass.LARGE;
        }
        return family == Family.CBR && !isSlim() ? SizeClass.SMALL : SizeClass.NEITHER;
    }

    public boolean isSlim() {
        return slimOf != null;
    }

    /** The full model of a slim variant; the card itself for a full model. */
    public ModelCard fullModel() {
        return isSlim() ? ModelRegistry.get(slimOf) : this;
    }

    /** The slim variant of this model, when the registry has one. */
    public Optional<ModelCard> slimVariant() {
        return ModelRegistry.all().stream().filter(c -> name.equals(c.slimOf())).findFirst();
    }

    /** The weights this model starts from when pretrained: its own, or a slim variant's full model's. */
    public Optional<PublishedWeights> weights() {
        return Optional.ofNullable(weightsCard().published());
    }

    /**
     * The card whose published weights this model starts from: its own; a slim variant's full model's; a
     * segmentation model's encoder's (resnet18's ImageNet weights for unet-resnet18, fetched once for both).
     */
    public ModelCard weightsCard() {
        return isSegmentation() ? encoderCard().weightsCard() : fullModel();
    }

    public Task task() {
        return isSegmentation() ? Task.SEGMENTATION : Task.CLASSIFICATION;
    }

    public boolean isSegmentation() {
        return encoder != null;
    }

    /** A segmentation model's encoder's card (the classifier); the card itself for a classifier. */
    public ModelCard encoderCard() {
        return isSegmentation() ? ModelRegistry.get(encoder) : this;
    }
}
