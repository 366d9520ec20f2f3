package org.transfusion.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;

/**
 * States each of the paper's claims next to what the study measured, as a rule with its scope: each gives
 * reproduced, not reproduced or inconclusive, with the numbers it used. Differences between initialisations are
 * paired by seed (runs of one seed share the data split) and judged by their 95% t-interval against a practical
 * margin; fewer than {@value #MIN_SEEDS} seeds, an interval too wide to decide, or a study without the model family
 * a claim is about give inconclusive, the last as "out of scope" (with what it needs).
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
    /** Similarities closer than this count as "about as similar" (no standard error is available). */
    private static final double SIMILARITY_MARGIN = 0.05;

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
        return judgePerformance(model, random, transfer, Double.NaN);
    }

    /**
     * {@link #judgePerformance(String, double[], double[])} for another experiment's claim and metric (a
     * segmentation's test Dice), with the same margins: a Dice, like an AUC, is a share in [0, 1].
     */
    static Finding judgePerformance(String experiment, String claim, String metric, String model, double[] random,
                                    double[] transfer) {
        return judgePerformance(experiment, claim, metric, model, random, transfer, Double.NaN);
    }

    /** Claim 1's text. */
    static final String TRANSFER_NO_GAIN = "Transfer from pretraining gives little or no gain in final test AUC "
            + "over random initialisation on the medical task (Tables 1-2).";

    /**
     * {@link #judgePerformance(String, double[], double[])} with the test set's uncertainty (issue 30.3):
     * {@code testVariance} is the DeLong variance of the seed-averaged paired difference on the shared test set,
     * and the verdict's interval is {@link Stats#combinedInterval}; the seed-only interval is shown beside it. NaN:
     * not measured (the seed-only interval decides, and the text says so).
     */
    static Finding judgePerformance(String model, double[] random, double[] transfer, double testVariance) {
        return judgePerformance("performance", TRANSFER_NO_GAIN, "test AUC", model, random, transfer, testVariance);
    }

    static Finding judgePerformance(String experiment, String claim, String metric, String model, double[] random,
                                    double[] transfer, double testVariance) {
        double[] d = pairedDifferences(random, transfer);
        int n = Stats.count(d);
        String measured = String.format(Locale.ROOT, "%s: %s random %s, transfer %s", model, metric, pm(random),
                pm(transfer));
        if (n < MIN_SEEDS) {
            return tooFewSeeds(experiment, claim, measured, n);
        }
        Finding degenerate = identicalAcrossSeeds(experiment, claim, measured, d);
        if (degenerate != null) {
            return degenerate;
        }
        double mean = Stats.mean(d);
        double[] seedOnly = Stats.tInterval(d);
        double[] ci = Stats.combinedInterval(d, testVariance);
        measured += Double.isNaN(testVariance)
                ? String.format(Locale.ROOT, "; paired difference %+.3f, 95%% CI [%+.3f, %+.3f] over seeds only, %d "
                + "seeds", mean, ci[0], ci[1], n)
                : String.format(Locale.ROOT, "; paired difference %+.3f, 95%% CI [%+.3f, %+.3f] with the test set's "
                + "uncertainty (test-set SE %.3f; seeds only [%+.3f, %+.3f]), %d seeds", mean, ci[0], ci[1],
                Math.sqrt(testVariance), seedOnly[0], seedOnly[1], n);
        Finding.Verdict v = (ci[0] > 0 || ci[1] < 0) && Math.abs(mean) > AUC_MARGIN ? Finding.Verdict.NOT_REPRODUCED
                : ci[0] >= -EQUIVALENCE && ci[1] <= EQUIVALENCE ? Finding.Verdict.REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(d, testVariance);
        return new Finding(experiment, claim, measured, v, new Finding.Evidence(e.pWithin(-EQUIVALENCE, EQUIVALENCE),
                Math.abs(mean) > AUC_MARGIN ? e.pNonZero() : 1, e.detectable(), metric));
    }

    /**
     * What an interval carries: "over seeds only" without the test set's variance, else "with the test set's
     * uncertainty (test-set SE s; seeds only [lo, hi])".
     */
    static String intervalText(double[] d, double testVariance) {
        if (Double.isNaN(testVariance)) {
            return "over seeds only";
        }
        double[] seedOnly = Stats.tInterval(d);
        return String.format(Locale.ROOT, "with the test set's uncertainty (test-set SE %.3f; seeds only [%+.3f, "
                + "%+.3f])", Math.sqrt(testVariance), seedOnly[0], seedOnly[1]);
    }

    /** An inconclusive finding: {@code n} paired seeds are fewer than a verdict needs. */
    private static Finding tooFewSeeds(String experiment, String claim, String measured, int n) {
        return new Finding(experiment, claim, measured + String.format(Locale.ROOT, "; %d paired seed%s (at least %d "
                + "needed to judge)", n, n == 1 ? "" : "s", MIN_SEEDS), Finding.Verdict.INCONCLUSIVE);
    }

    /**
     * An inconclusive finding when the paired differences are the same on every seed (at least two known): seeds
     * differ in initialisation, data order and augmentation, so real training never gives bit-identical differences;
     * identical ones (0.500 - 0.500 from runs that predict a constant, say) come from degenerate runs, and their
     * t-interval of zero width would claim certainty. Null otherwise.
     */
    static Finding identicalAcrossSeeds(String experiment, String claim, String measured, double[] differences) {
        double[] known = Arrays.stream(differences).filter(x -> !Double.isNaN(x)).toArray();
        if (known.length >= 2 && Arrays.stream(known).allMatch(x -> x == known[0])) {
            return new Finding(experiment, claim, measured + String.format(Locale.ROOT, "; no verdict: the difference "
                    + "is %+.4f on all %d seeds, which real training does not give (degenerate runs)", known[0],
                    known.length), Finding.Verdict.INCONCLUSIVE);
        }
        return null;
    }

    /** b - a per seed where both are known (NaN elsewhere, left out by {@link Stats}). */
    static double[] pairedDifferences(double[] a, double[] b) {
        double[] d = new double[Math.min(a.length, b.length)];
        for (int i = 0; i < d.length; i++) {
            d[i] = b[i] - a[i];
        }
        return d;
    }

    /**
     * The paper's large models, the ones its size claims contrast with the small CBRs (resnet50, inception-v3): the
     * model card's size class ({@link ModelCard.SizeClass} states the rule).
     */
    static boolean isLarge(String model) {
        return sizeClass(model) == ModelCard.SizeClass.LARGE;
    }

    /** The paper's small models: the CBR family (not their slim variants, which are a hybrid); the card says. */
    static boolean isSmall(String model) {
        return sizeClass(model) == ModelCard.SizeClass.SMALL;
    }

    /** A model's size class; neither for a name that is no model. */
    static ModelCard.SizeClass sizeClass(String model) {
        return ModelRegistry.find(model).map(ModelCard::sizeClass).orElse(ModelCard.SizeClass.NEITHER);
    }

    /** A finding that cannot be judged here because the models it is about are not in the study. */
    static Finding outOfScope(String experiment, String claim, String needs, List<String> models) {
        return new Finding(experiment, claim, "out of scope: needs " + needs + "; this study has "
                + String.join(", ", models), Finding.Verdict.OUT_OF_SCOPE);
    }

    /**
     * Claim 2 over a study's models: one finding per (CBR, large model) pair from {@code randomAucs} (test AUC per
     * seed from random init), or one out-of-scope finding when the study lacks either family.
     */
    static List<Finding> smallLikeLarge(List<String> models, Function<String, double[]> randomAucs) {
        return smallLikeLarge(models, randomAucs, (sm, l) -> Double.NaN);
    }

    /**
     * {@link #smallLikeLarge(List, Function)} with the test set's variance of each pair's seed-averaged difference
     * ({@code testVariance}: small, large to the variance, NaN where not measured; issue 30.3).
     */
    static List<Finding> smallLikeLarge(List<String> models, Function<String, double[]> randomAucs,
                                        BiFunction<String, String, Double> testVariance) {
        return perFamilyPair(models, () -> outOfScope("performance", SMALL_LIKE_LARGE, "a CBR and ResNet50 or "
                + "Inception-v3", models), (sm, l) -> judgeSmallLikeLarge(sm, randomAucs.apply(sm), l,
                randomAucs.apply(l), testVariance.apply(sm, l)));
    }

    /**
     * Claim 4 over a study's models: one finding per (large model, CBR) pair from {@code gains} (transfer - random
     * test AUC per seed on {@code size} images), or one out-of-scope finding when the study lacks either family.
     */
    static List<Finding> littleData(List<String> models, int size, Function<String, double[]> gains) {
        return littleData(models, size, gains, (sm, l) -> Double.NaN);
    }

    /**
     * {@link #littleData(List, int, Function)} with the test set's variance of each pair's difference of mean gains
     * ({@code testVariance}: small, large to the variance, NaN where not measured; issue 30.3).
     */
    static List<Finding> littleData(List<String> models, int size, Function<String, double[]> gains,
                                    BiFunction<String, String, Double> testVariance) {
        return perFamilyPair(models, () -> outOfScope("small data", LITTLE_DATA, "a CBR and ResNet50 or Inception-v3 "
                + "with small-data runs", models), (sm, l) -> judgeLittleData(size, l, gains.apply(l), sm,
                gains.apply(sm), testVariance.apply(sm, l)));
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
        return judgeSmallLikeLarge(small, smallAucs, large, largeAucs, Double.NaN);
    }

    /**
     * {@link #judgeSmallLikeLarge(String, double[], String, double[])} on the interval that also carries the test
     * set's uncertainty ({@link Stats#combinedInterval}; {@code testVariance} NaN: seeds only, and the text says so).
     */
    static Finding judgeSmallLikeLarge(String small, double[] smallAucs, String large, double[] largeAucs,
                                       double testVariance) {
        double[] d = pairedDifferences(largeAucs, smallAucs);
        int n = Stats.count(d);
        String measured = String.format(Locale.ROOT, "%s %s vs %s %s (random init)", small, pm(smallAucs), large,
                pm(largeAucs));
        if (n < MIN_SEEDS) {
            return tooFewSeeds("performance", SMALL_LIKE_LARGE, measured, n);
        }
        Finding degenerate = identicalAcrossSeeds("performance", SMALL_LIKE_LARGE, measured, d);
        if (degenerate != null) {
            return degenerate;
        }
        double[] ci = Stats.combinedInterval(d, testVariance);
        measured += String.format(Locale.ROOT, "; difference %+.3f, 95%% CI [%+.3f, %+.3f] %s, %d seeds",
                Stats.mean(d), ci[0], ci[1], intervalText(d, testVariance), n);
        Finding.Verdict v = ci[0] >= -EQUIVALENCE ? Finding.Verdict.REPRODUCED
                : ci[1] < -AUC_MARGIN ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(d, testVariance);
        return new Finding("performance", SMALL_LIKE_LARGE, measured, v, new Finding.Evidence(e.pAbove(-EQUIVALENCE),
                e.pBelow(-AUC_MARGIN), e.detectable(), "test AUC"));
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
        return judgeLittleData(size, large, largeGains, small, smallGains, Double.NaN);
    }

    /**
     * {@link #judgeLittleData(int, String, double[], String, double[])} whose interval also carries the test set's
     * variance of the difference of mean gains ({@code testVariance}; NaN: seeds only).
     */
    static Finding judgeLittleData(int size, String large, double[] largeGains, String small, double[] smallGains,
                                   double testVariance) {
        int nl = Stats.count(largeGains);
        int ns = Stats.count(smallGains);
        String measured = String.format(Locale.ROOT, "%d training images: transfer gain %s %+.3f, %s %+.3f", size,
                large, Stats.mean(largeGains), small, Stats.mean(smallGains));
        if (Math.min(nl, ns) < MIN_SEEDS) {
            return new Finding("small data", LITTLE_DATA, measured + String.format(Locale.ROOT, "; %d and %d seeds "
                    + "(at least %d each needed to judge)", nl, ns, MIN_SEEDS), Finding.Verdict.INCONCLUSIVE);
        }
        for (double[] gains : List.of(largeGains, smallGains)) {
            Finding degenerate = identicalAcrossSeeds("small data", LITTLE_DATA, measured, gains);
            if (degenerate != null) {
                return degenerate;
            }
        }
        return welch("small data", LITTLE_DATA, measured, largeGains, smallGains, "test AUC", testVariance);
    }

    /**
     * Similarity over the top layers ({@code what} names the measure and layers: the study uses mean SVCCA over
     * them, as the paper does); the claim is "about as similar", so it is reproduced within the margin and
     * contradicted beyond it, never inconclusive.
     */
    static Finding judgeTopLayerSimilarity(String model, String what, double randomVsRandom, double randomVsTransfer) {
        double diff = randomVsTransfer - randomVsRandom;
        String measured = String.format(Locale.ROOT, "%s, %s: random-vs-random %.3f, random-vs-transfer "
                + "%.3f (difference %+.3f)", model, what, randomVsRandom, randomVsTransfer, diff);
        Finding.Verdict v = Math.abs(diff) <= SIMILARITY_MARGIN ? Finding.Verdict.REPRODUCED
                : Finding.Verdict.NOT_REPRODUCED;
        return new Finding("representations", "For small models, the top layers of networks trained from "
                + "pretrained weights are about as similar to random-init networks as random-init networks "
                + "(other seeds) are to each other (Figure 2).", measured, v);
    }

    /** Figure 2's numbers for one model: what was measured (measure and layers) and the two mean similarities. */
    record Figure2(String what, double randomVsRandom, double randomVsTransfer) {}

    /**
     * Claim 5 over a study's models: the small-model half for each CBR, the large-model half for ResNet50 /
     * Inception-v3, other models outside both; inconclusive under {@value #MIN_SEEDS} seeds (random-vs-random then
     * rests on one or no pair of networks); one out-of-scope finding when the study has neither family.
     * {@code numbers} gives null for a model without them.
     */
    static List<Finding> figure2(List<String> models, int seeds, Function<String, Figure2> numbers) {
        List<Finding> out = new ArrayList<>();
        for (String model : models) {
            boolean small = isSmall(model);
            if (!small && !isLarge(model)) {
                continue;
            }
            Figure2 f = numbers.apply(model);
            if (f == null || Double.isNaN(f.randomVsRandom()) || Double.isNaN(f.randomVsTransfer())) {
                continue;
            }
            Finding judged = small ? judgeTopLayerSimilarity(model, f.what(), f.randomVsRandom(), f.randomVsTransfer())
                    : judgeLargeTopLayerSimilarity(model, f.what(), f.randomVsRandom(), f.randomVsTransfer());
            out.add(seeds < MIN_SEEDS ? new Finding("representations", judged.claim(), judged.measured()
                    + String.format(Locale.ROOT, "; %d seeds (at least %d needed to judge)", seeds, MIN_SEEDS),
                    Finding.Verdict.INCONCLUSIVE) : judged);
        }
        if (models.stream().noneMatch(m -> isSmall(m) || isLarge(m))) {
            out.add(outOfScope("representations", LARGE_DIFFER, "a CBR or ResNet50 / Inception-v3", models));
        }
        return out;
    }

    static final String LARGE_DIFFER = "For large models, two random-init networks are much more similar to each other "
            + "in their top layers than either is to a network trained from pretrained weights (Figure 2).";

    /**
     * The large-model half of Figure 2's claim, over the top layers: reproduced when random-vs-random similarity exceeds
     * random-vs-transfer by more than {@value #SIMILARITY_MARGIN}, contradicted when it does not exceed it at all,
     * inconclusive in between.
     */
    static Finding judgeLargeTopLayerSimilarity(String model, String what, double randomVsRandom,
                                                double randomVsTransfer) {
        double gap = randomVsRandom - randomVsTransfer;
        String measured = String.format(Locale.ROOT, "%s, %s: random-vs-random %.3f, random-vs-transfer %.3f "
                + "(gap %+.3f)", model, what, randomVsRandom, randomVsTransfer, gap);
        Finding.Verdict v = gap > SIMILARITY_MARGIN ? Finding.Verdict.REPRODUCED
                : gap <= 0 ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        return new Finding("representations", LARGE_DIFFER, measured, v);
    }

    /** A speed-up smaller than this fraction of the reference's steps (10%) does not matter. */
    static final double NEGLIGIBLE_SPEEDUP = 0.9;
    /** The unit of a step ratio's detectable effect: a factor on the steps (1.5 = 50% more or fewer steps). */
    static final String STEP_RATIO = "x the steps";

    /**
     * Steps to a validation AUC of a scheme against a reference, paired by seed on the log scale: for seed i,
     * ln(s_i / r_i). A run that never reached the threshold counts as the run's length ({@code cap}), a lower bound
     * of its true steps: for the reference that understates the speed-up, for the scheme it can only make it look
     * no faster — never a false speed-up. A seed where neither reached it says nothing and is left out (and
     * counted in the text). So does a seed where both reached it by the first validation ({@code floor}, the
     * first step a threshold can be recorded at): each reached it at some step up to the floor, a tie that says
     * nothing about which is faster (without this rule, thresholds every run meets at once gave a zero-width
     * interval at 1.00x, which read as "no speed-up, decided"). Missing runs are NaN.
     */
    record PairedSteps(double[] logRatios, int neitherReached, double geometricRatio, double[] ratioCi,
                       int bothAtFirst, double floor) {
        static PairedSteps of(double[] s, double[] r, double cap) {
            return of(s, r, cap, 0);
        }

        static PairedSteps of(double[] s, double[] r, double cap, double floor) {
            List<Double> l = new ArrayList<>();
            int neither = 0;
            int atFirst = 0;
            for (int i = 0; i < Math.min(s.length, r.length); i++) {
                if (Double.isNaN(s[i]) || Double.isNaN(r[i])) {
                    continue;
                }
                if (Double.isInfinite(s[i]) && Double.isInfinite(r[i])) {
                    neither++;
                    continue;
                }
                if (floor > 0 && s[i] <= floor && r[i] <= floor) {
                    atFirst++;
                    continue;
                }
                double a = Math.max(1, Math.min(s[i], cap));
                double b = Math.max(1, Math.min(r[i], cap));
                l.add(Math.log(a / b));
            }
            double[] lr = l.stream().mapToDouble(Double::doubleValue).toArray();
            double[] ci = Stats.tInterval(lr);
            return new PairedSteps(lr, neither, Math.exp(Stats.mean(lr)),
                    new double[] {Math.exp(ci[0]), Math.exp(ci[1])}, atFirst, floor);
        }

        int n() {
            return logRatios.length;
        }

        /** Why a pairing judged nothing: the seeds both runs met the threshold at the first validation. */
        String atFirstText() {
            return String.format(Locale.ROOT, "both reached it at the first validation (step %.0f) in %d seed%s, "
                    + "which cannot tell them apart: a higher threshold, declared in the spec before training, can",
                    floor, bothAtFirst, bothAtFirst == 1 ? "" : "s");
        }

        String text() {
            return String.format(Locale.ROOT, "%.2fx the steps (geometric mean over %d paired seed%s, 95%% CI "
                    + "[%.2fx, %.2fx])%s%s", geometricRatio, n(), n() == 1 ? "" : "s", ratioCi[0], ratioCi[1],
                    neitherReached > 0 ? "; " + neitherReached + " seed(s) where neither reached it left out" : "",
                    bothAtFirst > 0 ? "; " + bothAtFirst + " seed(s) where both reached it at the first validation "
                    + String.format(Locale.ROOT, "(step %.0f) left out", floor) : "");
        }
    }

    /** Too few informative seeds: the count, and why when it is the first-validation ties. */
    private static Finding tooFewSeeds(String experiment, String claim, String measured, PairedSteps p) {
        if (p.bothAtFirst() > 0) {
            return new Finding(experiment, claim, measured + "; " + p.atFirstText() + String.format(Locale.ROOT,
                    " (%d informative paired seed%s, at least %d needed to judge)", p.n(), p.n() == 1 ? "" : "s",
                    MIN_SEEDS), Finding.Verdict.INCONCLUSIVE);
        }
        return tooFewSeeds(experiment, claim, measured, p.n());
    }

    /**
     * A claimed speed-up of {@code scheme} over {@code reference}, from steps to val AUC {@code threshold} per seed:
     * reproduced when the 95% interval of the paired step ratio lies below 1 (significantly fewer steps),
     * contradicted when it lies above {@value #NEGLIGIBLE_SPEEDUP} (a speed-up of more than 10% is excluded),
     * inconclusive in between or under {@value #MIN_SEEDS} informative seeds.
     */
    static Finding judgeSpeedup(String experiment, String claim, String model, String scheme, String reference,
                                double threshold, double[] s, double[] r, double cap) {
        return judgeSpeedup(experiment, claim, model, scheme, reference, threshold, s, r, cap, "val AUC", 0);
    }

    /** {@link #judgeSpeedup} with the first validation step {@code floor} (see {@link PairedSteps}). */
    static Finding judgeSpeedup(String experiment, String claim, String model, String scheme, String reference,
                                double threshold, double[] s, double[] r, double cap, double floor) {
        return judgeSpeedup(experiment, claim, model, scheme, reference, threshold, s, r, cap, "val AUC", floor);
    }

    /** {@link #judgeSpeedup} with the steps counted to another validation metric ({@code "val Dice"}). */
    static Finding judgeSpeedup(String experiment, String claim, String model, String scheme, String reference,
                                double threshold, double[] s, double[] r, double cap, String metric, double floor) {
        PairedSteps p = PairedSteps.of(s, r, cap, floor);
        String measured = String.format(Locale.ROOT, "%s: steps to %s %.2f: %s %s vs %s %s", model, metric,
                threshold, scheme, stepsText(s), reference, stepsText(r));
        if (p.n() < MIN_SEEDS) {
            return tooFewSeeds(experiment, claim, measured, p);
        }
        measured += "; " + scheme + " took " + p.text();
        Finding.Verdict v = p.ratioCi()[1] < 1 ? Finding.Verdict.REPRODUCED
                : p.ratioCi()[0] > NEGLIGIBLE_SPEEDUP ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(p.logRatios());
        return new Finding(experiment, claim, measured, v, new Finding.Evidence(e.pBelow(0),
                e.pAbove(Math.log(NEGLIGIBLE_SPEEDUP)), Math.exp(e.detectable()), STEP_RATIO));
    }

    static final String TRANSFUSION = "Weight transfusion: reusing pretrained weights only up to a low block recovers "
            + "most of full transfer's convergence speed-up (Figure 8).";

    /**
     * Claim 8: transfusion up to block {@code block} ({@code k}) against random ({@code r}) and full transfer
     * ({@code p}), steps per seed. It can only be judged where full transfer itself is significantly faster than
     * random (else there is no speed-up to recover: inconclusive). "Most" is read as more than half: per seed
     * d_i = k_i - (r_i + p_i) / 2, the distance below the midpoint between random and full transfer; reproduced
     * when its 95% interval lies below 0, contradicted when above 0, inconclusive otherwise or under
     * {@value #MIN_SEEDS} seeds. Runs that never reached the threshold count as {@code cap} steps.
     */
    static Finding judgeTransfusion(String model, String block, double threshold, double[] k, double[] p,
                                    double[] r, double cap) {
        return judgeTransfusion(model, block, threshold, k, p, r, cap, "transfusion", "val AUC");
    }

    /** {@link #judgeTransfusion} in another experiment, the steps counted to another metric ({@code "val Dice"}). */
    static Finding judgeTransfusion(String model, String block, double threshold, double[] k, double[] p,
                                    double[] r, double cap, String experiment, String metric) {
        String measured = String.format(Locale.ROOT, "%s: steps to %s %.2f: up to %s %s, full transfer %s, "
                + "random %s", model, metric, threshold, block, stepsText(k), stepsText(p), stepsText(r));
        PairedSteps full = PairedSteps.of(p, r, cap);
        double[] kc = capped(k, cap);
        double[] pc = capped(p, cap);
        double[] rc = capped(r, cap);
        double[] dv = new double[Math.min(kc.length, Math.min(pc.length, rc.length))];
        for (int i = 0; i < dv.length; i++) {
            dv[i] = kc[i] - (rc[i] + pc[i]) / 2; // NaN where a run is missing, left out by Stats
        }
        int paired = Stats.count(dv);
        if (paired < MIN_SEEDS || full.n() < MIN_SEEDS) {
            return tooFewSeeds(experiment, TRANSFUSION, measured, Math.min(paired, full.n()));
        }
        if (!(full.ratioCi()[1] < 1)) {
            return new Finding(experiment, TRANSFUSION, measured + "; full transfer took " + full.text()
                    + " of random's: no significant speed-up to recover", Finding.Verdict.INCONCLUSIVE);
        }
        double mr = Stats.mean(rc);
        double recovered = (mr - Stats.mean(kc)) / (mr - Stats.mean(pc));
        double[] ci = Stats.tInterval(dv);
        measured += String.format(Locale.ROOT, "; recovers %.0f%% of the speed-up; steps minus the random/transfer "
                + "midpoint %+.0f, 95%% CI [%+.0f, %+.0f], %d seeds", 100 * recovered, Stats.mean(dv), ci[0], ci[1],
                paired);
        Finding.Verdict v = ci[1] < 0 ? Finding.Verdict.REPRODUCED : ci[0] > 0 ? Finding.Verdict.NOT_REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(dv);
        return new Finding(experiment, TRANSFUSION, measured, v, new Finding.Evidence(e.pBelow(0), e.pAbove(0),
                e.detectable(), "steps"));
    }

    static final String SLIM = "A slim model (pretrained up to block 2, the rest halved and random) matches full transfer "
            + "in test AUC and convergence speed (Section 6).";
    /** Convergence "matches" when the step ratio's interval lies within [1 / 1.25, 1.25]. */
    static final double STEP_EQUIVALENCE = 1.25;

    /**
     * Claim 9's slim half: the slim model against the full model with transfer, paired by seed, on both counts.
     * Test AUC: equivalent when the 95% interval of slim - full lies within +-{@value #EQUIVALENCE}, different when
     * it excludes 0 by more than the practical margin. Steps: equivalent when the ratio's interval lies within
     * [0.8, {@value #STEP_EQUIVALENCE}], different when it lies wholly outside 1 beyond that. Reproduced when both
     * are equivalent, contradicted when either differs, inconclusive otherwise or under {@value #MIN_SEEDS} seeds.
     */
    static Finding judgeSlim(String slim, String full, double threshold, double[] slimAucs, double[] fullAucs,
                             double[] slimSteps, double[] fullSteps, double cap) {
        double[] d = pairedDifferences(fullAucs, slimAucs);
        PairedSteps p = PairedSteps.of(slimSteps, fullSteps, cap);
        String measured = String.format(Locale.ROOT, "%s vs %s with transfer: test AUC %s vs %s; steps to val AUC "
                + "%.2f %s vs %s", slim, full, pm(slimAucs), pm(fullAucs), threshold, stepsText(slimSteps),
                stepsText(fullSteps));
        int n = Math.min(Stats.count(d), p.n());
        if (n < MIN_SEEDS) {
            return tooFewSeeds("hybrid", SLIM, measured, n);
        }
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, "; AUC difference %+.3f, 95%% CI [%+.3f, %+.3f]; slim took %s",
                Stats.mean(d), ci[0], ci[1], p.text());
        boolean aucSame = ci[0] >= -EQUIVALENCE && ci[1] <= EQUIVALENCE;
        boolean aucDiffers = (ci[0] > 0 || ci[1] < 0) && Math.abs(Stats.mean(d)) > AUC_MARGIN;
        double[] rc = p.ratioCi();
        boolean stepsSame = rc[0] >= 1 / STEP_EQUIVALENCE && rc[1] <= STEP_EQUIVALENCE;
        boolean stepsDiffer = rc[0] > STEP_EQUIVALENCE || rc[1] < 1 / STEP_EQUIVALENCE;
        Finding.Verdict v = aucDiffers || stepsDiffer ? Finding.Verdict.NOT_REPRODUCED
                : aucSame && stepsSame ? Finding.Verdict.REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        // both equivalences must hold (intersection-union: the larger p); either difference contradicts (two tests:
        // Bonferroni's 2 min p)
        Estimate auc = Estimate.ofSeeds(d);
        Estimate steps = Estimate.ofSeeds(p.logRatios());
        double band = Math.log(STEP_EQUIVALENCE);
        double aucAgainst = Math.abs(Stats.mean(d)) > AUC_MARGIN ? auc.pNonZero() : 1;
        double stepsAgainst = Math.min(steps.pAbove(band), steps.pBelow(-band));
        return new Finding("hybrid", SLIM, measured, v, new Finding.Evidence(
                Math.max(auc.pWithin(-EQUIVALENCE, EQUIVALENCE), steps.pWithin(-band, band)),
                Math.min(1, 2 * Math.min(aucAgainst, stepsAgainst)), auc.detectable(), "test AUC"));
    }

    static final String GABOR_LIKE_PRETRAINED_CONV1 = "Synthetic Gabor filters in the first layer converge about as "
            + "fast as the pretrained first layer (Section 6 sets them beside each other).";

    /**
     * Claim 9's Gabor half against the pretrained first layer: steps of {@code scheme} (Gabor) over those of
     * transfusion up to the first block ({@code reference}), paired by seed. Reproduced when the 95% interval of the
     * step ratio lies within [0.8, {@value #STEP_EQUIVALENCE}], contradicted when it lies wholly outside that band,
     * inconclusive otherwise or under {@value #MIN_SEEDS} informative seeds.
     */
    static Finding judgeLikePretrainedFirstLayer(String model, String scheme, String reference, double threshold,
                                                 double[] s, double[] r, double cap) {
        return judgeLikePretrainedFirstLayer(model, scheme, reference, threshold, s, r, cap, 0);
    }

    /** {@link #judgeLikePretrainedFirstLayer} with the first validation step {@code floor} ({@link PairedSteps}). */
    static Finding judgeLikePretrainedFirstLayer(String model, String scheme, String reference, double threshold,
                                                 double[] s, double[] r, double cap, double floor) {
        PairedSteps p = PairedSteps.of(s, r, cap, floor);
        String measured = String.format(Locale.ROOT, "%s: steps to val AUC %.2f: %s %s vs %s (the pretrained first "
                + "layer, the rest random) %s", model, threshold, scheme, stepsText(s), reference, stepsText(r));
        if (p.n() < MIN_SEEDS) {
            return tooFewSeeds("hybrid", GABOR_LIKE_PRETRAINED_CONV1, measured, p);
        }
        measured += "; " + scheme + " took " + p.text();
        double[] rc = p.ratioCi();
        Finding.Verdict v = rc[0] >= 1 / STEP_EQUIVALENCE && rc[1] <= STEP_EQUIVALENCE ? Finding.Verdict.REPRODUCED
                : rc[0] > STEP_EQUIVALENCE || rc[1] < 1 / STEP_EQUIVALENCE ? Finding.Verdict.NOT_REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(p.logRatios());
        double band = Math.log(STEP_EQUIVALENCE);
        return new Finding("hybrid", GABOR_LIKE_PRETRAINED_CONV1, measured, v, new Finding.Evidence(
                e.pWithin(-band, band), Math.min(e.pAbove(band), e.pBelow(-band)), Math.exp(e.detectable()),
                STEP_RATIO));
    }

    /** Steps with "never reached" (infinity) counted as the run's length {@code cap}; NaN (missing) kept. */
    private static double[] capped(double[] v, double cap) {
        double[] c = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            c[i] = Double.isNaN(v[i]) ? Double.NaN : Math.min(v[i], cap);
        }
        return c;
    }

    /** Steps per seed: "120, 80, not reached". */
    static String stepsText(double[] v) {
        List<String> parts = new ArrayList<>();
        for (double x : v) {
            parts.add(Double.isNaN(x) ? "missing" : Double.isInfinite(x) ? "not reached"
                    : String.format(Locale.ROOT, "%.0f", x));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    static final String LOWER_CHANGE_LESS = "Lower layers change less through training than higher layers; feature "
            + "reuse happens mostly in the lowest layers (Figures 3-4).";

    /**
     * Claim 6's layer half, from before-vs-after similarity per seed: {@code lowerMinusHigher[i]} is seed i's mean
     * similarity over the lower half of the layers minus that over the upper half (higher = changed less).
     * Reproduced when its 95% interval lies above 0, contradicted when below, inconclusive otherwise or under
     * {@value #MIN_SEEDS} seeds.
     */
    static Finding judgeLowerChangeLess(String model, String scheme, String measure, double[] lowerMinusHigher,
                                        String lower, String higher) {
        String measured = String.format(Locale.ROOT, "%s (%s): %s before vs after training, lower layers (%s) minus "
                + "higher (%s): %+.3f", model, scheme, measure, lower, higher, Stats.mean(lowerMinusHigher));
        return aboveZero("representations", LOWER_CHANGE_LESS, measured, lowerMinusHigher);
    }

    /**
     * Reproduced when the 95% t-interval of the per-seed {@code d} lies above 0, contradicted when below,
     * inconclusive otherwise or under {@value #MIN_SEEDS} seeds; {@code measured} gains the interval.
     */
    private static Finding aboveZero(String experiment, String claim, String measured, double[] d) {
        int n = Stats.count(d);
        if (n < MIN_SEEDS) {
            return tooFewSeeds(experiment, claim, measured, n);
        }
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, ", 95%% CI [%+.3f, %+.3f], %d seeds", ci[0], ci[1], n);
        Finding.Verdict v = ci[0] > 0 ? Finding.Verdict.REPRODUCED : ci[1] < 0 ? Finding.Verdict.NOT_REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(d);
        return new Finding(experiment, claim, measured, v, new Finding.Evidence(e.pAbove(0), e.pBelow(0),
                e.detectable(), "similarity"));
    }

    static final String SURVIVES_LONGER_TRAINING = "Transfer's gain over random init survives training from random "
            + "init for longer (beyond the paper: the equal-tuning control of He et al., ICCV 2019).";

    /**
     * Whether a pretraining source's gain survives the {@code random-long} control: {@code d} = transfer - random
     * trained {@code factor} times longer, per seed, at {@code size} training images. Reproduced (the gain
     * survives) when its 95% t-interval lies above 0 and the mean exceeds the practical margin
     * ({@value #AUC_MARGIN} AUC); not reproduced when the interval lies below +{@value #EQUIVALENCE} (at most a
     * gain that does not matter is left); inconclusive otherwise or under {@value #MIN_SEEDS} seeds.
     */
    static Finding judgeSurvivesLongerTraining(String model, String source, double factor, double[] randomLong,
                                               double[] transfer, String size) {
        double[] d = pairedDifferences(randomLong, transfer);
        int n = Stats.count(d);
        String measured = String.format(Locale.ROOT, "%s, %s training images: from %s %s, random init with %sx "
                + "epochs %s", model, size, source, pm(transfer), Svg.plain(factor), pm(randomLong));
        if (n < MIN_SEEDS) {
            return tooFewSeeds("practitioner", SURVIVES_LONGER_TRAINING, measured, n);
        }
        Finding degenerate = identicalAcrossSeeds("practitioner", SURVIVES_LONGER_TRAINING, measured, d);
        if (degenerate != null) {
            return degenerate;
        }
        double mean = Stats.mean(d);
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, "; paired difference %+.3f, 95%% CI [%+.3f, %+.3f] over seeds only, "
                + "%d seeds", mean, ci[0], ci[1], n);
        Finding.Verdict v = ci[0] > 0 && mean > AUC_MARGIN ? Finding.Verdict.REPRODUCED
                : ci[1] <= EQUIVALENCE ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(d);
        return new Finding("practitioner", SURVIVES_LONGER_TRAINING, measured, v, new Finding.Evidence(
                mean > AUC_MARGIN ? e.pAbove(0) : 1, e.pBelow(EQUIVALENCE), e.detectable(), "test AUC"));
    }

    static final String RANKING_HOLDS = "The start that is best on the study's test set is not worse than the next "
            + "best on external data (beyond the paper: does the choice hold out of distribution?).";

    /**
     * Whether the in-distribution ranking of two starts holds on external data: {@code d} = external AUC of
     * {@code best} - that of {@code next}, per seed ({@code lead}: their difference in mean test AUC on the study's
     * own data). Reproduced (holds) when its 95% t-interval lies above -{@value #EQUIVALENCE} (the best start is
     * at most a negligible amount worse out of distribution); not reproduced when it lies below 0 (the ranking
     * reverses); inconclusive otherwise or under {@value #MIN_SEEDS} seeds.
     */
    static Finding judgeRankingHolds(String model, String best, String next, double lead, double[] d, String data) {
        int n = Stats.count(d);
        String measured = String.format(Locale.ROOT, "%s: %s ahead of %s by %+.3f test AUC; on %s the difference is "
                + "%+.3f", model, best, next, lead, data, Stats.mean(d));
        if (n < MIN_SEEDS) {
            return tooFewSeeds("external", RANKING_HOLDS, measured, n);
        }
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, ", 95%% CI [%+.3f, %+.3f] over seeds only, %d seeds", ci[0], ci[1], n);
        Finding.Verdict v = ci[0] > -EQUIVALENCE ? Finding.Verdict.REPRODUCED
                : ci[1] < 0 ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(d);
        return new Finding("external", RANKING_HOLDS, measured, v, new Finding.Evidence(e.pAbove(-EQUIVALENCE),
                e.pBelow(0), e.detectable(), "test AUC"));
    }

    static final String SEGMENTATION_REUSES_MORE = "A pretrained encoder changes less through segmentation than "
            + "through classification on the same kind of images: segmentation reuses more of the pretraining "
            + "(beyond the paper; asked of its open question).";

    /**
     * Whether segmentation keeps more of a pretrained encoder than classification: {@code segMinusCls[i]} is seed
     * i's mean before-vs-after similarity over the encoder's {@code layers} in the U-Net minus that in the same
     * encoder fine-tuned for classification (higher = changed less). Reproduced when its 95% t-interval lies above
     * 0, contradicted when below, inconclusive otherwise or under {@value #MIN_SEEDS} seeds.
     */
    static Finding judgeSegmentationReusesMore(String model, String encoder, String measure, double[] segMinusCls,
                                                String layers) {
        String measured = String.format(Locale.ROOT, "%s vs %s fine-tuned for classification, pretrained: %s before "
                + "vs after training over %s, segmentation minus classification: %+.3f", model, encoder, measure,
                layers, Stats.mean(segMinusCls));
        return aboveZero("segmentation", SEGMENTATION_REUSES_MORE, measured, segMinusCls);
    }

    static final String LARGE_CHANGE_LESS = "Large models change less through training than small ones, even from "
            + "random init (Figure 3).";

    /**
     * Claim 6's size half over a study's models: per (CBR, large model) pair, the mean before-vs-after similarity
     * over all layers of random-init runs per seed ({@code similarity}); or one out-of-scope finding.
     */
    static List<Finding> largeChangeLess(List<String> models, String measure, Function<String, double[]> similarity) {
        return perFamilyPair(models, () -> outOfScope("representations", LARGE_CHANGE_LESS, "a CBR and ResNet50 or "
                + "Inception-v3", models), (sm, l) -> judgeLargeChangeLess(measure, l, similarity.apply(l), sm,
                similarity.apply(sm)));
    }

    /**
     * A large model's before-vs-after similarity against a small one's (random init, per seed): the difference of
     * means with a Welch 95% interval (conservative degrees of freedom); reproduced above 0 (the large model changed
     * less), contradicted below, inconclusive otherwise or under {@value #MIN_SEEDS} seeds of either.
     */
    static Finding judgeLargeChangeLess(String measure, String large, double[] largeSim, String small,
                                        double[] smallSim) {
        int nl = Stats.count(largeSim);
        int ns = Stats.count(smallSim);
        String measured = String.format(Locale.ROOT, "%s before vs after training (random init, mean over layers): "
                + "%s %.3f, %s %.3f", measure, large, Stats.mean(largeSim), small, Stats.mean(smallSim));
        if (Math.min(nl, ns) < MIN_SEEDS) {
            return tooFewSeeds("representations", LARGE_CHANGE_LESS, measured, Math.min(nl, ns));
        }
        return welch("representations", LARGE_CHANGE_LESS, measured, largeSim, smallSim, measure, Double.NaN);
    }

    /**
     * A difference of two groups' means (a - b) with a Welch 95% interval (t with the smaller group's degrees of
     * freedom, a conservative choice): reproduced when the interval lies above 0, contradicted when below,
     * inconclusive otherwise.
     */
    private static Finding welch(String experiment, String claim, String measured, double[] a, double[] b,
                                 String unit, double testVariance) {
        int na = Stats.count(a);
        int nb = Stats.count(b);
        double diff = Stats.mean(a) - Stats.mean(b);
        double se = Math.sqrt(Math.pow(Stats.sd(a), 2) / na + Math.pow(Stats.sd(b), 2) / nb);
        double t = Stats.t975(Math.min(na, nb) - 1);
        double tv = Double.isNaN(testVariance) ? 0 : testVariance;
        double half = Stats.combinedHalfWidth(t, se * se, tv);
        String text = measured + String.format(Locale.ROOT, "; difference %+.3f, 95%% CI [%+.3f, %+.3f]", diff,
                diff - half, diff + half) + (Double.isNaN(testVariance) ? ""
                : String.format(Locale.ROOT, " with the test set's uncertainty (test-set SE %.3f; seeds only "
                + "[%+.3f, %+.3f])", Math.sqrt(tv), diff - t * se, diff + t * se));
        Finding.Verdict v = diff - half > 0 ? Finding.Verdict.REPRODUCED
                : diff + half < 0 ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        Estimate e = new Estimate(diff, se * se, Math.min(na, nb) - 1, tv);
        return new Finding(experiment, claim, text, v, new Finding.Evidence(e.pAbove(0), e.pBelow(0), e.detectable(),
                unit));
    }

    static final String PRETRAINING_NOT_PREDICTIVE = "Performance on the pretraining task does not predict performance "
            + "on the medical task (Section 3).";

    /** A model's accuracy on the pretraining task ({@code source}: what it was pretrained on). */
    record Pretraining(String model, String source, double accuracy) {}

    /**
     * Claim 3 over the models pretrained on the same task (accuracies are only comparable within one): for each
     * pair whose pretraining accuracies differ by at least one point, the seed-paired difference of their test AUCs
     * after transfer (better pretrainer minus worse). Reproduced when some pair's 95% interval lies below the
     * practical margin (the better pretrainer is not meaningfully better on the medical task), contradicted when
     * every pair's lies above 0 (ranking by pretraining accuracy held throughout), inconclusive otherwise or under
     * {@value #MIN_SEEDS} seeds; out of scope without two such models.
     */
    static List<Finding> pretrainingNotPredictive(List<String> models, List<Pretraining> pretraining,
                                                  Function<String, double[]> transferAucs) {
        Map<String, List<Pretraining>> bySource = new TreeMap<>();
        for (Pretraining p : pretraining) {
            if (!Double.isNaN(p.accuracy())) {
                bySource.computeIfAbsent(p.source(), k -> new ArrayList<>()).add(p);
            }
        }
        List<Finding> out = new ArrayList<>();
        for (Map.Entry<String, List<Pretraining>> e : bySource.entrySet()) {
            List<Pretraining> group = new ArrayList<>(e.getValue());
            group.sort((a, b) -> Double.compare(b.accuracy(), a.accuracy()));
            List<String> parts = new ArrayList<>();
            boolean anyNotBetter = false;
            boolean allBetter = true;
            int pairs = 0;
            int fewest = Integer.MAX_VALUE;
            for (int i = 0; i < group.size(); i++) {
                for (int j = i + 1; j < group.size(); j++) {
                    Pretraining hi = group.get(i);
                    Pretraining lo = group.get(j);
                    if (hi.accuracy() - lo.accuracy() < 0.01) {
                        continue;
                    }
                    double[] d = pairedDifferences(transferAucs.apply(lo.model()), transferAucs.apply(hi.model()));
                    int n = Stats.count(d);
                    fewest = Math.min(fewest, n);
                    pairs++;
                    double[] ci = Stats.tInterval(d);
                    parts.add(String.format(Locale.ROOT, "%s (%.1f%%) minus %s (%.1f%%): test AUC %+.3f, 95%% CI "
                            + "[%+.3f, %+.3f]", hi.model(), 100 * hi.accuracy(), lo.model(), 100 * lo.accuracy(),
                            Stats.mean(d), ci[0], ci[1]));
                    anyNotBetter |= ci[1] < AUC_MARGIN;
                    allBetter &= ci[0] > 0;
                }
            }
            if (pairs == 0) {
                continue;
            }
            String measured = "pretrained on " + e.getKey() + ", accuracy there vs test AUC after transfer: "
                    + String.join("; ", parts);
            if (fewest < MIN_SEEDS) {
                out.add(tooFewSeeds("performance", PRETRAINING_NOT_PREDICTIVE, measured, fewest));
                continue;
            }
            Finding.Verdict v = anyNotBetter ? Finding.Verdict.REPRODUCED
                    : allBetter ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
            out.add(new Finding("performance", PRETRAINING_NOT_PREDICTIVE, measured + "; " + fewest + " seeds", v));
        }
        if (out.isEmpty()) {
            out.add(outOfScope("performance", PRETRAINING_NOT_PREDICTIVE, "two models pretrained on the same task "
                    + "with known accuracies at least a point apart", models));
        }
        return out;
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

    static String pm(double[] v) {
        return String.format(Locale.ROOT, "%.3f ± %.3f", Stats.mean(v), Stats.sd(v));
    }
}
