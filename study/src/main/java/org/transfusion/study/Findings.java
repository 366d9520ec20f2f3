package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * States each of the paper's claims next to what the study measured. A difference counts only when it exceeds
 * both a practical margin and twice its standard error over seeds; otherwise the claim of "no difference" is
 * reproduced, and a claimed difference is inconclusive.
 */
final class Findings {
    private static final double AUC_MARGIN = 0.01;

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
            double diff = Stats.mean(p) - Stats.mean(r);
            double se = se(r, p);
            String measured = String.format(Locale.ROOT, "%s: test AUC random %s, transfer %s (difference %+.3f, "
                    + "2 s.e. %.3f, %d seeds)", model, pm(r), pm(p), diff, 2 * se, Stats.count(r));
            Finding.Verdict v = Math.abs(diff) <= Math.max(AUC_MARGIN, 2 * se) ? Finding.Verdict.REPRODUCED
                    : Finding.Verdict.NOT_REPRODUCED;
            out.add(new Finding("performance", "Transfer from pretraining gives little or no gain in final test AUC "
                    + "over random initialisation on the medical task (Tables 1-2).", measured, v));
        }
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
            double gapSmall = Stats.mean(ps) - Stats.mean(rs);
            double gapFull = Stats.mean(pf) - Stats.mean(rf);
            double se = Math.sqrt(Math.pow(se(rs, ps), 2) + Math.pow(se(rf, pf), 2));
            String measured = String.format(Locale.ROOT, "%s: transfer gain %+.3f with %d training images vs %+.3f with "
                    + "all (2 s.e. of the difference %.3f)", model, gapSmall, smallest, gapFull, 2 * se);
            Finding.Verdict v = gapSmall - gapFull > Math.max(AUC_MARGIN, 2 * se) ? Finding.Verdict.REPRODUCED
                    : gapFull - gapSmall > Math.max(AUC_MARGIN, 2 * se) ? Finding.Verdict.NOT_REPRODUCED
                    : Finding.Verdict.INCONCLUSIVE;
            out.add(new Finding("small data", "With very little data, transfer helps more than with the full "
                    + "dataset (Table 3).", measured, v));
        }
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
                String layer = layers.path(top).asText();
                String measured = String.format(Locale.ROOT, "%s, %s: PWCCA random-vs-random %.3f, random-vs-transfer "
                        + "%.3f (difference %+.3f)", model, layer, rr, rp, rp - rr);
                Finding.Verdict v = Math.abs(rp - rr) <= 0.05 ? Finding.Verdict.REPRODUCED
                        : Finding.Verdict.NOT_REPRODUCED;
                out.add(new Finding("representations", "For small models, the top layers of networks trained from "
                        + "pretrained weights are about as similar to random-init networks as random-init networks "
                        + "(other seeds) are to each other (Figure 2).", measured, v));
            }
            JsonNode ba = m.path("before_after").path("pretrained").path("pwcca").path("mean");
            if (ba.size() >= 2) {
                double low = ba.path(0).asDouble(Double.NaN);
                double high = ba.path(top).asDouble(Double.NaN);
                String measured = String.format(Locale.ROOT, "%s (transfer): PWCCA before vs after training %.3f at %s, "
                        + "%.3f at %s", model, low, layers.path(0).asText(), high, layers.path(top).asText());
                Finding.Verdict v = low > high + 0.02 ? Finding.Verdict.REPRODUCED
                        : high > low + 0.02 ? Finding.Verdict.NOT_REPRODUCED : Finding.Verdict.INCONCLUSIVE;
                out.add(new Finding("representations", "Lower layers change less through fine-tuning than higher "
                        + "layers (higher before/after similarity at the bottom).", measured, v));
            }
        }
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
                out.add(speed("convergence", claim, model, scheme, threshold, s, r));
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
            out.add(speed("transfusion", "Reusing pretrained weights only up to a low block already gives much of "
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
            out.add(speed("hybrid", claim, runModel, scheme, threshold, s, r));
        }
    }

    private List<Double> thresholds() {
        StudySpec.Convergence c = results.spec().experiments().convergence();
        return c != null ? c.thresholds() : List.of(0.7, 0.8, 0.9);
    }

    private Finding speed(String experiment, String claim, String model, String scheme, double threshold,
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
            v = ratio <= 0.8 ? Finding.Verdict.REPRODUCED : ratio >= 1.0 ? Finding.Verdict.NOT_REPRODUCED
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
