package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * States each of the paper's claims next to what the study measured. A difference counts only when it exceeds
 * both a practical margin and twice its standard error over seeds; otherwise the claim of "no difference" is
 * reproduced, and a claimed difference is inconclusive.
 *
 * <p>The instance methods gather numbers from the runs; each verdict rule is a static {@code judge...} function
 * over those plain numbers, so that the rules can be tested without training anything.
 */
final class Findings {
    /** Smallest test-AUC difference that matters in practice, however small its standard error. */
    private static final double AUC_MARGIN = 0.01;
    /** PWCCA similarities closer than this count as "about as similar" (no standard error is available). */
    private static final double SIMILARITY_MARGIN = 0.05;
    /** Before/after PWCCA of the lowest and top layers must differ by more than this to show which changed less. */
    private static final double BEFORE_AFTER_MARGIN = 0.02;
    /** A speed-up needs at most this fraction of random init's steps; at 1.0 or above there is none. */
    private static final double SPEEDUP_RATIO = 0.8;

    private final Results results;
    private final List<Finding> out = new ArrayList<>();

    private Findings(Results results) {
        this.results = results;
    }

    static List<Finding> of(Results results, JsonNode representations) {
        Findings f = new Findings(results);
        f.performance();
        f.smallData();
        f.representations(representations);
        f.convergence();
        f.transfusion();
        f.hybrid();
        return f.out;
    }

    private void performance() {
        if (results.spec().experiments().performance() == null) {
            return;
        }
        for (String model : results.spec().models()) {
            double[] r = results.testAucs(model, "random", null);
            double[] p = results.testAucs(model, "pretrained", null);
            if (Stats.count(r) == 0 || Stats.count(p) == 0) {
                continue;
            }
            out.add(judgePerformance(model, r, p));
        }
    }

    /**
     * The claim is "no difference", so it is reproduced whenever the difference does not count (within the margin
     * or within noise); it is never inconclusive.
     */
    static Finding judgePerformance(String model, double[] random, double[] transfer) {
        double diff = Stats.mean(transfer) - Stats.mean(random);
        double se = se(random, transfer);
        String measured = String.format(Locale.ROOT, "%s: test AUC random %s, transfer %s (difference %+.3f, "
                + "2 s.e. %.3f, %d seeds)", model, pm(random), pm(transfer), diff, 2 * se, Stats.count(random));
        Finding.Verdict v = Math.abs(diff) <= margin(se) ? Finding.Verdict.REPRODUCED : Finding.Verdict.NOT_REPRODUCED;
        return new Finding("performance", "Transfer from pretraining gives little or no gain in final test AUC "
                + "over random initialisation on the medical task (Tables 1-2).", measured, v);
    }

    private void smallData() {
        StudySpec.SmallData sd = results.spec().experiments().smallData();
        if (sd == null || sd.sizes().isEmpty()) {
            return;
        }
        int smallest = sd.sizes().stream().min(Integer::compare).orElseThrow();
        for (String model : results.spec().models()) {
            double[] rs = results.testAucs(model, "random", smallest);
            double[] ps = results.testAucs(model, "pretrained", smallest);
            double[] rf = results.testAucs(model, "random", null);
            double[] pf = results.testAucs(model, "pretrained", null);
            if (Stats.count(rs) == 0 || Stats.count(ps) == 0 || Stats.count(rf) == 0 || Stats.count(pf) == 0) {
                continue;
            }
            out.add(judgeSmallData(model, smallest, rs, ps, rf, pf));
        }
    }

    /**
     * Compares transfer's gain (transfer minus random) on {@code size} training images with its gain on all of them;
     * the two gains come from separate runs, so their standard errors add in quadrature.
     */
    static Finding judgeSmallData(String model, int size, double[] randomSmall, double[] transferSmall,
                                  double[] randomFull, double[] transferFull) {
        double gapSmall = Stats.mean(transferSmall) - Stats.mean(randomSmall);
        double gapFull = Stats.mean(transferFull) - Stats.mean(randomFull);
        double se = Math.sqrt(Math.pow(se(randomSmall, transferSmall), 2) + Math.pow(se(randomFull, transferFull), 2));
        String measured = String.format(Locale.ROOT, "%s: transfer gain %+.3f with %d training images vs %+.3f with "
                + "all (2 s.e. of the difference %.3f)", model, gapSmall, size, gapFull, 2 * se);
        Finding.Verdict v = gapSmall - gapFull > margin(se) ? Finding.Verdict.REPRODUCED
                : gapFull - gapSmall > margin(se) ? Finding.Verdict.NOT_REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        return new Finding("small data", "With very little data, transfer helps more than with the full "
                + "dataset (Table 3).", measured, v);
    }

    /** A difference in test AUC counts only beyond both the practical margin and twice its standard error. */
    private static double margin(double se) {
        return Math.max(AUC_MARGIN, 2 * se);
    }

    private void representations(JsonNode repr) {
        if (repr == null) {
            return;
        }
        for (String model : results.spec().models()) {
            JsonNode m = repr.path(model);
            if (m.isMissingNode()) {
                continue;
            }
            JsonNode layers = m.path("layers");
            int top = lastConv(layers);
            double rr = m.path("random_vs_random").path("pwcca").path("mean").path(top).asDouble(Double.NaN);
            double rp = m.path("random_vs_pretrained").path("pwcca").path("mean").path(top).asDouble(Double.NaN);
            if (!Double.isNaN(rr) && !Double.isNaN(rp)) {
                out.add(judgeTopLayerSimilarity(model, layers.path(top).asText(), rr, rp));
            }
            JsonNode ba = m.path("before_after").path("pretrained").path("pwcca").path("mean");
            if (ba.size() >= 2) {
                out.add(judgeBeforeAfter(model, layers.path(0).asText(), ba.path(0).asDouble(Double.NaN),
                        layers.path(top).asText(), ba.path(top).asDouble(Double.NaN)));
            }
        }
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

    /** PWCCA of the transfer network before vs after fine-tuning, at the lowest ({@code low}) and top layer. */
    static Finding judgeBeforeAfter(String model, String lowLayer, double low, String topLayer, double high) {
        String measured = String.format(Locale.ROOT, "%s (transfer): PWCCA before vs after training %.3f at %s, "
                + "%.3f at %s", model, low, lowLayer, high, topLayer);
        Finding.Verdict v = low > high + BEFORE_AFTER_MARGIN ? Finding.Verdict.REPRODUCED
                : high > low + BEFORE_AFTER_MARGIN ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        return new Finding("representations", "Lower layers change less through fine-tuning than higher "
                + "layers (higher before/after similarity at the bottom).", measured, v);
    }

    private static int lastConv(JsonNode layers) {
        int top = layers.size() - 1;
        if (top > 0 && layers.path(top).asText().equals("pool")) {
            top--;
        }
        return Math.max(top, 0);
    }

    private void convergence() {
        StudySpec.Convergence c = results.spec().experiments().convergence();
        if (c == null) {
            return;
        }
        for (String model : results.spec().models()) {
            double threshold = results.commonThreshold(model, c.thresholds());
            if (Double.isNaN(threshold)) {
                continue;
            }
            double[] r = results.steps(model, "random", threshold);
            for (String scheme : c.schemes()) {
                if (scheme.equals("random")) {
                    continue;
                }
                double[] s = results.steps(model, scheme, threshold);
                if (s.length == 0 || r.length == 0) {
                    continue;
                }
                String claim = scheme.equals("pretrained")
                        ? "Transfer speeds up convergence: fewer steps to reach a validation AUC (Figure 7)."
                        : scheme.startsWith("meanvar")
                        ? "Mean Var Init, which keeps only the pretrained weights' scaling, speeds up convergence "
                        + "nearly as much as transfer (Section 6)."
                        : "The '" + scheme + "' initialisation changes convergence speed.";
                out.add(judgeSpeed("convergence", claim, model, scheme, threshold, s, r));
            }
        }
    }

    private void transfusion() {
        StudySpec.Transfusion t = results.spec().experiments().transfusion();
        if (t == null) {
            return;
        }
        String model = t.model() != null ? t.model() : results.spec().models().get(0);
        double threshold = results.commonThreshold(model, thresholds());
        if (Double.isNaN(threshold) || t.blocks().isEmpty()) {
            return;
        }
        double[] r = results.steps(model, "random", threshold);
        String lowest = t.blocks().get(0);
        double[] s = results.steps(model, "transfusion:" + lowest, threshold);
        if (r.length > 0 && s.length > 0) {
            out.add(judgeSpeed("transfusion", "Reusing pretrained weights only up to a low block already gives much of "
                    + "the convergence speed-up of full transfer (Figure 8).", model, "transfusion:" + lowest,
                    threshold, s, r));
        }
    }

    private void hybrid() {
        StudySpec.Hybrid h = results.spec().experiments().hybrid();
        if (h == null) {
            return;
        }
        String model = h.model() != null ? h.model() : results.spec().models().get(0);
        double threshold = results.commonThreshold(model, thresholds());
        if (Double.isNaN(threshold)) {
            return;
        }
        double[] r = results.steps(model, "random", threshold);
        for (String scheme : h.schemes()) {
            String runModel = scheme.equals("slim") ? model + "-slim" : model;
            double[] s = results.steps(runModel, scheme, threshold);
            if (r.length == 0 || s.length == 0) {
                continue;
            }
            String claim = scheme.equals("slim")
                    ? "A slim model (pretrained lower blocks, halved random upper blocks) converges faster than random "
                    + "init, close to full transfer (Section 6)."
                    : scheme.startsWith("gabor+")
                    ? "Synthetic Gabor filters in the first layer with Mean Var Init above speed up convergence (Section 6)."
                    : "Synthetic Gabor filters in the first layer alone speed up convergence somewhat (Section 6).";
            out.add(judgeSpeed("hybrid", claim, runModel, scheme, threshold, s, r));
        }
    }

    private List<Double> thresholds() {
        StudySpec.Convergence c = results.spec().experiments().convergence();
        return c != null ? c.thresholds() : List.of(0.7, 0.8, 0.9);
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

    private static double se(double[] a, double[] b) {
        return Math.sqrt(var(a) / Math.max(1, Stats.count(a)) + var(b) / Math.max(1, Stats.count(b)));
    }

    private static double var(double[] v) {
        double sd = Stats.sd(v);
        return Double.isNaN(sd) ? 0 : sd * sd;
    }

    static String pm(double[] v) {
        return String.format(Locale.ROOT, "%.3f ± %.3f", Stats.mean(v), Stats.sd(v));
    }
}
