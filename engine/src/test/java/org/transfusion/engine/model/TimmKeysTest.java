package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Normalisation;

/**
 * The safetensors files timm publishes on the Hugging Face hub for the paper's ImageNet models
 * ({@code timm/resnet18.tv_in1k}, {@code timm/resnet50.tv_in1k}, {@code timm/inception_v3.tv_in1k},
 * {@code timm/densenet121.tv_in1k}) have torchvision's state-dict keys and shapes, so they load unchanged into our
 * {@code resnet18}, {@code resnet50}, {@code inception-v3} and {@code densenet121}. No network: the timm lists were
 * derived from timm's source, not from the hub files.
 *
 * <p>How the golden lists were made. timm's source at commit {@code aa4b5850c1543fa488abf260f18390eda46cf85d}
 * (huggingface/pytorch-image-models, "Cpubone (#2733)", version 1.0.29.dev0) was unpacked with {@code git archive
 * HEAD | tar -x -C /tmp/timm-src}; {@code PYTHONPATH=/tmp/timm-src python3} imported it as is (no stubs) on Debian's
 * python3-torch 1.13.1 and python3-torchvision 0.14.1. A throwaway script wrote, for each model,
 * {@code for k, v in model.state_dict().items(): print(k, list(v.shape))} (spaces removed inside the brackets):
 * <ul>
 * <li>{@code timm-resnet18}, {@code timm-resnet50}, {@code timm-inception_v3}, {@code timm-densenet121}:
 * {@code timm.create_model(name, pretrained=False, num_classes=1000)};
 * <li>{@code timm-inception_v3-aux}: the same with {@code aux_logits=True};
 * <li>{@code resnet18}, {@code densenet121}: torchvision's {@code resnet18()} and {@code densenet121()}, as
 * {@link TorchvisionKeysTest} describes (the same script reproduced its {@code resnet50}, {@code inception-v3} and
 * {@code inception-v3-aux} lists byte for byte).
 * </ul>
 *
 * <p>Why a model's state dict is the hub file's key list: timm's hub weights are {@code model.state_dict()} saved by
 * {@code save_for_hf}, and loading runs the model's checkpoint filter first. Per model, in timm's source:
 * <ul>
 * <li>ResNet: {@code _create_resnet} has no filter; {@code BasicBlock}/{@code Bottleneck} keep torchvision's names
 * ({@code conv1, bn1, ..., downsample.0/1, fc}).
 * <li>DenseNet: {@code _filter_torchvision_pretrained} renames the original torchvision .pth layout
 * ({@code denselayerN.norm.1.weight}) to {@code norm1.weight}, exactly as torchvision's own {@code _load_state_dict}
 * does; on keys already in that form it is a no-op (checked in Python on both layouts). timm's norm layers are
 * {@code BatchNormAct2d}, a subclass of {@code BatchNorm2d}, so the parameters, buffers and key names are a plain
 * BatchNorm's.
 * <li>Inception-v3: timm builds no {@code AuxLogits} by default; the tv_in1k checkpoint has them (timm's cfg comment:
 * "checkpoint has aux logit layer weights") and {@code _create_inception_v3} loads it with
 * {@code pretrained_strict=False}, dropping them. Its {@code ConvNormAct} blocks are named {@code conv}/{@code bn},
 * like torchvision's {@code BasicConv2d}. So the hub file has the 580 keys of {@code timm-inception_v3-aux}; our
 * {@code Transfer} skips {@code AuxLogits.*} as it does for torchvision's file.
 * </ul>
 * Whether a given hub file also stores the {@code num_batches_tracked} counters cannot be checked offline; the lists
 * here have them (timm's BN layers register them), and {@code Transfer} accepts files with or without them.
 *
 * <p>The tv_in1k pretrained configs, as timm's source states them (and {@code get_pretrained_cfg} resolves them):
 * <pre>
 * resnet18.tv_in1k:     hf_hub_id timm/resnet18.tv_in1k, input_size (3, 224, 224), IMAGENET_DEFAULT mean/std,
 *                       first_conv conv1, classifier fc, license bsd-3-clause, num_classes 1000
 * resnet50.tv_in1k:     hf_hub_id timm/resnet50.tv_in1k, input_size (3, 224, 224), IMAGENET_DEFAULT mean/std,
 *                       first_conv conv1, classifier fc, license bsd-3-clause, num_classes 1000
 * inception_v3.tv_in1k: hf_hub_id timm/inception_v3.tv_in1k, input_size (3, 299, 299), IMAGENET_INCEPTION mean/std,
 *                       first_conv Conv2d_1a_3x3.conv, classifier fc, license apache-2.0, num_classes 1000
 * densenet121.tv_in1k:  hf_hub_id timm/densenet121.tv_in1k, input_size (3, 224, 224), IMAGENET_DEFAULT mean/std,
 *                       first_conv features.conv0, classifier classifier, license apache-2.0, num_classes 1000
 * </pre>
 * IMAGENET_DEFAULT = mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225); IMAGENET_INCEPTION = mean and std
 * (0.5, 0.5, 0.5). The hf_hub_id is written {@code 'timm/'} in the cfg and completed with the model name and tag by
 * {@code generate_default_cfgs}. Licences: the resnet cfgs say {@code license='bsd-3-clause'} explicitly; inception
 * and densenet inherit their {@code _cfg} default {@code 'apache-2.0'} although the weights are torchvision's.
 */
class TimmKeysTest {

    /** One tv_in1k pretrained_cfg, values copied from timm's source (see the class comment). */
    private record TimmCfg(String tag, int imageSize, Normalisation meanStd, String firstConv, String classifier,
            String license) {
    }

    private static final TimmCfg RESNET18 = new TimmCfg("resnet18.tv_in1k", 224, Normalisation.IMAGENET, "conv1", "fc",
            "bsd-3-clause");
    private static final TimmCfg RESNET50 = new TimmCfg("resnet50.tv_in1k", 224, Normalisation.IMAGENET, "conv1", "fc",
            "bsd-3-clause");
    private static final TimmCfg INCEPTION_V3 = new TimmCfg("inception_v3.tv_in1k", 299, Normalisation.INCEPTION,
            "Conv2d_1a_3x3.conv", "fc", "apache-2.0");
    private static final TimmCfg DENSENET121 = new TimmCfg("densenet121.tv_in1k", 224, Normalisation.IMAGENET, "features.conv0",
            "classifier", "apache-2.0");

    /**
     * The default checkpoints of the modern backbones, their cfgs as timm's source states them at the same commit
     * (scripts/modern_backbones_reference.py wrote their golden lists the same way, num_classes=1000):
     * <pre>
     * vit_small_patch16_224.augreg_in21k_ft_in1k: input_size (3, 224, 224), mean/std 0.5, first_conv patch_embed.proj,
     *                       classifier head, license apache-2.0, num_classes 1000
     * convnext_tiny.fb_in1k: input_size (3, 224, 224), IMAGENET_DEFAULT mean/std, first_conv stem.0, classifier head.fc,
     *                       license apache-2.0, num_classes 1000
     * </pre>
     * timm's ViT and ConvNeXt hub files are {@code model.state_dict()} saved as they are; neither model's checkpoint
     * filter renames keys already in timm's form.
     */
    private static final TimmCfg VIT_SMALL = new TimmCfg("vit_small_patch16_224.augreg_in21k_ft_in1k", 224,
            Normalisation.INCEPTION, "patch_embed.proj", "head", "apache-2.0");
    private static final TimmCfg CONVNEXT_TINY = new TimmCfg("convnext_tiny.fb_in1k", 224, Normalisation.IMAGENET,
            "stem.0", "head.fc", "apache-2.0");

    private static List<String> golden(String name) throws IOException {
        try (InputStream in = TimmKeysTest.class.getResourceAsStream("/golden/" + name + ".keys.txt")) {
            assertThat(in).as("golden list " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
                    .collect(Collectors.toList());
        }
    }

    private static Set<String> set(List<String> lines) {
        Set<String> s = new LinkedHashSet<>(lines);
        assertThat(s).as("no duplicate lines").hasSize(lines.size());
        return s;
    }

    /** timm's list equals torchvision's as a set of {@code key [shape]}, and (as it happens) in the same order. */
    private static List<String> assertSameAsTorchvision(String timm, String torchvision, int size) throws IOException {
        List<String> t = golden(timm);
        List<String> tv = golden(torchvision);
        assertThat(t).as(timm).hasSize(size);
        assertThat(set(t)).as(timm + " vs " + torchvision).isEqualTo(set(tv));
        assertThat(t).as(timm + " order").containsExactlyElementsOf(tv);
        return t;
    }

    /** The cfg's first conv takes 3 channels and its classifier has 1000 outputs, under keys that are in the list. */
    private static void assertCfgPointsAtRealTensors(List<String> keys, TimmCfg cfg) {
        String conv = cfg.firstConv() + ".weight [";
        assertThat(keys).as(cfg.tag())
                .anySatisfy(l -> assertThat(l).startsWith(conv).matches(".* \\[\\d+,3,\\d+,\\d+\\]"));
        assertThat(keys).as(cfg.tag()).anySatisfy(l -> assertThat(l).startsWith(cfg.classifier() + ".weight [1000,"));
        assertThat(keys).as(cfg.tag()).contains(cfg.classifier() + ".bias [1000]");
    }

    /** Where the model is registered here, its metadata agrees with timm's cfg and its keys with timm's list. */
    private static void assertOursAgrees(String ours, TimmCfg cfg, List<String> timm) {
        ModelCard info = ModelRegistry.get(ours);
        assertThat(info.firstConvKey()).isEqualTo(cfg.firstConv() + ".weight");
        assertThat(info.classifierPrefix()).isEqualTo(cfg.classifier());
        assertThat(info.defaultImageSize()).isEqualTo(cfg.imageSize());
        assertThat(info.normalisation()).isEqualTo(cfg.meanStd());
        List<String> keys = info.build(3, 1000, 1.0).specs().values().stream()
                .map(s -> s.key() + " " + Arrays.toString(s.shape()).replace(" ", ""))
                .collect(Collectors.toList());
        assertThat(keys).as(ours + " vs timm").containsExactlyElementsOf(timm);
    }

    @Test
    void resnet18TimmKeysAreTorchvisions() throws IOException {
        List<String> t = assertSameAsTorchvision("timm-resnet18", "resnet18", 122);
        assertThat(t).contains("layer2.0.downsample.0.weight [128,64,1,1]", "fc.weight [1000,512]",
                "bn1.num_batches_tracked []");
        assertCfgPointsAtRealTensors(t, RESNET18);
    }

    @Test
    void resnet50TimmKeysAreTorchvisionsAndOurs() throws IOException {
        List<String> t = assertSameAsTorchvision("timm-resnet50", "resnet50", 320);
        assertCfgPointsAtRealTensors(t, RESNET50);
        assertOursAgrees("resnet50", RESNET50, t);
    }

    @Test
    void inceptionV3TimmKeysAreTorchvisionsAndTheCheckpointAddsOnlyAuxLogits() throws IOException {
        List<String> plain = assertSameAsTorchvision("timm-inception_v3", "inception-v3", 566);
        List<String> aux = assertSameAsTorchvision("timm-inception_v3-aux", "inception-v3-aux", 580);
        // The tv_in1k file holds the aux list; timm (and our Transfer) drop exactly the AuxLogits.* tensors.
        Set<String> extra = new LinkedHashSet<>(aux);
        extra.removeAll(plain);
        assertThat(set(aux)).containsAll(plain);
        assertThat(extra).hasSize(14).allSatisfy(l -> assertThat(l).startsWith("AuxLogits."))
                .contains("AuxLogits.conv0.conv.weight [128,768,1,1]", "AuxLogits.conv1.conv.weight [768,128,5,5]",
                        "AuxLogits.fc.weight [1000,768]", "AuxLogits.fc.bias [1000]");
        assertThat(plain).noneMatch(l -> l.startsWith("AuxLogits."));
        assertCfgPointsAtRealTensors(plain, INCEPTION_V3);
        assertOursAgrees("inception-v3", INCEPTION_V3, plain);
    }

    @Test
    void densenet121TimmKeysAreTorchvisionsAfterTheNormRename() throws IOException {
        List<String> t = assertSameAsTorchvision("timm-densenet121", "densenet121", 727);
        assertThat(t).contains("features.conv0.weight [64,3,7,7]",
                "features.denseblock1.denselayer1.norm1.weight [64]",
                "features.denseblock1.denselayer1.conv2.weight [32,128,3,3]",
                "features.transition1.conv.weight [128,256,1,1]", "features.norm5.running_var [1024]",
                "classifier.weight [1000,1024]");
        // Both lists are in the post-rename form (norm1/conv1/norm2/conv2), never the old .pth's norm.1 / conv.2.
        assertThat(t).noneMatch(l -> l.matches(".*denselayer\\d+\\.(norm|relu|conv)\\.[12]\\..*"));
        assertCfgPointsAtRealTensors(t, DENSENET121);
    }

    @Test
    void vitSmallHasTimmsKeysShapesAndCfg() throws IOException {
        List<String> t = golden("timm-vit_small_patch16_224");
        assertThat(set(t)).hasSize(152);
        assertThat(t).contains("cls_token [1,1,384]", "pos_embed [1,197,384]", "blocks.11.attn.qkv.weight [1152,384]",
                "blocks.0.mlp.fc1.weight [1536,384]", "norm.weight [384]");
        assertCfgPointsAtRealTensors(t, VIT_SMALL);
        assertOursAgrees("vit-small-p16", VIT_SMALL, t);
        assertThat(ModelRegistry.get("vit-small-p16").published().licence()).isEqualToIgnoringCase(VIT_SMALL.license());
    }

    /** vit-small-p8 has the layout of timm's vit_small_patch8_224 (whose dino checkpoint has no head). */
    @Test
    void vitSmallP8HasTimmsKeysAndShapes() throws IOException {
        List<String> t = golden("timm-vit_small_patch8_224");
        assertThat(t).contains("pos_embed [1,785,384]", "patch_embed.proj.weight [384,3,8,8]");
        List<String> ours = ModelRegistry.get("vit-small-p8").build(3, 1000, 1.0).specs().values().stream()
                .map(s -> s.key() + " " + Arrays.toString(s.shape()).replace(" ", "")).collect(Collectors.toList());
        assertThat(ours).containsExactlyElementsOf(t);
    }

    @Test
    void convnextTinyHasTimmsKeysShapesAndCfg() throws IOException {
        List<String> t = golden("timm-convnext_tiny");
        assertThat(set(t)).hasSize(182);
        assertThat(t).contains("stem.0.weight [96,3,4,4]", "stages.1.downsample.1.weight [192,96,2,2]",
                "stages.2.blocks.8.conv_dw.weight [384,1,7,7]", "stages.3.blocks.2.gamma [768]",
                "head.norm.weight [768]");
        assertCfgPointsAtRealTensors(t, CONVNEXT_TINY);
        assertOursAgrees("convnext-tiny", CONVNEXT_TINY, t);
        assertThat(ModelRegistry.get("convnext-tiny").published().licence())
                .isEqualToIgnoringCase(CONVNEXT_TINY.license());
    }
}
