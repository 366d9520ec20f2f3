package org.transfusion.engine.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.engine.model.TensorSpec;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

@Tag("slow") // trains real networks for over 20 s: left out of the fast loop (-Pfast), run by ./mvnw verify
class InitSchemesTest {
    @TempDir static Path dir;
    static Path pretrained;
    static StateDict source;

    /** "Pretrained" weights for cbr-small with 10 classes: each tensor offset and scaled so its mean/std are known. */
    @BeforeAll
    static void weights() {
        Architecture a = ModelRegistry.get("cbr-small").build(3, 10, 1);
        source = RandomInit.of(a, 99);
        int i = 0;
        for (TensorSpec spec : a.specs().values()) {
            float[] v = source.get(spec.key()).values();
            for (int k = 0; k < v.length; k++) {
                v[k] = v[k] * (1 + 0.1f * i) + 0.01f * i; // distinct mean and spread per tensor
            }
            i++;
        }
        pretrained = dir.resolve("pretrained.safetensors");
        SafeTensors.write(pretrained, source, Map.of());
    }

    private static Architecture target(int classes) {
        return ModelRegistry.get("cbr-small").build(3, classes, 1);
    }

    @Test
    void pretrainedCopiesEverythingButANewHead() {
        InitResult r = InitSchemes.apply("pretrained", target(2), pretrained, 0);
        assertThat(r.weights().get("layers.2.conv.weight").values())
                .containsExactly(source.get("layers.2.conv.weight").values());
        assertThat(r.weights().get("fc.weight").shape()).containsExactly(2, 256);
        @SuppressWarnings("unchecked")
        Map<String, Object> transfer = (Map<String, Object>) r.report().get("transfer");
        assertThat(transfer.get("reinitialised")).asList().containsExactly("fc.weight", "fc.bias");
    }

    @Test
    void firstConvIsAdaptedForGreyInputBySummingChannels() {
        Architecture grey = ModelRegistry.get("cbr-small").build(1, 2, 1);
        InitResult r = InitSchemes.apply("pretrained", grey, pretrained, 0);
        float[] src = source.get("layers.0.conv.weight").values(); // (32, 3, 7, 7)
        float[] got = r.weights().get("layers.0.conv.weight").values(); // (32, 1, 7, 7)
        // Filter 5, position 10: the sum of the three colour channels' values at that position.
        int hw = 49;
        float expected = src[(5 * 3) * hw + 10] + src[(5 * 3 + 1) * hw + 10] + src[(5 * 3 + 2) * hw + 10];
        assertThat(got[5 * hw + 10]).isEqualTo(expected);
    }

    @Test
    void meanVarMatchesEachTensorsStatisticsAndResetsBatchNorm() {
        Architecture a = target(10);
        InitResult r = InitSchemes.apply("meanvar", a, pretrained, 3);
        for (TensorSpec spec : a.specs().values()) {
            HostTensor got = r.weights().get(spec.key());
            HostTensor src = source.get(spec.key());
            if (spec.kind() == TensorKind.BN_WEIGHT || spec.kind() == TensorKind.BN_RUNNING_VAR) {
                assertThat(got.values()).as(spec.key()).containsOnly(1f);
            } else if (spec.kind().isBatchNorm()) {
                assertThat(got.values()).as(spec.key()).containsOnly(0f);
            } else if (got.values().length >= 1000) {
                // Sampling error of a mean of n normals is std/sqrt(n); of a std, about std/sqrt(2n). 5 sigma.
                int n = got.values().length;
                assertThat(got.mean()).as(spec.key()).isCloseTo(src.mean(), within(5 * src.std() / Math.sqrt(n)));
                assertThat(got.std()).as(spec.key()).isCloseTo(src.std(), within(5 * src.std() / Math.sqrt(2.0 * n)));
                assertThat(got.values()).isNotEqualTo(src.values());
            }
        }
    }

    @Test
    void meanVarWithBatchNormCopyKeepsPretrainedBatchNorm() {
        InitResult r = InitSchemes.apply("meanvar-bn-copy", target(10), pretrained, 3);
        assertThat(r.weights().get("layers.1.bn.running_var").values())
                .containsExactly(source.get("layers.1.bn.running_var").values());
    }

    private static final List<String> REDRAWN = List.of("shuffle", "moments", "covariance", "meanvar-channel");

    @Test
    void redrawSchemesParseToTheirCanonicalNamesAndNeedWeights() {
        for (String name : REDRAWN) {
            InitScheme s = InitScheme.parse(" " + name.toUpperCase(java.util.Locale.ROOT) + " ");
            assertThat(s).isInstanceOf(InitScheme.Redrawn.class);
            assertThat(s.spec()).isEqualTo(name);
            assertThat(s.needsWeights()).isTrue();
            assertThat(InitScheme.CHOICES).contains(name);
            assertThatThrownBy(() -> InitSchemes.apply(name, target(2), null, 0))
                    .isInstanceOf(BadInputException.class).hasMessageContaining("--init " + name + " needs --weights");
        }
        assertThatThrownBy(() -> InitScheme.parse("moment"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("moments, covariance, meanvar-channel");
    }

    /** Same seed, same tensors; another seed, other draws (each scheme draws from its own stream under the seed). */
    @Test
    void redrawSchemesAreReproducibleFromTheSeed() {
        Architecture a = target(10);
        for (String scheme : REDRAWN) {
            StateDict first = InitSchemes.apply(scheme, a, pretrained, 7).weights();
            StateDict again = InitSchemes.apply(scheme, a, pretrained, 7).weights();
            StateDict other = InitSchemes.apply(scheme, a, pretrained, 8).weights();
            for (TensorSpec spec : a.specs().values()) {
                float[] v = first.get(spec.key()).values();
                assertThat(java.util.Arrays.equals(again.get(spec.key()).values(), v)).as(scheme + " " + spec.key())
                        .isTrue();
                if (!spec.kind().isBatchNorm() && v.length > 1) {
                    assertThat(java.util.Arrays.equals(other.get(spec.key()).values(), v))
                            .as(scheme + " " + spec.key() + " under another seed").isFalse();
                }
            }
        }
        // Each scheme its own stream: the same seed gives Mean Var and per-channel Mean Var different normals.
        assertThat(InitSchemes.apply("meanvar-channel", a, pretrained, 7).weights().get("fc.bias").values())
                .isNotEqualTo(InitSchemes.apply("meanvar", a, pretrained, 7).weights().get("fc.bias").values());
    }

    /** As with Mean Var: batch-norm reset to identity, a new head (2 classes for a 10-class source) left random. */
    @Test
    void redrawSchemesResetBatchNormAndKeepANewHeadRandom() {
        Architecture a = target(2);
        StateDict random = RandomInit.of(a, org.transfusion.engine.Seeds.stream(3, "init"));
        for (String scheme : REDRAWN) {
            InitResult r = InitSchemes.apply(scheme, a, pretrained, 3);
            assertThat(r.weights().get("fc.weight").values()).as(scheme)
                    .containsExactly(random.get("fc.weight").values());
            assertThat(r.weights().get("layers.1.bn.weight").values()).as(scheme).containsOnly(1f);
            assertThat(r.weights().get("layers.1.bn.running_mean").values()).as(scheme).containsOnly(0f);
            @SuppressWarnings("unchecked")
            Map<String, Object> transfer = (Map<String, Object>) r.report().get("transfer");
            assertThat(transfer.get("reinitialised")).as(scheme).asList().containsExactly("fc.weight", "fc.bias");
            assertThat(transfer).as(scheme).isEqualTo(InitSchemes.apply("meanvar", a, pretrained, 3).report()
                    .get("transfer"));
            assertThat(r.report()).containsKey("drawn_as");
        }
    }

    @Test
    void transfusionCopiesUpToTheBlockAndNotAbove() {
        Architecture a = target(10);
        InitResult r = InitSchemes.apply("transfusion:layer2", a, pretrained, 4);
        for (TensorSpec spec : a.specs().values()) {
            if (spec.kind() == TensorKind.BN_BATCHES_TRACKED) {
                continue;
            }
            boolean below = a.blockOf(spec.key()).equals("layer1") || a.blockOf(spec.key()).equals("layer2");
            boolean equal = java.util.Arrays.equals(r.weights().get(spec.key()).values(), source.get(spec.key()).values());
            if (below) {
                assertThat(equal).as(spec.key() + " (at or below layer2) equals the source").isTrue();
            } else if (spec.kind() == TensorKind.CONV_WEIGHT || spec.kind() == TensorKind.LINEAR_WEIGHT) {
                assertThat(equal).as(spec.key() + " (above layer2) is random").isFalse();
            }
        }
    }

    @Test
    void slimCopiesTheFullWidthLayersAndRandomisesTheHalvedRest() {
        Architecture slim = ModelRegistry.get("cbr-small-slim").build(3, 2, 1);
        assertThat(slim.specs().get("layers.2.conv.weight").shape()).containsExactly(64, 64, 7, 7); // 128 / 2
        InitResult r = InitSchemes.apply("slim", slim, pretrained, 0);
        assertThat(r.weights().get("layers.1.conv.weight").values())
                .containsExactly(source.get("layers.1.conv.weight").values());
        assertThat(r.weights().get("layers.2.conv.weight").std()) // He std for fan-out 64*49
                .isCloseTo(Math.sqrt(2.0 / (64 * 49)), within(0.05 * Math.sqrt(2.0 / (64 * 49))));
        assertThatThrownBy(() -> InitSchemes.apply("slim", target(2), pretrained, 0))
                .isInstanceOf(BadInputException.class).hasMessageContaining("needs a slim model");
    }

    @Test
    void slimResNetTakesThePretrainedStemLayer1AndLayer2() {
        Architecture full = ModelRegistry.get("resnet50").build(3, 10, 1);
        Path file = dir.resolve("resnet50.safetensors");
        StateDict src = RandomInit.of(full, 21);
        SafeTensors.write(file, src, Map.of());
        Architecture slim = ModelRegistry.get("resnet50-slim").build(3, 2, 1);
        assertThat(slim.slimBoundary()).isEqualTo("layer2");
        InitResult r = InitSchemes.apply("slim", slim, file, 0);
        assertThat(r.weights().get("layer2.3.conv3.weight").values())
                .containsExactly(src.get("layer2.3.conv3.weight").values());
        assertThat(r.weights().get("layer3.0.conv1.weight").shape()).containsExactly(128, 512, 1, 1);
        assertThat(ModelRegistry.get("mobilenet-v2-slim").build(3, 2, 1).slimBoundary()).isEqualTo("features.6");
    }

    @Test
    void unknownBlockListsTheValidOnes() {
        assertThatThrownBy(() -> InitSchemes.apply("transfusion:layer9", target(2), pretrained, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("unknown block 'layer9' for cbr-small (expected one of layer1, layer2, layer3, layer4, fc)");
    }

    @Test
    void weightsOfAnotherArchitectureAreRefusedListingTheFirstMismatches() {
        Architecture tiny = ModelRegistry.get("cbr-tiny").build(3, 2, 1);
        assertThatThrownBy(() -> InitSchemes.apply("pretrained", tiny, pretrained, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("does not fit cbr-tiny")
                .hasMessageContaining("layers.0.conv.weight has shape [32, 3, 7, 7] in the weights, cbr-tiny needs [64, 3, 5, 5]");
    }

    @Test
    void missingKeysAreRefused() {
        StateDict partial = source.copy();
        partial.asMap().remove("layers.3.bn.running_mean");
        Path file = dir.resolve("partial.safetensors");
        SafeTensors.write(file, partial, Map.of());
        assertThatThrownBy(() -> InitSchemes.apply("pretrained", target(2), file, 0))
                .isInstanceOf(BadInputException.class).hasMessageContaining("missing layers.3.bn.running_mean");
    }

    @Test
    void schemesThatNeedWeightsSaySo() {
        assertThatThrownBy(() -> InitSchemes.apply("meanvar", target(2), null, 0))
                .isInstanceOf(BadInputException.class).hasMessageContaining("needs --weights");
    }

    @Test
    void gaborFillsTheFirstConvWithTheBankAndLeavesTheRestRandom() {
        Architecture a = target(2);
        InitResult r = InitSchemes.apply("gabor:low", a, null, 5);
        HostTensor conv = r.weights().get("layers.0.conv.weight");
        // Whole-bank scale: He std for (32, 3, 7, 7) with fan-out 32*49 = sqrt(2/1568).
        assertThat(conv.std()).isCloseTo(Math.sqrt(2.0 / 1568), within(1e-6));
        assertThat(r.weights().get("layers.1.conv.weight").values())
                .containsExactly(RandomInit.of(a, org.transfusion.engine.Seeds.stream(5, "init"))
                        .get("layers.1.conv.weight").values());
    }

    @Test
    void gaborFiltersAreTheAnalyticFunction() {
        GaborBank bank = GaborBank.of("low", 7);
        // Filter 0: theta 0, lambda 3.5 (= 7/2), phase 0, sigma 0.56*3.5 = 1.96. At the centre (3,3): x' = y' = 0
        // -> exp(0) * cos(0) = 1. At (3, 5): x' = 2, y' = 0 -> exp(-4 / (2*1.96^2)) * cos(2 pi 2 / 3.5).
        assertThat(bank.raw(0, 7, 7, 3, 3)).isEqualTo(1.0);
        double s = 0.56 * 3.5;
        assertThat(bank.raw(0, 7, 7, 3, 5)).isCloseTo(Math.exp(-4 / (2 * s * s)) * Math.cos(2 * Math.PI * 2 / 3.5),
                within(1e-12));
        // Filter 2: theta = 2*pi/8 = 45 degrees. At (2, 4) (row above, column right of centre): x = 1, y = -1 ->
        // x' = cos45 - sin45 = 0, y' = -sin45 - cos45 = -sqrt(2): exp(-(0.25 * 2) / (2 s^2)) * cos(0).
        assertThat(bank.raw(2, 7, 7, 2, 4)).isCloseTo(Math.exp(-(0.25 * 2) / (2 * s * s)), within(1e-12));
        // Filter 16 = 2 * 8 orientations: wavelength index 2 (lambda 7), theta 0, phase 0 -> 1 at the centre.
        assertThat(bank.raw(16, 7, 7, 3, 3)).isEqualTo(1.0);
        // Filter 24 = 8 orientations x 3 wavelengths: phase pi/2 -> cos(pi/2) at the centre = 0.
        assertThat(bank.raw(24, 7, 7, 3, 3)).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void filledBankIsZeroMeanPerFilterAndReplicatedOverChannels() {
        HostTensor t = GaborBank.of("mixed", 5).fill(new long[] {4, 3, 5, 5});
        float[] v = t.values();
        for (int f = 0; f < 4; f++) {
            double sum = 0;
            for (int i = 0; i < 25; i++) {
                sum += v[(f * 3) * 25 + i];
                assertThat(v[(f * 3 + 1) * 25 + i]).isEqualTo(v[(f * 3) * 25 + i]);
                assertThat(v[(f * 3 + 2) * 25 + i]).isEqualTo(v[(f * 3) * 25 + i]);
            }
            assertThat(sum).isCloseTo(0.0, within(1e-5));
        }
    }

    @Test
    void pretrainedWeightsHoldingNaNOrInfinityAreRefusedAtLoad() {
        // Once noticed only when the loss diverged (exit 3), steps into the run.
        StateDict bad = source.copy();
        float[] v = bad.get("layers.1.conv.weight").values();
        v[3] = Float.POSITIVE_INFINITY;
        Path file = dir.resolve("infinite.safetensors");
        SafeTensors.write(file, bad, Map.of());
        for (String scheme : new String[] {"pretrained", "meanvar", "transfusion:layer2"}) {
            assertThatThrownBy(() -> InitSchemes.apply(scheme, target(2), file, 0)).as(scheme)
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(file + ": tensor 'layers.1.conv.weight' holds Infinity at index 3 (expected finite "
                            + "weights)");
        }
    }

    @Test
    void pretrainedWeightsWithANegativeRunningVarianceAreRefusedAtLoad() {
        // A variance below zero cannot come from data: batch norm would divide by the root of a negative number
        // (NaN validation loss, an AUC of 0.5 and exit 0 before this was checked).
        StateDict bad = source.copy();
        bad.get("layers.2.bn.running_var").values()[4] = -0.5f;
        Path file = dir.resolve("negative-var.safetensors");
        SafeTensors.write(file, bad, Map.of());
        for (String scheme : new String[] {"pretrained", "meanvar-bn-copy", "transfusion:layer3"}) {
            assertThatThrownBy(() -> InitSchemes.apply(scheme, target(2), file, 0)).as(scheme)
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(file + ": tensor 'layers.2.bn.running_var' holds -0.5 at index 4 (expected a "
                            + "batch-norm running variance of at least 0)");
        }
    }

    @Test
    void floatWeightsDeclaredAsIntegersAreRefusedAtLoad() throws java.io.IOException {
        // The same bytes with the dtype of one tensor relabelled I32 (same length, so the offsets still hold): read
        // as integers, the float bits become values near 1e9, finite, and were trained on.
        Path file = dir.resolve("i32.safetensors");
        byte[] bytes = java.nio.file.Files.readAllBytes(pretrained);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        String entry = "\"layers.1.conv.weight\":{\"dtype\":\"F32\"";
        assertThat(text).contains(entry);
        java.nio.file.Files.write(file, text.replace(entry, entry.replace("F32", "I32"))
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> InitSchemes.apply("pretrained", target(2), file, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ": tensor 'layers.1.conv.weight' is declared I32 (expected a float dtype, F32, "
                        + "F16, BF16 or F64, for weights)");
    }

    @Test
    void aClassifierWhoseWeightDoesNotFitIsReinitialisedWithItsBias() {
        // fc.weight of another width ([2, 128] for the 256 features cbr-small has) beside an fc.bias that fits
        // ([2]): the bias belongs to the weight it was trained with, so neither is copied.
        StateDict odd = source.copy();
        odd.put("fc.weight", HostTensor.zeros(new long[] {2, 128}));
        odd.put("fc.bias", new HostTensor(new long[] {2}, new float[] {7f, -7f}));
        Path file = dir.resolve("odd-fc.safetensors");
        SafeTensors.write(file, odd, Map.of());
        Architecture a = target(2);
        InitResult r = InitSchemes.apply("pretrained", a, file, 0);
        // The random init of the same architecture and seed stream is what a re-initialised tensor keeps.
        StateDict random = RandomInit.of(a, org.transfusion.engine.Seeds.stream(0, "init"));
        assertThat(r.weights().get("fc.bias").values()).containsExactly(random.get("fc.bias").values());
        @SuppressWarnings("unchecked")
        Map<String, Object> transfer = (Map<String, Object>) r.report().get("transfer");
        assertThat(transfer.get("reinitialised")).asList().containsExactly("fc.weight", "fc.bias");
    }
}
