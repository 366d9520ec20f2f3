package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.transfusion.study.Finding.Verdict;

/**
 * The verdict rules on constructed numbers: for each rule a reproduced, a contradicted and an inconclusive case
 * (or, where the rule cannot give one of them, a check that it never does), plus the cases exactly at the margin.
 * Each comment gives the arithmetic by which the verdict follows from the rule. s.e. = sqrt(var(a)/n_a +
 * var(b)/n_b) with the sample variance (n - 1); a single seed has variance 0.
 *
 * <p>Realistic decimal values never land exactly on a decimal margin in binary floating point (0.81 - 0.80 is
 * 0.010000000000000009), so the exact-margin cases use dyadic values (exact in binary) or values whose sum or
 * difference is exactly the margin's double, as noted at each.
 */
class FindingsTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NaN = Double.NaN;

    private static double[] v(double... values) {
        return values;
    }

    @Nested
    class Performance {
        private Verdict verdict(double[] random, double[] transfer) {
            return Findings.judgePerformance("m", random, transfer).verdict();
        }

        @Test
        void reproducedWhenThePairedIntervalLiesWithinTheEquivalenceMargin() {
            // differences per seed 0.005, 0.000, 0.010: mean 0.005, sd 0.005, t(0.975, 2) = 4.303;
            // half-width 4.303 * 0.005 / sqrt(3) = 0.012422; CI [-0.007422, 0.017422] within [-0.02, 0.02]
            Finding f = Findings.judgePerformance("cbr-small", v(0.800, 0.810, 0.790), v(0.805, 0.810, 0.800));
            assertThat(f).isEqualTo(new Finding("performance", "Transfer from pretraining gives little or no gain in "
                    + "final test AUC over random initialisation on the medical task (Tables 1-2).",
                    "cbr-small: test AUC random 0.800 ± 0.010, transfer 0.805 ± 0.005; paired difference +0.005, "
                            + "95% CI [-0.007, +0.017], 3 seeds", Verdict.REPRODUCED));
        }

        @Test
        void contradictedWhenTransferClearlyGains() {
            // differences 0.10, 0.11, 0.09: mean 0.10, sd 0.01, half-width 4.303 * 0.01 / sqrt(3) = 0.0248;
            // CI [0.075, 0.125] excludes 0 and 0.10 > the 0.01 practical margin
            assertThat(verdict(v(0.70, 0.70, 0.70), v(0.80, 0.81, 0.79))).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void contradictedWhenTransferClearlyLoses() {
            assertThat(verdict(v(0.80, 0.81, 0.79), v(0.70, 0.70, 0.70))).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void inconclusiveWhenTheIntervalIsTooWideToTell() {
            // the quick study's cbr-small: differences +0.0113, +0.0162, -0.0233: mean +0.0014, sd 0.0216,
            // half-width 4.303 * 0.0216 / sqrt(3) = 0.0536: CI [-0.052, +0.055] includes 0 but not within +-0.02
            assertThat(verdict(v(0.778030, 0.775126, 0.820859), v(0.789343, 0.791313, 0.797551)))
                    .isEqualTo(Verdict.INCONCLUSIVE);
        }

        @Test
        void inconclusiveWithTooFewSeedsHoweverCloseTheNumbers() {
            // two identical seeds used to read as agreement; two seeds cannot support a verdict
            Finding f = Findings.judgePerformance("cbr-small", v(0.80, 0.80), v(0.80, 0.80));
            assertThat(f.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(f.measured()).endsWith("; 2 paired seeds (at least 3 needed to judge)");
        }

        @Test
        void onlySeedsWithBothRunsArePaired() {
            // seed 2 lacks its random run, seed 1 its transfer run: one pair left
            Finding f = Findings.judgePerformance("m", v(0.70, 0.72, NaN), v(0.80, NaN, 0.82));
            assertThat(f.measured()).endsWith("; 1 paired seed (at least 3 needed to judge)");
        }

        @Test
        void aSignificantButNegligibleDifferenceIsNotAContradiction() {
            // differences 0.005, 0.006, 0.004: CI [0.0025, 0.0075] excludes 0, but the mean 0.005 is within the 0.01
            // practical margin and the interval within +-0.02: reproduced
            assertThat(verdict(v(0.8, 0.8, 0.8), v(0.805, 0.806, 0.804))).isEqualTo(Verdict.REPRODUCED);
        }

        @Test
        void thePracticalMarginSeparatesAContradictionFromEquivalence() {
            // Dyadic differences, exact in binary, identical over seeds (sd 0: the interval is the point):
            // 3/256 = 0.0117 > 0.01 and the interval excludes 0: contradicted;
            // 1/128 = 0.0078 <= 0.01, the interval within +-0.02: reproduced
            assertThat(verdict(v(0.5, 0.5, 0.5), v(0.5 + 3.0 / 256, 0.5 + 3.0 / 256, 0.5 + 3.0 / 256)))
                    .isEqualTo(Verdict.NOT_REPRODUCED);
            assertThat(verdict(v(0.5, 0.5, 0.5), v(0.5 + 1.0 / 128, 0.5 + 1.0 / 128, 0.5 + 1.0 / 128)))
                    .isEqualTo(Verdict.REPRODUCED);
            // differences -1/64, 0, +1/64: mean 0, sd 1/64, half-width 4.303 / 64 / sqrt(3) = 0.0388 > 0.02
            assertThat(verdict(v(0.5, 0.5, 0.5), v(0.5 - 1.0 / 64, 0.5, 0.5 + 1.0 / 64))).isEqualTo(Verdict.INCONCLUSIVE);
        }
    }

    @Nested
    class SmallLikeLarge {
        @Test
        void reproducedWhenTheCbrIsNotWorseByMoreThanTheMargin() {
            // cbr - resnet50 per seed: -0.005, 0.005, 0.000: mean 0, sd 0.005, half-width 4.303 * 0.005 / sqrt(3)
            // = 0.0124: CI [-0.012, +0.012], lower end >= -0.02
            List<Finding> f = Findings.smallLikeLarge(List.of("cbr-small", "resnet50"),
                    m -> m.equals("resnet50") ? v(0.80, 0.80, 0.80) : v(0.795, 0.805, 0.800));
            assertThat(f).singleElement().extracting(Finding::verdict).isEqualTo(Verdict.REPRODUCED);
            assertThat(f.get(0).measured()).startsWith("cbr-small 0.800 ± 0.005 vs resnet50 0.800 ± 0.000");
        }

        @Test
        void contradictedWhenTheCbrIsClearlyWorse() {
            // differences -0.10, -0.11, -0.09: CI [-0.125, -0.075] wholly below -0.01
            assertThat(Findings.judgeSmallLikeLarge("cbr-tiny", v(0.70, 0.69, 0.71), "inception-v3", v(0.80, 0.80, 0.80))
                    .verdict()).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void inconclusiveWhenTheIntervalStraddles() {
            // differences -0.05, 0.00, -0.10: mean -0.05, sd 0.05, half-width 0.124: CI [-0.174, +0.074]
            assertThat(Findings.judgeSmallLikeLarge("cbr-tiny", v(0.75, 0.80, 0.70), "resnet50", v(0.80, 0.80, 0.80))
                    .verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        }

        @Test
        void outOfScopeWithoutALargeModel() {
            // The quick preset's models: CBRs and a MobileNet, none of the paper's large models
            List<Finding> f = Findings.smallLikeLarge(List.of("cbr-small", "cbr-tiny", "mobilenet-v2-0.35-keras"),
                    m -> v(0.8, 0.8, 0.8));
            assertThat(f).singleElement().satisfies(x -> {
                assertThat(x.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
                assertThat(x.measured()).isEqualTo("out of scope: needs a CBR and ResNet50 or Inception-v3; this "
                        + "study has cbr-small, cbr-tiny, mobilenet-v2-0.35-keras");
            });
            assertThat(Findings.isSmall("cbr-small-slim")).as("a slim CBR is a hybrid, not the small family").isFalse();
        }
    }

    @Nested
    class LittleData {
        @Test
        void reproducedWhenTheLargeModelGainsMore() {
            // gains resnet50 0.10, 0.12, 0.08 (mean 0.10, sd 0.02); cbr 0.00, 0.01, -0.01 (mean 0, sd 0.01);
            // Welch s.e. sqrt(0.0004/3 + 0.0001/3) = 0.012910, t(0.975, 2) = 4.303: half-width 0.05555,
            // difference 0.10: CI [0.0444, 0.1556] above 0
            List<Finding> f = Findings.littleData(List.of("resnet50", "cbr-small"), 100,
                    m -> m.equals("resnet50") ? v(0.10, 0.12, 0.08) : v(0.00, 0.01, -0.01));
            assertThat(f).singleElement().satisfies(x -> {
                assertThat(x.verdict()).isEqualTo(Verdict.REPRODUCED);
                assertThat(x.measured()).isEqualTo("100 training images: transfer gain resnet50 +0.100, cbr-small "
                        + "+0.000; difference +0.100, 95% CI [+0.044, +0.156]");
            });
        }

        @Test
        void contradictedWhenTheCbrGainsMore() {
            assertThat(Findings.judgeLittleData(100, "resnet50", v(0.00, 0.01, -0.01), "cbr-small", v(0.10, 0.12, 0.08))
                    .verdict()).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void inconclusiveWhenTheIntervalStraddlesOrSeedsAreFew() {
            // gains 0.05 +- 0.05 vs 0.03 +- 0.05: difference 0.02, half-width 4.303 * sqrt(0.0025/3 * 2) = 0.175
            assertThat(Findings.judgeLittleData(100, "resnet50", v(0.0, 0.05, 0.10), "cbr-small", v(-0.02, 0.03, 0.08))
                    .verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            Finding two = Findings.judgeLittleData(100, "resnet50", v(0.10, 0.12), "cbr-small", v(0.0, 0.0, 0.0));
            assertThat(two.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(two.measured()).endsWith("; 2 and 3 seeds (at least 3 each needed to judge)");
        }

        @Test
        void outOfScopeOnCbrsAlone() {
            // the example: the claim used to be judged on CBRs alone
            List<Finding> f = Findings.littleData(List.of("cbr-small", "cbr-tiny"), 100, m -> v(0.1, 0.1, 0.1));
            assertThat(f).singleElement().extracting(Finding::verdict).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(f.get(0).measured()).startsWith("out of scope: needs a CBR and ResNet50 or Inception-v3");
        }
    }

    @Nested
    class TopLayerSimilarity {
        private Verdict verdict(double randomVsRandom, double randomVsTransfer) {
            return Findings.judgeTopLayerSimilarity("m", "conv4", randomVsRandom, randomVsTransfer).verdict();
        }

        @Test
        void reproducedWhenTransferIsAboutAsSimilarAsAnotherSeed() {
            // |0.38 - 0.40| = 0.02 <= 0.05
            Finding f = Findings.judgeTopLayerSimilarity("cbr-small", "conv4", 0.40, 0.38);
            assertThat(f).isEqualTo(new Finding("representations", "For small models, the top layers of networks "
                    + "trained from pretrained weights are about as similar to random-init networks as random-init "
                    + "networks (other seeds) are to each other (Figure 2).", "cbr-small, conv4: PWCCA "
                    + "random-vs-random 0.400, random-vs-transfer 0.380 (difference -0.020)", Verdict.REPRODUCED));
        }

        @Test
        void contradictedWhenTransferIsLessSimilar() {
            // |0.30 - 0.40| = 0.10 > 0.05
            assertThat(verdict(0.40, 0.30)).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void contradictedWhenTransferIsMoreSimilar() {
            // |0.40 - 0.30| = 0.10 > 0.05: "about as similar" fails either way
            assertThat(verdict(0.30, 0.40)).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void exactlyAtTheMarginIsReproduced() {
            // 0.10 is exactly twice 0.05 in binary, so 0.10 - 0.05 = 0.05 exactly; |+-0.05| <= 0.05
            assertThat(verdict(0.05, 0.10)).isEqualTo(Verdict.REPRODUCED);
            assertThat(verdict(0.10, 0.05)).isEqualTo(Verdict.REPRODUCED);
            // just beyond: |0.451 - 0.40| = 0.051 > 0.05
            assertThat(verdict(0.40, 0.451)).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void neverInconclusive() {
            // The claim is "about as similar": within the margin reproduces it, beyond contradicts it; there is no
            // third outcome. Sweep random-vs-transfer from 0.20 to 0.60 around random-vs-random 0.40.
            for (int i = 0; i <= 40; i++) {
                assertThat(verdict(0.40, 0.2 + i / 100.0)).isNotEqualTo(Verdict.INCONCLUSIVE);
            }
        }
    }

    @Nested
    class LargeTopLayerSimilarity {
        private Verdict verdict(double randomVsRandom, double randomVsTransfer) {
            return Findings.judgeLargeTopLayerSimilarity("resnet50", "layer4", randomVsRandom, randomVsTransfer)
                    .verdict();
        }

        @Test
        void reproducedWhenRandomNetsAreMuchCloserToEachOther() {
            // gap 0.60 - 0.40 = 0.20 > 0.05
            assertThat(verdict(0.60, 0.40)).isEqualTo(Verdict.REPRODUCED);
        }

        @Test
        void contradictedWhenTransferIsAsCloseOrCloser() {
            // gap 0.40 - 0.45 = -0.05 <= 0
            assertThat(verdict(0.40, 0.45)).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void inconclusiveForASmallGap() {
            // gap 0.625 - 0.59375 = 0.03125 (exact in binary): above 0, below 0.05
            assertThat(verdict(0.625, 0.59375)).isEqualTo(Verdict.INCONCLUSIVE);
        }
    }

    @Nested
    class BeforeAfter {
        private Verdict verdict(double low, double high) {
            return Findings.judgeBeforeAfter("m", "conv1", low, "conv4", high).verdict();
        }

        @Test
        void reproducedWhenTheLowestLayerChangedLess() {
            // 0.90 > 0.50 + 0.02
            Finding f = Findings.judgeBeforeAfter("cbr-small", "conv1", 0.90, "conv4", 0.50);
            assertThat(f).isEqualTo(new Finding("representations", "Lower layers change less through fine-tuning "
                    + "than higher layers (higher before/after similarity at the bottom).", "cbr-small (transfer): "
                    + "PWCCA before vs after training 0.900 at conv1, 0.500 at conv4", Verdict.REPRODUCED));
        }

        @Test
        void contradictedWhenTheTopLayerChangedLess() {
            // 0.90 > 0.50 + 0.02 with the layers the other way round
            assertThat(verdict(0.50, 0.90)).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void inconclusiveWhenBothChangedAboutAsMuch() {
            // 0.61 vs 0.60: neither exceeds the other + 0.02
            assertThat(verdict(0.61, 0.60)).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(verdict(0.60, 0.61)).isEqualTo(Verdict.INCONCLUSIVE);
        }

        @Test
        void exactlyAtTheMarginIsInconclusive() {
            // 0.60 + 0.02 == 0.62 in binary: 0.62 is not > 0.62, either way round
            assertThat(verdict(0.62, 0.60)).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(verdict(0.60, 0.62)).isEqualTo(Verdict.INCONCLUSIVE);
            // just beyond: 0.63 > 0.62
            assertThat(verdict(0.63, 0.60)).isEqualTo(Verdict.REPRODUCED);
            assertThat(verdict(0.60, 0.63)).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void aMissingValueIsInconclusive() {
            // Every comparison with NaN is false, so neither direction holds
            assertThat(verdict(NaN, 0.50)).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(verdict(0.90, NaN)).isEqualTo(Verdict.INCONCLUSIVE);
        }
    }

    @Nested
    class Speed {
        private static final String CLAIM = "Transfer speeds up convergence: fewer steps to reach a validation AUC "
                + "(Figure 7).";

        private Finding judge(double[] scheme, double[] random) {
            return Findings.judgeSpeed("convergence", CLAIM, "cbr-small", "pretrained", 0.8, scheme, random);
        }

        @Test
        void reproducedWithAtMostFourFifthsOfTheSteps() {
            // mean 70 vs 100: ratio 0.70 <= 0.8
            assertThat(judge(v(60, 80), v(100, 100))).isEqualTo(new Finding("convergence", CLAIM,
                    "cbr-small: steps to val AUC 0.80: pretrained 70 vs random 100 (0.70x)", Verdict.REPRODUCED));
        }

        @Test
        void contradictedWhenNoFaster() {
            // mean 120 vs 100: ratio 1.20 >= 1.0
            assertThat(judge(v(110, 130), v(100, 100)).verdict()).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void inconclusiveWhenSomewhatFaster() {
            // 90 vs 100: 0.8 < ratio 0.90 < 1.0
            assertThat(judge(v(90), v(100)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        }

        @Test
        void boundariesOfTheRatio() {
            // 80 / 100 = 0.8 exactly (division is correctly rounded to the double 0.8): <= 0.8
            assertThat(judge(v(80), v(100)).verdict()).isEqualTo(Verdict.REPRODUCED);
            // 81 / 100 = 0.81 > 0.8 and 99 / 100 = 0.99 < 1.0
            assertThat(judge(v(81), v(100)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(judge(v(99), v(100)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            // 100 / 100 = 1.0: >= 1.0
            assertThat(judge(v(100), v(100)).verdict()).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void reproducedWhenOnlyRandomInitFailsToReachTheThreshold() {
            // random's mean is infinite (one seed never reached it), the scheme's 50 is finite: no ratio is shown
            assertThat(judge(v(40, 60), v(100, INF))).isEqualTo(new Finding("convergence", CLAIM,
                    "cbr-small: steps to val AUC 0.80: pretrained 50 vs random not reached (in some seed)",
                    Verdict.REPRODUCED));
        }

        @Test
        void contradictedWhenTheSchemeFailsToReachTheThresholdInSomeSeed() {
            // one seed of the scheme never reached it: its mean is infinite, however fast the other seed was
            assertThat(judge(v(10, INF), v(100, 100)).verdict()).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void contradictedWhenNeitherReachesTheThreshold() {
            // both means infinite: the scheme did not reach it, which the rule counts as no speed-up
            assertThat(judge(v(INF), v(INF)).verdict()).isEqualTo(Verdict.NOT_REPRODUCED);
        }

        @Test
        void experimentAndClaimComeFromTheCaller() {
            // hybrid passes the slim model's name and its own claim; 45 / 100 = 0.45 <= 0.8
            Finding f = Findings.judgeSpeed("hybrid", "slim claim", "cbr-small-slim", "slim", 0.7, v(45), v(100));
            assertThat(f).isEqualTo(new Finding("hybrid", "slim claim",
                    "cbr-small-slim: steps to val AUC 0.70: slim 45 vs random 100 (0.45x)", Verdict.REPRODUCED));
        }
    }
}
