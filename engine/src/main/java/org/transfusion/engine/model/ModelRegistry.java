package org.transfusion.engine.model;

import static org.transfusion.engine.model.ModelCard.Family.CBR;
import static org.transfusion.engine.model.ModelCard.Family.DENSENET;
import static org.transfusion.engine.model.ModelCard.Family.INCEPTION;
import static org.transfusion.engine.model.ModelCard.Family.MOBILENET;
import static org.transfusion.engine.model.ModelCard.Family.RESNET;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.error.BadInputException;

/**
 * Models by name: the CBR family, and the ImageNet architectures for transfer, each with its
 * {@link ModelCard}. Adding a model touches this registry and its card only.
 */
public final class ModelRegistry {
    /** The Keras-built MobileNetV2 that {@code weights.KerasMobileNetV2} imports Keras' ImageNet weights into. */
    public static final String MOBILENET_V2_KERAS = "mobilenet-v2-keras";

    private static final Map<String, ModelCard> MODELS = new LinkedHashMap<>();

    static {
        register(full("cbr-large-tall", "CBR: 5 x (7x7 conv-bn-relu), 32-64-128-256-512, no pool after the 5th",
                CBR, 224, Normalisation.IMAGENET, null,
                (c, k, w) -> new CbrNet("cbr-large-tall", c, k, CbrNet.scaled(new int[] {32, 64, 128, 256, 512}, w), 7,
                        new boolean[] {true, true, true, true, false})));
        register(full("cbr-large-wide", "CBR: 4 x (7x7 conv-bn-relu), 64-128-256-512", CBR, 224, Normalisation.IMAGENET, null,
                (c, k, w) -> new CbrNet("cbr-large-wide", c, k, CbrNet.scaled(new int[] {64, 128, 256, 512}, w), 7, allPools(4))));
        register(full("cbr-small", "CBR: 4 x (7x7 conv-bn-relu), 32-64-128-256", CBR, 224, Normalisation.IMAGENET, null,
                (c, k, w) -> new CbrNet("cbr-small", c, k, CbrNet.scaled(new int[] {32, 64, 128, 256}, w), 7, allPools(4))));
        register(full("cbr-tiny", "CBR: 4 x (5x5 conv-bn-relu), 64-128-256-512", CBR, 224, Normalisation.IMAGENET, null,
                (c, k, w) -> new CbrNet("cbr-tiny", c, k, CbrNet.scaled(new int[] {64, 128, 256, 512}, w), 5, allPools(4))));
        // The ImageNet models of the paper and the two medical imaging users reach for next to them come with
        // timm's tv_in1k weights; the licence is the one timm's pretrained_cfg states for each (timm commit
        // aa4b585): bsd-3-clause for the ResNets, timm's default apache-2.0 for Inception-v3 and DenseNet-121.
        // Further checkpoints timm publishes with the same keys (timm's ResNet and DenseNet name their tensors as
        // torchvision does: TimmKeysTest), for a study that compares pretraining sources (issue 31): a modern
        // supervised recipe (ResNet strikes back, a1_in1k; torchvision's v2 recipe, tv2_in1k; timm's RandAugment
        // DenseNet, ra_in1k) and Facebook's semi-supervised (YFCC100M) and semi-weakly supervised (Instagram-1B)
        // pretraining, both fine-tuned on ImageNet-1k. Licences as timm's pretrained_cfg states them (commit
        // aa4b585; a cfg without one takes timm's default apache-2.0); the two fb_ checkpoints are non-commercial.
        register(full("resnet18", "ResNet-18 (basic blocks, layers 2-2-2-2), torchvision keys", RESNET, 224,
                Normalisation.IMAGENET, PublishedWeights.torchvisionViaTimm("resnet18", "BSD-3-Clause"),
                (c, k, w) -> ResNet.resnet18(c, k)).withOtherWeights(List.of(
                PublishedWeights.timm("resnet18", "a1_in1k", "Apache-2.0", "ResNet strikes back A1 recipe, "
                        + "ImageNet-1k (timm)", 224),
                PublishedWeights.timm("resnet18", "fb_ssl_yfcc100m_ft_in1k", "CC-BY-NC-4.0", "semi-supervised on "
                        + "YFCC100M, fine-tuned on ImageNet-1k (Facebook)", 224),
                PublishedWeights.timm("resnet18", "fb_swsl_ig1b_ft_in1k", "CC-BY-NC-4.0", "semi-weakly supervised "
                        + "on Instagram-1B, fine-tuned on ImageNet-1k (Facebook)", 224))));
        register(slim("resnet18-slim", "ResNet-18 up to layer2, layer3/layer4 with half the channels", "resnet18",
                (c, k, w) -> ResNet.resnet18Slim(c, k)));
        register(full("resnet50", "ResNet-50 (torchvision v1.5: stride on the 3x3 conv), torchvision keys", RESNET,
                224, Normalisation.IMAGENET, PublishedWeights.torchvisionViaTimm("resnet50", "BSD-3-Clause"),
                (c, k, w) -> ResNet.resnet50(c, k)).withOtherWeights(List.of(
                PublishedWeights.timm("resnet50", "a1_in1k", "Apache-2.0", "ResNet strikes back A1 recipe, "
                        + "ImageNet-1k (timm)", 224),
                PublishedWeights.timm("resnet50", "tv2_in1k", "BSD-3-Clause", "torchvision's v2 recipe, "
                        + "ImageNet-1k", 176),
                PublishedWeights.timm("resnet50", "fb_ssl_yfcc100m_ft_in1k", "CC-BY-NC-4.0", "semi-supervised on "
                        + "YFCC100M, fine-tuned on ImageNet-1k (Facebook)", 224),
                PublishedWeights.timm("resnet50", "fb_swsl_ig1b_ft_in1k", "CC-BY-NC-4.0", "semi-weakly supervised "
                        + "on Instagram-1B, fine-tuned on ImageNet-1k (Facebook)", 224))));
        register(slim("resnet50-slim", "ResNet-50 up to layer2, layer3/layer4 with half the channels "
                + "(the paper's slim model)", "resnet50", (c, k, w) -> ResNet.resnet50Slim(c, k)));
        register(full("densenet121", "DenseNet-121 (growth 32, blocks 6-12-24-16), torchvision keys", DENSENET, 224,
                Normalisation.IMAGENET, PublishedWeights.torchvisionViaTimm("densenet121", "Apache-2.0"),
                (c, k, w) -> DenseNet.densenet121(c, k)).withOtherWeights(List.of(
                PublishedWeights.timm("densenet121", "ra_in1k", "Apache-2.0", "timm's RandAugment recipe, "
                        + "ImageNet-1k", 224))));
        register(full("inception-v3", "Inception-v3 (torchvision keys, BN eps 0.001, no AuxLogits, "
                + "no transform_input)", INCEPTION, 299, Normalisation.INCEPTION,
                new PublishedWeights("timm/inception_v3.tv_in1k", "model.safetensors", "main", null, "Apache-2.0",
                        "torchvision's Inception-v3 ImageNet-1k weights, via timm", 299, 1000),
                (c, k, w) -> new InceptionV3("inception-v3", c, k, false)));
        register(full("mobilenet-v2", "MobileNetV2 with width multiplier (torchvision keys and rounding)", MOBILENET,
                224, Normalisation.IMAGENET, null,
                (c, k, w) -> new MobileNetV2("mobilenet-v2", c, k, w, Integer.MAX_VALUE, MobileNetV2.Style.TORCHVISION)));
        register(slim("mobilenet-v2-slim", "MobileNetV2 with features.7 onwards at half the channels", "mobilenet-v2",
                (c, k, w) -> new MobileNetV2("mobilenet-v2-slim", c, k, w, MobileNetV2.SLIM_FROM,
                        MobileNetV2.Style.TORCHVISION)));
        register(full(MOBILENET_V2_KERAS, "MobileNetV2 as Keras builds it (TF-same padding on stride-2 convs, BN eps "
                + "0.001), for the imported Keras ImageNet weights; mobilenet-v2's keys", MOBILENET, 224, Normalisation.INCEPTION,
                null, (c, k, w) -> new MobileNetV2(MOBILENET_V2_KERAS, c, k, w, Integer.MAX_VALUE,
                        MobileNetV2.Style.KERAS)));
        // timm's efficientnet_b0 with its keys. Other hub checkpoints with the same keys and shapes (timm commit
        // aa4b585, scripts/efficientnet_reference.py): timm/efficientnet_b0.ra4_e3600_r224_in1k (apache-2.0; mean
        // and std 0.5, trained at 224, tested at 256 with crop 1.0) loads into this model as is; the TensorFlow ports
        // timm/tf_efficientnet_b0.{in1k, aa_in1k, ap_in1k, ns_jft_in1k} (apache-2.0; ap_in1k with mean and std 0.5)
        // have the same keys but were trained with TF "same" padding and BN eps 1e-3, a forward this model does
        // not do (as mobilenet-v2-keras is to mobilenet-v2), so they would need a style of their own.
        register(full("efficientnet-b0", "EfficientNet-B0 (SiLU, squeeze-excitation, BN eps 1e-5, symmetric "
                + "padding), timm's efficientnet_b0 keys; width multiplier as timm's round_channels",
                ModelCard.Family.EFFICIENTNET, 224, Normalisation.IMAGENET,
                new PublishedWeights("timm/efficientnet_b0.ra_in1k", "model.safetensors", "main", null, "Apache-2.0",
                        "timm's EfficientNet-B0 ImageNet-1k weights (RandAugment recipe)", 224, 1000),
                (c, k, w) -> new EfficientNet("efficientnet-b0", c, k, w)));
        // Keras publishes MobileNetV2 ImageNet weights per width; this name fixes the width of the ones a study can
        // use without a --width setting of its own (../shared/data/weights has the 0.35 backbone, in the folder
        // Keras' export names mobilenet_v2_035_imagenet).
        register(new ModelCard("mobilenet-v2-0.35-keras", "mobilenet-v2-keras at width 0.35, the width of Keras' "
                + "smallest ImageNet MobileNetV2", MOBILENET, 224, Normalisation.INCEPTION, null, null,
                List.of("mobilenet_v2_035_imagenet"),
                (c, k, w) -> new MobileNetV2("mobilenet-v2-0.35-keras", c, k, 0.35, Integer.MAX_VALUE,
                        MobileNetV2.Style.KERAS)));
    }

    static {
        for (String base : new String[] {"cbr-large-tall", "cbr-large-wide", "cbr-small", "cbr-tiny"}) {
            ModelCard full = MODELS.get(base);
            register(slim(base + "-slim", full.description() + "; slim: layers after layer2 at half width", base,
                    (c, k, w) -> {
                        CbrNet parent = (CbrNet) full.build(c, k, w);
                        return new CbrNet(base + "-slim", c, k, CbrNet.slim(parent.widths()), parent.kernel(),
                                parent.poolAfter(), "layer2");
                    }));
        }
    }

    /**
     * The modern backbones of issue 31 (Matsoukas et al., CVPR 2022: vision transformers depend on ImageNet transfer
     * far more than CNNs), with timm's keys, so timm's hub files load unchanged (TimmKeysTest). Licences and
     * normalisation as timm's pretrained_cfg states them at commit aa4b585.
     */
    static {
        // Every checkpoint below has exactly these keys and shapes (timm's source). DeiT-S is timm's
        // deit_small_patch16_224, a ViT-S/16 with the same layout; DINO's has no head (num_classes 0), so Transfer
        // re-initialises it. DeiT and DINO were trained on ImageNet-normalised inputs, the AugReg ViTs on mean/std 0.5.
        register(full("vit-small-p16", "ViT-S/16 (timm vit_small_patch16_224: dim 384, depth 12, 6 heads, MLP 1536; "
                + "position embedding resampled to the input's grid), timm keys", ModelCard.Family.VIT, 224,
                Normalisation.INCEPTION,
                new PublishedWeights("timm/vit_small_patch16_224.augreg_in21k_ft_in1k", "model.safetensors", "main",
                        null, "Apache-2.0", "ViT-S/16 AugReg, ImageNet-21k pretrained and ImageNet-1k fine-tuned, "
                        + "via timm", 224, 1000),
                (c, k, w) -> vitSmall("vit-small-p16", c, k, 16)).withOtherWeights(List.of(
                PublishedWeights.timm("vit_small_patch16_224", "augreg_in1k", "Apache-2.0", "ViT-S/16 AugReg, "
                        + "ImageNet-1k only", 224),
                new PublishedWeights("timm/vit_small_patch16_224.augreg_in21k", "model.safetensors", "main", null,
                        "Apache-2.0", "ViT-S/16 AugReg, ImageNet-21k (its 21,843-class head re-initialised)", 224,
                        21843),
                PublishedWeights.timm("deit_small_patch16_224", "fb_in1k", "Apache-2.0", "DeiT-S, ImageNet-1k with "
                        + "DeiT's data-efficient recipe (Facebook Research)", 224)
                        .withNormalisation(Normalisation.IMAGENET),
                PublishedWeights.timm("vit_small_patch16_224", "dino", "Apache-2.0", "DINO self-supervised on "
                        + "ImageNet-1k images, no labels (Facebook Research; no head)", 224)
                        .withClasses(0).withNormalisation(Normalisation.IMAGENET))));
        // No default (supervised ImageNet) weights; DINO's self-supervised ViT-S/8 has its keys and shapes (pos_embed
        // 785 tokens, 8 x 8 patches) and the card's ImageNet normalisation.
        register(full("vit-small-p8", "ViT-S/8 (timm vit_small_patch8_224 layout: ViT-S with 8 x 8 patches), for "
                + "32-64 px inputs, timm keys", ModelCard.Family.VIT, 224, Normalisation.IMAGENET, null,
                (c, k, w) -> vitSmall("vit-small-p8", c, k, 8)).withOtherWeights(List.of(
                PublishedWeights.timm("vit_small_patch8_224", "dino", "Apache-2.0", "DINO self-supervised on "
                        + "ImageNet-1k images, no labels (Facebook Research; no head)", 224).withClasses(0))));
        // Other hub checkpoints with these keys: timm/convnext_tiny.fb_in22k_ft_in1k and
        // timm/convnext_tiny.in12k_ft_in1k (apache-2.0, 1000 classes); timm/convnext_tiny.fb_in22k (apache-2.0,
        // head of 21841 classes) and timm/convnext_tiny.in12k (apache-2.0, 11821 classes), heads re-initialised by
        // Transfer; timm/convnext_tiny.dinov3_lvd1689m (licence "dinov3-license") and
        // timm/convnext_tiny.eupe_lvd1689m (fair-noncommercial-research-license, 256 px): no head.fc, head.norm kept.
        register(full("convnext-tiny", "ConvNeXt-T (timm convnext_tiny: depths 3-3-9-3, dims 96-192-384-768, "
                + "channels-last MLP, layer scale), timm keys", ModelCard.Family.CONVNEXT, 224, Normalisation.IMAGENET,
                new PublishedWeights("timm/convnext_tiny.fb_in1k", "model.safetensors", "main", null, "Apache-2.0",
                        "ConvNeXt-T ImageNet-1k weights of Facebook Research, via timm", 224, 1000),
                (c, k, w) -> ConvNeXt.tiny("convnext-tiny", c, k)).withOtherWeights(List.of(
                PublishedWeights.timm("convnext_tiny", "fb_in22k_ft_in1k", "Apache-2.0", "ImageNet-22k pretrained, "
                        + "ImageNet-1k fine-tuned (Facebook Research)", 224),
                PublishedWeights.timm("convnext_tiny", "in12k_ft_in1k", "Apache-2.0", "ImageNet-12k pretrained, "
                        + "ImageNet-1k fine-tuned (timm)", 224),
                new PublishedWeights("timm/convnext_tiny.fb_in22k", "model.safetensors", "main", null, "Apache-2.0",
                        "ImageNet-22k (its 21,841-class head re-initialised; Facebook Research)", 224, 21841))));
    }

    private static VisionTransformer vitSmall(String name, int channels, int outputs, int patch) {
        return new VisionTransformer(name, channels, outputs, patch, 384, 12, 6, 1536, 224);
    }

    /**
     * The U-Nets ({@link UNet}): {@code unet-ENCODER} on each encoder below, with the encoder's family, input size,
     * normalisation and (published or local) weights. Decoder widths, deepest stage first, one stage per halving
     * of the stride: 256-128-64-32-16 on the stride-32 encoders (resnet18, resnet50, mobilenet-v2, as
     * segmentation_models_pytorch's U-Net), 128-64-32-16-16 on mobilenet-v2-0.35-keras (its deepest skips have 11
     * and 32 channels), 64-32-16 on the stride-8 CBRs; the full-resolution stem 16 channels.
     */
    static {
        unet("resnet18", new int[] {256, 128, 64, 32, 16});
        unet("resnet50", new int[] {256, 128, 64, 32, 16});
        unet("cbr-small", new int[] {64, 32, 16});
        unet("cbr-tiny", new int[] {64, 32, 16});
        unet("mobilenet-v2", new int[] {256, 128, 64, 32, 16});
        unet("mobilenet-v2-0.35-keras", new int[] {128, 64, 32, 16, 16});
    }

    private static final int UNET_STEM_WIDTH = 16;

    private static void unet(String encoder, int[] widths) {
        ModelCard e = MODELS.get(encoder);
        String name = "unet-" + encoder;
        List<String> local = new java.util.ArrayList<>(List.of(encoder + ".safetensors", encoder + ".npz", encoder));
        local.addAll(e.localWeightsNames());
        register(new ModelCard(name, "U-Net on " + encoder + " (decoder " + java.util.Arrays.toString(widths)
                + ", nearest x2 upsampling, full-resolution stem " + UNET_STEM_WIDTH + "): per-pixel logits",
                e.family(), e.defaultImageSize(), e.normalisation(), null, null, local,
                (c, k, w) -> new UNet(name, c, k, e.build(c, k, w), widths, UNET_STEM_WIDTH), encoder));
    }

    private ModelRegistry() {}

    private static ModelCard full(String name, String description, ModelCard.Family family, int imageSize,
                                  Normalisation normalisation, PublishedWeights published, ModelCard.Factory factory) {
        return new ModelCard(name, description, family, imageSize, normalisation, null, published, List.of(), factory);
    }

    /** A slim variant: its full model's family, input and normalisation; its weights are the full model's. */
    private static ModelCard slim(String name, String description, String fullModel, ModelCard.Factory factory) {
        ModelCard full = MODELS.get(fullModel);
        return new ModelCard(name, description, full.family(), full.defaultImageSize(), full.normalisation(),
                fullModel, null, List.of(), factory);
    }

    private static boolean[] allPools(int n) {
        boolean[] p = new boolean[n];
        java.util.Arrays.fill(p, true);
        return p;
    }

    /** Adds a model; later modules (e.g. the ImageNet architectures) register theirs here too. */
    public static synchronized void register(ModelCard card) {
        if (card.slimOf() != null && !MODELS.containsKey(card.slimOf())) {
            throw new IllegalArgumentException(card.name() + " is a slim variant of " + card.slimOf()
                    + ", which is not registered");
        }
        MODELS.put(card.name(), card);
    }

    public static synchronized ModelCard get(String name) {
        ModelCard card = MODELS.get(name);
        if (card == null && name != null && name.indexOf(VARIANT) > 0) {
            card = variant(name);
        }
        if (card == null) {
            throw new BadInputException("unknown model '" + name + "' (expected one of "
                    + String.join(", ", MODELS.keySet()) + ", or a CBR variant such as cbr-small" + VARIANT
                    + "w0.5 or cbr-small" + VARIANT + "d6)");
        }
        return card;
    }

    /** The card of {@code name}, or empty when no model has that name. */
    public static synchronized Optional<ModelCard> find(String name) {
        try {
            return Optional.of(get(name));
        } catch (BadInputException e) {
            return Optional.empty();
        }
    }

    /** What separates a full CBR's name from its variant: {@code cbr-small@w0.5}, {@code cbr-small@d6}. */
    public static final char VARIANT = '@';
    private static final double MAX_WIDTH_FACTOR = 8;
    private static final int MAX_DEPTH = 12;
    private static final Map<String, ModelCard> VARIANTS = new LinkedHashMap<>();

    /**
     * A width or depth variant of a full CBR (issue 30.9: a size sweep that varies one thing at a time):
     * {@code BASE@wF} scales every layer's channels by F (rounded, at least 1; 0 &lt; F &lt;= 8) at the base's depth;
     * {@code BASE@dN} has N layers (1 to 12): the base's first N, or its last width repeated, with the base's pools
     * after the first layers and none after the ones added, so the smallest input is unchanged. Kernel, padding and
     * classifier are the base's; a variant is a full model of its own (no published weights, not slim), of the CBR
     * family and size class small. Made on first use and kept; {@link #all()} lists only the registered models.
     * Null when {@code name} is no variant; a bad input when it names one wrongly.
     */
    private static ModelCard variant(String name) {
        ModelCard known = VARIANTS.get(name);
        if (known != null) {
            return known;
        }
        int at = name.indexOf(VARIANT);
        String baseName = name.substring(0, at);
        String what = name.substring(at + 1);
        ModelCard base = MODELS.get(baseName);
        if (base == null) {
            return null;
        }
        if (base.family() != ModelCard.Family.CBR || base.slimOf() != null || base.isSegmentation()) {
            throw new BadInputException("model '" + name + "': only a full CBR (" + cbrNames() + ") has width and "
                    + "depth variants");
        }
        CbrNet ref = (CbrNet) base.build(3, 2, 1.0);
        String description;
        ModelCard.Factory factory;
        if (what.matches("w[0-9]*\\.?[0-9]+")) {
            double f = Double.parseDouble(what.substring(1));
            if (!(f > 0 && f <= MAX_WIDTH_FACTOR)) {
                throw new BadInputException("model '" + name + "': the width factor must be above 0 and at most "
                        + (int) MAX_WIDTH_FACTOR + ", got " + what.substring(1));
            }
            int[] widths = CbrNet.scaled(ref.widths(), f);
            description = baseName + " at width " + what.substring(1) + ": " + layersText(widths, ref.kernel());
            factory = (c, k, w) -> new CbrNet(name, c, k, CbrNet.scaled(ref.widths(), f * w), ref.kernel(),
                    ref.poolAfter());
        } else if (what.matches("d[0-9]+")) {
            int depth = Integer.parseInt(what.substring(1));
            if (depth < 1 || depth > MAX_DEPTH) {
                throw new BadInputException("model '" + name + "': the depth must be 1 to " + MAX_DEPTH + " layers, "
                        + "got " + depth);
            }
            int[] widths = CbrNet.deepened(ref.widths(), depth);
            boolean[] pools = CbrNet.deepenedPools(ref.poolAfter(), depth);
            description = baseName + " at depth " + depth + ": " + layersText(widths, ref.kernel());
            factory = (c, k, w) -> new CbrNet(name, c, k, CbrNet.scaled(widths, w), ref.kernel(), pools);
        } else {
            throw new BadInputException("model '" + name + "': expected " + baseName + VARIANT + "wF (a width "
                    + "factor, e.g. " + baseName + VARIANT + "w0.5) or " + baseName + VARIANT + "dN (a depth, e.g. "
                    + baseName + VARIANT + "d6)");
        }
        ModelCard card = new ModelCard(name, description, base.family(), base.defaultImageSize(),
                base.normalisation(), null, null, List.of(), factory);
        VARIANTS.put(name, card);
        return card;
    }

    private static String cbrNames() {
        return MODELS.values().stream().filter(c -> c.family() == ModelCard.Family.CBR && c.slimOf() == null
                && !c.isSegmentation()).map(ModelCard::name).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String layersText(int[] widths, int kernel) {
        return "CBR: " + widths.length + " x (" + kernel + "x" + kernel + " conv-bn-relu), "
                + java.util.Arrays.stream(widths).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining("-"));
    }

    public static synchronized Collection<ModelCard> all() {
        return Collections.unmodifiableCollection(List.copyOf(MODELS.values()));
    }
}
