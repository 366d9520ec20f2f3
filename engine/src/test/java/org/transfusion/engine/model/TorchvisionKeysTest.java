package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Normalisation;

/**
 * Our ImageNet architectures have torchvision's state-dict keys, shapes and order, so torchvision/timm weights
 * load unchanged. The golden lists under {@code src/test/resources/golden/} are {@code key shape} per line, written
 * by a throwaway script with Debian's python3-torchvision 0.14.1 (torch 1.13): for each model, {@code for k, v in
 * model.state_dict().items(): print(k, list(v.shape))} with 1000 classes, for {@code resnet18()}, {@code
 * resnet50()}, {@code densenet121()}, {@code inception_v3(aux_logits=False|True, init_weights=False)} and {@code
 * mobilenet_v2(width_mult=1.0|0.35)}; the spaces inside the shape lists removed.
 */
class TorchvisionKeysTest {

    private static List<String> golden(String name) throws IOException {
        try (InputStream in = TorchvisionKeysTest.class.getResourceAsStream("/golden/" + name + ".keys.txt")) {
            assertThat(in).as("golden list " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
                    .collect(Collectors.toList());
        }
    }

    private static List<String> ours(Architecture a) {
        List<String> out = new ArrayList<>();
        for (TensorSpec s : a.specs().values()) {
            out.add(s.key() + " " + Arrays.toString(s.shape()).replace(" ", ""));
        }
        return out;
    }

    @Test
    void resnet50MatchesTorchvision() throws IOException {
        List<String> golden = golden("resnet50");
        assertThat(golden).hasSize(320).contains("layer1.0.downsample.0.weight [256,64,1,1]",
                "bn1.num_batches_tracked []");
        assertThat(ours(ModelRegistry.get("resnet50").build(3, 1000, 1.0))).containsExactlyElementsOf(golden);
    }

    @Test
    void resnet18MatchesTorchvision() throws IOException {
        List<String> golden = golden("resnet18");
        // Basic blocks: two 3x3 convs, no expansion, so layer1 needs no downsample and layer2.0 projects 64 -> 128.
        assertThat(golden).hasSize(122).contains("layer1.1.conv2.weight [64,64,3,3]",
                "layer2.0.downsample.0.weight [128,64,1,1]", "fc.weight [1000,512]");
        assertThat(ours(ModelRegistry.get("resnet18").build(3, 1000, 1.0))).containsExactlyElementsOf(golden);
    }

    @Test
    void densenet121MatchesTorchvision() throws IOException {
        List<String> golden = golden("densenet121");
        // Channels: 64 + 6 x 32 = 256 into transition1, 128 + 12 x 32 = 512, 256 + 24 x 32 = 1024, 512 + 16 x 32.
        assertThat(golden).hasSize(727).contains("features.transition1.conv.weight [128,256,1,1]",
                "features.transition3.conv.weight [512,1024,1,1]",
                "features.denseblock4.denselayer16.conv1.weight [128,992,1,1]", "features.norm5.weight [1024]",
                "classifier.weight [1000,1024]");
        assertThat(ours(ModelRegistry.get("densenet121").build(3, 1000, 1.0))).containsExactlyElementsOf(golden);
    }

    @Test
    void inceptionV3MatchesTorchvisionWithAndWithoutAuxLogits() throws IOException {
        List<String> golden = golden("inception-v3");
        assertThat(golden).hasSize(566);
        assertThat(ours(ModelRegistry.get("inception-v3").build(3, 1000, 1.0))).containsExactlyElementsOf(golden);
        assertThat(ours(new InceptionV3("inception-v3", 3, 1000, true)))
                .containsExactlyElementsOf(golden("inception-v3-aux"));
    }

    @Test
    void mobilenetV2MatchesTorchvisionAtWidths1And035() throws IOException {
        assertThat(ours(ModelRegistry.get("mobilenet-v2").build(3, 1000, 1.0)))
                .containsExactlyElementsOf(golden("mobilenet-v2-1.0"));
        List<String> narrow = golden("mobilenet-v2-0.35");
        // 0.35 rounds 32 -> 16 stem channels, 160 -> 56 (x6 = 336 hidden), 320 -> 112, and keeps 1280 last channels.
        assertThat(narrow).contains("features.0.0.weight [16,3,3,3]", "features.17.conv.2.weight [112,336,1,1]",
                "classifier.1.weight [1000,1280]");
        assertThat(ours(ModelRegistry.get("mobilenet-v2").build(3, 1000, 0.35))).containsExactlyElementsOf(narrow);
        // The Keras style only changes padding and BN eps, never keys or shapes.
        assertThat(ours(ModelRegistry.get("mobilenet-v2-keras").build(3, 1000, 0.35))).containsExactlyElementsOf(narrow);
    }

    /** The slim ResNet's keys are the full one's, with the shapes of conv1..layer2 unchanged. */
    private static Architecture resnetSlim(String name) {
        Architecture full = ModelRegistry.get(name).build(3, 10, 1.0);
        Architecture slim = ModelRegistry.get(name + "-slim").build(3, 10, 1.0);
        assertThat(slim.specs().keySet()).containsExactlyElementsOf(full.specs().keySet());
        for (TensorSpec s : full.specs().values()) {
            String block = full.blockOf(s.key());
            if (List.of("conv1", "layer1", "layer2").contains(block)) {
                assertThat(slim.specs().get(s.key()).shape()).as(s.key()).isEqualTo(s.shape());
            }
        }
        assertThat(slim.slimBoundary()).isEqualTo("layer2");
        assertThat(full.slimBoundary()).isNull();
        return slim;
    }

    @Test
    void slimVariantsKeepTheLowerBlocksAndHalveTheRest() throws IOException {
        Architecture slim = resnetSlim("resnet50");
        assertThat(slim.specs().get("layer3.0.conv1.weight").shape()).containsExactly(128, 512, 1, 1);
        assertThat(slim.specs().get("layer3.0.conv3.weight").shape()).containsExactly(512, 128, 1, 1);
        assertThat(slim.specs().get("layer4.2.conv3.weight").shape()).containsExactly(1024, 256, 1, 1);
        assertThat(slim.specs().get("fc.weight").shape()).containsExactly(10, 1024);

        // resnet18: layer3 at 128 channels (as layer2) still projects its shortcut, since layer3.0 strides.
        Architecture slim18 = resnetSlim("resnet18");
        assertThat(slim18.specs().get("layer3.0.conv1.weight").shape()).containsExactly(128, 128, 3, 3);
        assertThat(slim18.specs().get("layer3.0.downsample.0.weight").shape()).containsExactly(128, 128, 1, 1);
        assertThat(slim18.specs().get("layer4.1.conv2.weight").shape()).containsExactly(256, 256, 3, 3);
        assertThat(slim18.specs().get("fc.weight").shape()).containsExactly(10, 256);

        Architecture mFull = ModelRegistry.get("mobilenet-v2").build(3, 10, 1.0);
        Architecture mSlim = ModelRegistry.get("mobilenet-v2-slim").build(3, 10, 1.0);
        assertThat(mSlim.specs().keySet()).containsExactlyElementsOf(mFull.specs().keySet());
        assertThat(mSlim.specs().get("features.6.conv.2.weight").shape())
                .isEqualTo(mFull.specs().get("features.6.conv.2.weight").shape());
        // features.7 projects to 64 / 2 = 32 channels; the last conv to 1280 / 2 = 640.
        assertThat(mSlim.specs().get("features.7.conv.2.weight").shape()).containsExactly(32, 192, 1, 1);
        assertThat(mSlim.specs().get("classifier.1.weight").shape()).containsExactly(10, 640);
    }

    @Test
    void blocksAndProbeLayersAreTheDocumentedOnes() {
        Architecture r = ModelRegistry.get("resnet50").build(3, 2, 1.0);
        assertThat(r.blocks()).containsExactly("conv1", "layer1", "layer2", "layer3", "layer4", "fc");
        assertThat(r.blockOf("bn1.running_var")).isEqualTo("conv1");
        assertThat(r.blockOf("layer2.0.downsample.1.weight")).isEqualTo("layer2");
        // The last block of a stage is probed once, as the stage (issue 30: no tensor probed twice).
        assertThat(r.layers()).startsWith("conv1", "layer1.0", "layer1.1", "layer1", "layer2.0")
                .endsWith("layer4.0", "layer4.1", "layer4", "pool").hasSize(1 + 16 + 1);

        Architecture r18 = ModelRegistry.get("resnet18").build(3, 2, 1.0);
        assertThat(r18.blocks()).isEqualTo(r.blocks());
        assertThat(r18.layers()).containsExactly("conv1", "layer1.0", "layer1", "layer2.0", "layer2", "layer3.0",
                "layer3", "layer4.0", "layer4", "pool");

        Architecture d = ModelRegistry.get("densenet121").build(3, 2, 1.0);
        assertThat(d.blocks()).containsExactly("conv0", "denseblock1", "transition1", "denseblock2", "transition2",
                "denseblock3", "transition3", "denseblock4", "classifier");
        assertThat(d.blockOf("features.norm0.running_mean")).isEqualTo("conv0");
        assertThat(d.blockOf("features.denseblock2.denselayer12.conv2.weight")).isEqualTo("denseblock2");
        assertThat(d.blockOf("features.transition3.norm.weight")).isEqualTo("transition3");
        assertThat(d.blockOf("features.norm5.weight")).isEqualTo("denseblock4");
        assertThat(d.layers()).containsExactly("conv0", "denseblock1", "transition1", "denseblock2", "transition2",
                "denseblock3", "transition3", "denseblock4", "pool");
        assertThat(d.slimBoundary()).isNull();

        Architecture i = ModelRegistry.get("inception-v3").build(3, 2, 1.0);
        assertThat(i.blocks()).containsExactly("stem1", "stem2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a",
                "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c", "fc");
        assertThat(i.layers()).containsExactly("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b",
                "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c", "pool");

        Architecture m = ModelRegistry.get("mobilenet-v2").build(3, 2, 0.35);
        List<String> features = new ArrayList<>();
        for (int k = 0; k <= 18; k++) {
            features.add("features." + k);
        }
        List<String> blocks = new ArrayList<>(features);
        blocks.add("classifier");
        assertThat(m.blocks()).containsExactlyElementsOf(blocks);
        features.add("pool");
        assertThat(m.layers()).containsExactlyElementsOf(features);
    }

    @Test
    void registryMetadataPointsAtRealTensors() {
        for (String name : List.of("resnet18", "resnet18-slim", "resnet50", "resnet50-slim", "densenet121",
                "inception-v3", "mobilenet-v2", "mobilenet-v2-slim", "mobilenet-v2-keras")) {
            ModelCard info = ModelRegistry.get(name);
            Architecture a = info.build(3, 2, 1.0);
            assertThat(a.specs()).as(name).containsKey(info.firstConvKey());
            assertThat(info.firstConvKey()).isEqualTo(a.firstConvPrefix() + ".weight");
            assertThat(info.classifierPrefix()).isEqualTo(a.classifierPrefix());
            assertThat(a.specs()).containsKey(info.classifierKey());
            // Inputs in [-1, 1] for weights that were trained that way (see Normalisation), ImageNet mean/std else.
            boolean minusOneToOne = name.equals("inception-v3") || name.equals("mobilenet-v2-keras");
            assertThat(info.normalisation()).as(name)
                    .isEqualTo(minusOneToOne ? Normalisation.INCEPTION : Normalisation.IMAGENET);
            assertThat(info.defaultImageSize()).isEqualTo(name.startsWith("inception") ? 299 : 224);
        }
    }
}
