package org.transfusion.engine.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.data.SharedData;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.engine.model.TensorSpec;
import org.transfusion.engine.model.UNet;
import org.transfusion.engine.weights.KerasMobileNetV2;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Init schemes on a U-Net apply to its encoder as to the classifier it is (a classifier's weights file, {@code X}
 * landing in {@code encoder.X}, its head skipped) and leave the decoder exactly as {@link RandomInit} draws it.
 */
class UNetInitTest {
    private static final long SEED = 5;
    @TempDir static Path dir;
    static Path resnet18;
    static StateDict resnet18Source;
    static Path cbrSmall;
    static StateDict cbrSource;

    /** "Pretrained" weights of a classifier with 1000 classes: each tensor offset and scaled apart from random. */
    private static StateDict pretrained(String model) {
        Architecture a = ModelRegistry.get(model).build(3, 1000, 1);
        StateDict s = RandomInit.of(a, 99);
        int i = 0;
        for (TensorSpec spec : a.specs().values()) {
            float[] v = s.get(spec.key()).values();
            for (int k = 0; k < v.length; k++) {
                v[k] = spec.kind() == TensorKind.BN_RUNNING_VAR ? 0.5f + 0.01f * i : v[k] * (1 + 0.1f * i) + 0.01f * i;
            }
            i++;
        }
        return s;
    }

    @BeforeAll
    static void weights() {
        resnet18Source = pretrained("resnet18");
        resnet18 = dir.resolve("resnet18.safetensors");
        SafeTensors.write(resnet18, resnet18Source, Map.of());
        cbrSource = pretrained("cbr-small");
        cbrSmall = dir.resolve("cbr-small.safetensors");
        SafeTensors.write(cbrSmall, cbrSource, Map.of());
    }

    private static StateDict random(Architecture a) {
        return RandomInit.of(a, Seeds.stream(SEED, "init"));
    }

    /** Bit for bit (AssertJ's containsExactly is quadratic on the millions of values of a ResNet layer). */
    private static void assertSame(String key, HostTensor got, HostTensor expected) {
        assertThat(Arrays.equals(got.values(), expected.values())).as(key + " bit for bit").isTrue();
    }

    private static void assertDecoderIsRandom(Architecture a, InitResult r) {
        StateDict random = random(a);
        long decoder = 0;
        for (String key : a.specs().keySet()) {
            if (key.startsWith("decoder.")) {
                assertSame(key, r.weights().get(key), random.get(key));
                decoder++;
            }
        }
        assertThat(decoder).isPositive();
        assertThat((String) r.report().get("decoder")).startsWith("random (").endsWith(", " + decoder + " tensors");
    }

    @Test
    void pretrainedResNet18WeightsLandInTheEncoderBitExactAndTheDecoderIsRandom() {
        Architecture a = ModelRegistry.get("unet-resnet18").build(3, 1, 1);
        InitResult r = InitSchemes.apply("pretrained", a, resnet18, SEED);
        int copied = 0;
        for (String key : resnet18Source.keys()) {
            if (key.startsWith("fc.") || key.endsWith("num_batches_tracked")) {
                continue;
            }
            assertSame(key, r.weights().get(UNet.ENCODER + key), resnet18Source.get(key));
            copied++;
        }
        assertDecoderIsRandom(a, r);
        @SuppressWarnings("unchecked")
        Map<String, Object> transfer = (Map<String, Object>) r.report().get("transfer");
        assertThat(transfer.get("copied")).isEqualTo(copied);
        assertThat(transfer.get("reinitialised")).asList().isEmpty();
        assertThat(transfer.get("skipped_by_rule").toString()).contains("fc.weight", "fc.bias");
    }

    /** A study chains runs: a U-Net's weights (keys already under encoder.) give another U-Net its encoder. */
    @Test
    void aUNetsWeightsGiveAnotherUNetItsEncoder() {
        Architecture first = ModelRegistry.get("unet-cbr-small").build(3, 1, 1);
        StateDict trained = InitSchemes.apply("meanvar", first, cbrSmall, 11).weights();
        Path file = dir.resolve("unet-run.safetensors");
        SafeTensors.write(file, trained, Map.of());
        Architecture second = ModelRegistry.get("unet-cbr-small").build(3, 4, 1);
        InitResult r = InitSchemes.apply("pretrained", second, file, SEED);
        for (String key : second.specs().keySet()) {
            if (key.startsWith(UNet.ENCODER) && !key.endsWith("num_batches_tracked")) {
                assertSame(key, r.weights().get(key), trained.get(key));
            }
        }
        assertDecoderIsRandom(second, r);
    }

    @Test
    void transfusionKeepsTheEncoderUpToTheBlockAndNothingAbove() {
        Architecture a = ModelRegistry.get("unet-resnet18").build(3, 2, 1);
        InitResult r = InitSchemes.apply("transfusion:layer2", a, resnet18, SEED);
        StateDict random = random(a);
        for (TensorSpec spec : a.specs().values()) {
            String key = spec.key();
            if (spec.kind() == TensorKind.BN_BATCHES_TRACKED) {
                continue;
            }
            String block = a.blockOf(key);
            HostTensor expected = List.of("conv1", "layer1", "layer2").contains(block)
                    ? resnet18Source.get(key.substring(UNet.ENCODER.length())) : random.get(key);
            assertSame(key, r.weights().get(key), expected);
        }
        assertDecoderIsRandom(a, r);
        assertThatThrownBy(() -> InitSchemes.apply("transfusion:decoder", a, resnet18, SEED))
                .isInstanceOf(BadInputException.class).hasMessageContaining("always random");
        assertThatThrownBy(() -> InitSchemes.apply("transfusion:fc", a, resnet18, SEED))
                .isInstanceOf(BadInputException.class).hasMessageContaining("unknown block 'fc'");
    }

    @Test
    void meanVarDrawsTheEncoderFromTheClassifiersStatistics() {
        Architecture a = ModelRegistry.get("unet-cbr-small").build(3, 1, 1);
        InitResult r = InitSchemes.apply("meanvar", a, cbrSmall, SEED);
        for (TensorSpec spec : a.specs().values()) {
            if (!spec.key().startsWith(UNet.ENCODER)) {
                continue;
            }
            HostTensor got = r.weights().get(spec.key());
            HostTensor src = cbrSource.get(spec.key().substring(UNet.ENCODER.length()));
            if (spec.kind() == TensorKind.BN_WEIGHT || spec.kind() == TensorKind.BN_RUNNING_VAR) {
                assertThat(got.values()).as(spec.key()).containsOnly(1f);
            } else if (spec.kind() == TensorKind.CONV_WEIGHT) {
                int n = got.values().length; // 5 sigma of the sample mean and std, as InitSchemesTest
                assertThat(got.mean()).as(spec.key()).isCloseTo(src.mean(), within(5 * src.std() / Math.sqrt(n)));
                assertThat(got.std()).as(spec.key()).isCloseTo(src.std(), within(5 * src.std() / Math.sqrt(2.0 * n)));
                assertThat(got.values()).isNotEqualTo(src.values());
            }
        }
        assertDecoderIsRandom(a, r);
    }

    /** Every other scheme that reads weights applies to the encoder alone; slim, which needs a slim model, is refused. */
    @Test
    void everySchemeLeavesTheDecoderRandom() {
        Architecture a = ModelRegistry.get("unet-cbr-small").build(1, 1, 1);
        for (String scheme : List.of("meanvar-bn-copy", "shuffle", "moments", "covariance", "meanvar-channel",
                "gabor", "gabor+meanvar:low")) {
            InitResult r = InitSchemes.apply(scheme, a, scheme.equals("gabor") ? null : cbrSmall, SEED);
            assertDecoderIsRandom(a, r);
            assertThat(r.weights().get("encoder.layers.0.conv.weight").shape()).containsExactly(32, 1, 7, 7);
        }
        assertDecoderIsRandom(a, InitSchemes.apply("random", a, null, SEED));
        assertThatThrownBy(() -> InitSchemes.apply("slim", a, cbrSmall, SEED))
                .isInstanceOf(BadInputException.class).hasMessageContaining("needs a slim model");
        assertThatThrownBy(() -> InitSchemes.apply("pretrained", ModelRegistry.get("unet-resnet18").build(3, 1, 1),
                cbrSmall, SEED)).isInstanceOf(BadInputException.class).hasMessageContaining("does not fit");
    }

    @Test
    void kerasMobileNetV2WeightsGiveTheEncoderOfItsUNet() {
        Path folder = SharedData.file("weights/mobilenet_v2_035_imagenet/"
                + "mobilenet_v2_035_224_imagenet_backbone_float32.npz").getParent();
        Architecture a = ModelRegistry.get("unet-mobilenet-v2-0.35-keras").build(3, 1, 1);
        InitResult r = InitSchemes.apply("pretrained", a, folder, SEED);
        StateDict keras = KerasMobileNetV2.load(folder, a.transferSource(), SEED).weights();
        for (String key : keras.keys()) {
            if (!key.startsWith("classifier.") && !key.endsWith("num_batches_tracked")) {
                assertSame(key, r.weights().get(UNet.ENCODER + key), keras.get(key));
            }
        }
        assertDecoderIsRandom(a, r);
    }
}
