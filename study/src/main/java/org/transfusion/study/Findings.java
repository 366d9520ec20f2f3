package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * States each of the paper's claims next to what the study measured. A difference counts only when it exceeds
 * both a practical margin and twice its standard error over seeds; otherwise the claim of "no difference" is
 * reproduced, and a claimed difference is inconclusive.
 *
 * <p>Each experiment ({@link Experiment#findings}) gathers the numbers from its runs; each verdict rule here is a
 * static {@code judge...} function over those plain numbers, so that the rules can be tested without training.
 */
final class Findings {
    /** Smallest test-AUC difference that matters in practice, however small its standard error. */
    private static final double AUC_MARGIN = 0.01;
    /** A "no difference" claim is reproduced when the interval of the difference lies within this of zero. */
    static final double EQUIVALENCE = 0.02;
    /** Fewer paired seeds than this cannot support a verdict on a difference between initialisations. */
    static final int MIN_SEEDS = 3;
    /** PWCCA similarities closer than this count as "about as similar" (no standard error is available). */
    private static final double SIMILARITY_MARGIN = 0.05;
    /** Before/after PWCCA of the lowest and top layers must differ by more than this to show which changed less. */
    private static final double BEFORE_AFTER_MARGIN = 0.02;
    /** A speed-up needs at most this fraction of random init's steps; at 1.0 or above there is none. */
    private static final double SPEEDUP_RATIO = 0.8;

    private Findings() {}

    /**
     * "Transfer does not significantly change test performance" as an equivalence judgement over seeds. Random and
     * transfer runs of the same seed share the data split, so the differences are paired by seed; their 95%
     * t-interval decides: reproduced when it lies within +-{@value #EQUIVALENCE} AUC (no difference that matters
     * is plausible), contradicted when it excludes 0 and the mean difference exceeds the practical margin (a real,
     * relevant change), inconclusive otherwise — an interval too wide to tell, or fewer than {@value #MIN_SEEDS}
     * paired seeds. Too little evidence no longer reads as agreement.
     */
    static Finding judgePerformance(String model, double[] random, double[] transfer) {
        double[] d = pairedDifferences(random, transfer);
        int n = Stats.count(d);
        String claim = "Transfer from pretraining gives little or no gain in final test AUC over random "
                + "initialisation on the medical task (Tables 1-2).";
        String measured = String.format(Locale.ROOT, "%s: test AUC random %s, transfer %s", model, pm(random),
                pm(transfer));
        if (n < MIN_SEEDS) {
            return tooFewSeeds("performance", claim, measured, n);
        }
        double mean = Stats.mean(d);
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, "; paired difference %+.3f, 95%% CI [%+.3f, %+.3f], %d seeds", mean,
                ci[0], ci[1], n);
        Finding.Verdict v = (ci[0] > 0 || ci[1] < 0) && Math.abs(mean) > AUC_MARGIN ? Finding.Verdict.NOT_REPRODUCED
                : ci[0] >= -EQUIVALENCE && ci[1] <= EQUIVALENCE ? Finding.Verdict.REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        return new Finding("performance", claim, measured, v);
    }

    /** An inconclusive finding: {@code n} paired seeds are fewer than a verdict needs. */
    private static Finding tooFewSeeds(String experiment, String claim, String measured, int n) {
        return new Finding(experiment, claim, measured + String.format(Locale.ROOT, "; %d paired seed%s (at least %d "
                + "needed to judge)", n, n == 1 ? "" : "s", MIN_SEEDS), Finding.Verdict.INCONCLUSIVE);
    }

    /** b - a per seed where both are known (NaN elsewhere, left out by {@link Stats}). */
    static double[] pairedDifferences(double[] a, double[] b) {
        double[] d = new double[Math.min(a.length, b.length)];
        for (int i = 0; i < d.length; i++) {
            d[i] = b[i] - a[i];
        }
        return d;
    }

    /** The paper's large models, the ones its size claims contrast with the small CBRs. */
    static boolean isLarge(String model) {
        return model.equals("resnet50") || model.equals("inception-v3");
    }

    /** The paper's small models: the CBR family (not their slim variants, which are a hybrid). */
    static boolean isSmall(String model) {
        return model.startsWith("cbr-") && !model.endsWith("-slim");
    }

    /** A finding that cannot be judged here because the models it is about are not in the study. */
    static Finding outOfScope(String experiment, String claim, String needs, List<String> models) {
        return new Finding(experiment, claim, "out of scope: needs " + needs + "; this study has "
                + String.join(", ", models), Finding.Verdict.INCONCLUSIVE);
    }

    /**
     * Claim 2 over a study's models: one finding per (CBR, large model) pair from {@code randomAucs} (test AUC per
     * seed from random init), or one out-of-scope finding when the study lacks either family.
     */
    static List<Finding> smallLikeLarge(List<String> models, Function<String, double[]> randomAucs) {
        return perFamilyPair(models, () -> outOfScope("performance", SMALL_LIKE_LARGE, "a CBR and ResNet50 or "
                + "Inception-v3", models), (sm, l) -> judgeSmallLikeLarge(sm, randomAucs.apply(sm), l,
                randomAucs.apply(l)));
    }

    /**
     * Claim 4 over a study's models: one finding per (large model, CBR) pair from {@code gains} (transfer - random
     * test AUC per seed on {@code size} images), or one out-of-scope finding when the study lacks either family.
     */
    static List<Finding> littleData(List<String> models, int size, Function<String, double[]> gains) {
        return perFamilyPair(models, () -> outOfScope("small data", LITTLE_DATA, "a CBR and ResNet50 or Inception-v3 "
                + "with small-data runs", models), (sm, l) -> judgeLittleData(size, l, gains.apply(l), sm,
                gains.apply(sm)));
    }

    /**
     * One finding per (small, large) model pair of the study, or the out-of-scope finding when it lacks either
     * family: the scope rule every small-vs-large claim shares.
     */
    private static List<Finding> perFamilyPair(List<String> models, Supplier<Finding> outOfScope,
                                               BiFunction<String, String, Finding> judge) {
        List<String> small = models.stream().filter(Findings::isSmall).toList();
        List<String> large = models.stream().filter(Findings::isLarge).toList();
        if (small.isEmpty() || large.isEmpty()) {
            return List.of(outOfScope.get());
        }
        List<Finding> out = new ArrayList<>();
        for (String sm : small) {
            for (String l : large) {
                out.add(judge.apply(sm, l));
            }
        }
        return out;
    }

    static final String SMALL_LIKE_LARGE = "The small CBRs perform comparably to ResNet50 / Inception-v3 on the medical "
            + "task (Tables 1-2).";

    /**
     * A small model against a large one, both from random initialisation, paired by seed (the same split): the
     * claim holds when the small model is not worse by more than {@value #EQUIVALENCE} AUC (the interval's lower end
     * of small - large at or above -0.02), fails when it is clearly worse (the whole interval below -0.01), and is
     * inconclusive otherwise or under {@value #MIN_SEEDS} seeds.
     */
    static Finding judgeSmallLikeLarge(String small, double[] smallAucs, String large, double[] largeAucs) {
        double[] d = pairedDifferences(largeAucs, smallAucs);
        int n = Stats.count(d);
        String measured = String.format(Locale.ROOT, "%s %s vs %s %s (random init)", small, pm(smallAucs), large,
                pm(largeAucs));
        if (n < MIN_SEEDS) {
            return tooFewSeeds("performance", SMALL_LIKE_LARGE, measured, n);
        }
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, "; difference %+.3f, 95%% CI [%+.3f, %+.3f], %d seeds", Stats.mean(d),
                ci[0], ci[1], n);
        Finding.Verdict v = ci[0] >= -EQUIVALENCE ? Finding.Verdict.REPRODUCED
                : ci[1] < -AUC_MARGIN ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        return new Finding("performance", SMALL_LIKE_LARGE, measured, v);
    }

    static final String LITTLE_DATA = "With very little data, transfer helps the large models more than the small "
            + "CBRs (Table 3).";

    /**
     * Transfer's gain (transfer - random, per seed) on {@code size} training images of a large model against a small
     * one: the difference of the mean gains with a Welch 95% interval (t with the smaller sample's degrees of
     * freedom, a conservative choice); reproduced when the interval lies above 0, contradicted when below,
     * inconclusive otherwise or under {@value #MIN_SEEDS} seeds of either.
     */
    static Finding judgeLittleData(int size, String large, double[] largeGains, String small, double[] smallGains) {
        int nl = Stats.count(largeGains);
        int ns = Stats.count(smallGains);
        String measured = String.format(Locale.ROOT, "%d training images: transfer gain %s %+.3f, %s %+.3f", size,
                large, Stats.mean(largeGains), small, Stats.mean(smallGains));
        if (Math.min(nl, ns) < MIN_SEEDS) {
            return new Finding("small data", LITTLE_DATA, measured + String.format(Locale.ROOT, "; %d and %d seeds "
                    + "(at least %d each needed to judge)", nl, ns, MIN_SEEDS), Finding.Verdict.INCONCLUSIVE);
        }
        double diff = Stats.mean(largeGains) - Stats.mean(smallGains);
        double se = Math.sqrt(Math.pow(Stats.sd(largeGains), 2) / nl + Math.pow(Stats.sd(smallGains), 2) / ns);
        double half = Stats.t975(Math.min(nl, ns) - 1) * se;
        measured += String.format(Locale.ROOT, "; difference %+.3f, 95%% CI [%+.3f, %+.3f]", diff, diff - half,
                diff + half);
        Finding.Verdict v = diff - half > 0 ? Finding.Verdict.REPRODUCED
                : diff + half < 0 ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        return new Finding("small data", LITTLE_DATA, measured, v);
    }

    /**
     * Mean PWCCA at the top conv layer; the claim is "about as similar", so it is reproduced within the margin and
     * contradicted beyond it, never inconclusive.
     */
    static Finding judgeTopLayerSimilarity(String model, String layer, double randomVsRandom, double randomVsTransfer) {
        double diff = randomVsTransfer - randomVsRandom;
        String measured = String.format(Locale.ROOT, "%s, %s: PWCCA random-vs-random %.3f, random-vs-transfer "
                + "%.3f (difference %+.3f)", model, layer, randomVsRandom, randomVsTransfer, diff);
        Finding.Verdict v = Math.abs(diff) <= SIMILARITY_MARGIN ? Finding.Verdict.REPRODUCED
                : Finding.Verdict.NOT_REPRODUCED;
        return new Finding("representations", "For small models, the top layers of networks trained from "
                + "pretrained weights are about as similar to random-init networks as random-init networks "
                + "(other seeds) are to each other (Figure 2).", measured, v);
    }

    static final String LARGE_DIFFER = "For large models, two random-init networks are much more similar to each other "
            + "in their top layers than either is to a network trained from pretrained weights (Figure 2).";

    /**
     * The large-model half of Figure 2's claim, at the top conv layer: reproduced when random-vs-random PWCCA exceeds
     * random-vs-transfer by more than {@value #SIMILARITY_MARGIN}, contradicted when it does not exceed it at all,
     * inconclusive in between.
     */
    static Finding judgeLargeTopLayerSimilarity(String model, String layer, double randomVsRandom,
                                                double randomVsTransfer) {
        double gap = randomVsRandom - randomVsTransfer;
        String measured = String.format(Locale.ROOT, "%s, %s: PWCCA random-vs-random %.3f, random-vs-transfer %.3f "
                + "(gap %+.3f)", model, layer, randomVsRandom, randomVsTransfer, gap);
        Finding.Verdict v = gap > SIMILARITY_MARGIN ? Finding.Verdict.REPRODUCED
                : gap <= 0 ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        return new Finding("representations", LARGE_DIFFER, measured, v);
    }

    /** PWCCA of the transfer network before vs after fine-tuning, at the lowest ({@code low}) and top layer. */
    static Finding judgeBeforeAfter(String model, String lowLayer, double low, String topLayer, double high) {
        String measured = String.format(Locale.ROOT, "%s (transfer): PWCCA before vs after training %.3f at %s, "
                + "%.3f at %s", model, low, lowLayer, high, topLayer);
        Finding.Verdict v = low > high + BEFORE_AFTER_MARGIN ? Finding.Verdict.REPRODUCED
                : high > low + BEFORE_AFTER_MARGIN ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        return new Finding("representations", "Lower layers change less through fine-tuning than higher "
                + "layers (higher before/after similarity at the bottom).", measured, v);
    }

    /**
     * The claim of a speed-up, judged on the mean steps to {@code threshold} of {@code scheme} ({@code s}) against
     * random init ({@code r}), one value per seed. A seed that never reached the threshold makes its mean infinite:
     * reaching it where random init did not is a speed-up, not reaching it is none.
     */
    static Finding judgeSpeed(String experiment, String claim, String model, String scheme, double threshold,
                              double[] s, double[] r) {
        double ms = meanSteps(s);
        double mr = meanSteps(r);
        String measured = String.format(Locale.ROOT, "%s: steps to val AUC %.2f: %s %s vs random %s", model, threshold,
                scheme, steps(ms), steps(mr));
        Finding.Verdict v;
        if (Double.isInfinite(mr) && !Double.isInfinite(ms)) {
            v = Finding.Verdict.REPRODUCED;
        } else if (Double.isInfinite(ms)) {
            v = Finding.Verdict.NOT_REPRODUCED;
        } else {
            double ratio = ms / mr;
            v = ratio <= SPEEDUP_RATIO ? Finding.Verdict.REPRODUCED : ratio >= 1.0 ? Finding.Verdict.NOT_REPRODUCED
                    : Finding.Verdict.INCONCLUSIVE;
            measured += String.format(Locale.ROOT, " (%.2fx)", ratio);
        }
        return new Finding(experiment, claim, measured, v);
    }

    static double meanSteps(double[] s) {
        double sum = 0;
        for (double x : s) {
            if (Double.isInfinite(x)) {
                return Double.POSITIVE_INFINITY;
            }
            sum += x;
        }
        return s.length == 0 ? Double.NaN : sum / s.length;
    }

    private static String steps(double v) {
        return Double.isInfinite(v) ? "not reached (in some seed)" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String pm(double[] v) {
        return String.format(Locale.ROOT, "%.3f ± %.3f", Stats.mean(v), Stats.sd(v));
    }
}
