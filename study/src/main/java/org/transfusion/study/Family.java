package org.transfusion.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One summary verdict per claim over its per-model findings, with the family-wise error controlled (issue 30.4):
 * a paper-scale study makes 60-70 findings, each at 5% error, so a claim judged on several models (or measures)
 * would be contradicted somewhere by chance alone. The findings of one claim are a family; Holm's step-down
 * procedure at {@value #ALPHA} runs over the family's tests in each direction (the k "reproduced" tests, and the k
 * "not reproduced" tests), and a finding keeps its verdict in the summary only when Holm still rejects in its
 * direction, else it counts as inconclusive. A finding whose rule is no test (a similarity margin) keeps its own
 * verdict. The claim is then not reproduced when any finding contradicts it after the correction, reproduced when
 * every in-scope finding reproduces it, out of scope when all are, and inconclusive otherwise.
 */
final class Family {
    static final double ALPHA = 0.05;

    private Family() {}

    /**
     * A claim's summary: its verdict, the text that explains it, each finding's verdict after the correction (in
     * the findings' order) and the findings themselves.
     */
    record Summary(String experiment, String claim, Finding.Verdict verdict, String text,
                   List<Finding.Verdict> adjusted, List<Finding> findings) {}

    /** One summary per claim, in the order the claims first appear. */
    static List<Summary> summarise(List<Finding> findings) {
        Map<String, List<Finding>> byClaim = new LinkedHashMap<>();
        for (Finding f : findings) {
            byClaim.computeIfAbsent(f.claim(), c -> new ArrayList<>()).add(f);
        }
        List<Summary> out = new ArrayList<>();
        byClaim.forEach((claim, family) -> out.add(summarise(claim, family)));
        return out;
    }

    private static Summary summarise(String claim, List<Finding> family) {
        int k = family.size();
        List<Integer> tested = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Finding.Evidence e = family.get(i).evidence();
            if (family.get(i).verdict() != Finding.Verdict.OUT_OF_SCOPE && e.tested()) {
                tested.add(i);
            }
        }
        double[] pf = tested.stream().mapToDouble(i -> orOne(family.get(i).evidence().pFor())).toArray();
        double[] pa = tested.stream().mapToDouble(i -> orOne(family.get(i).evidence().pAgainst())).toArray();
        boolean[] rf = holm(pf, ALPHA);
        boolean[] ra = holm(pa, ALPHA);
        List<Finding.Verdict> adjusted = new ArrayList<>();
        int changed = 0;
        for (int i = 0; i < k; i++) {
            Finding f = family.get(i);
            int t = tested.indexOf(i);
            Finding.Verdict v = f.verdict();
            if (t >= 0 && (v == Finding.Verdict.REPRODUCED && !rf[t] || v == Finding.Verdict.NOT_REPRODUCED && !ra[t])) {
                v = Finding.Verdict.INCONCLUSIVE;
                changed++;
            }
            adjusted.add(v);
        }
        long inScope = adjusted.stream().filter(v -> v != Finding.Verdict.OUT_OF_SCOPE).count();
        long reproduced = adjusted.stream().filter(v -> v == Finding.Verdict.REPRODUCED).count();
        long against = adjusted.stream().filter(v -> v == Finding.Verdict.NOT_REPRODUCED).count();
        Finding.Verdict verdict = inScope == 0 ? Finding.Verdict.OUT_OF_SCOPE
                : against > 0 ? Finding.Verdict.NOT_REPRODUCED
                : reproduced == inScope ? Finding.Verdict.REPRODUCED : Finding.Verdict.INCONCLUSIVE;
        StringBuilder text = new StringBuilder();
        if (inScope == 0) {
            text.append(family.get(0).measured());
        } else {
            text.append(String.format(Locale.ROOT, "%d finding%s: %d reproduced, %d not reproduced, %d inconclusive",
                    inScope, inScope == 1 ? "" : "s", reproduced, against, inScope - reproduced - against));
            if (!tested.isEmpty()) {
                text.append(String.format(Locale.ROOT, ", after Holm's correction over the %d test%s in each "
                        + "direction (family-wise error %.0f%%)", tested.size(), tested.size() == 1 ? "" : "s",
                        100 * ALPHA));
                if (changed > 0) {
                    text.append(String.format(Locale.ROOT, "; %d verdict%s of %s own did not survive it", changed,
                            changed == 1 ? "" : "s", changed == 1 ? "its" : "their"));
                }
            }
            String detectable = detectable(family);
            if (!detectable.isEmpty()) {
                text.append("; smallest effect detectable (80% power): ").append(detectable);
            }
        }
        return new Summary(family.get(0).experiment(), claim, verdict, text.toString(), adjusted, family);
    }

    /** The range of the family's detectable effects, with their unit: "0.031 AUC" or "0.021 to 0.045 AUC". */
    static String detectable(List<Finding> family) {
        double[] d = family.stream().map(Finding::evidence).mapToDouble(Finding.Evidence::detectable)
                .filter(Double::isFinite).toArray();
        if (d.length == 0) {
            return "";
        }
        String unit = family.stream().map(Finding::evidence).filter(e -> Double.isFinite(e.detectable()))
                .map(Finding.Evidence::unit).findFirst().orElse(null);
        double lo = Arrays.stream(d).min().orElseThrow();
        double hi = Arrays.stream(d).max().orElseThrow();
        String range = lo == hi ? significant(lo) : significant(lo) + " to " + significant(hi);
        return unit == null ? range : range + " " + unit;
    }

    /** Three significant digits without trailing zeros: 0.03, 0.0312, 1.45. */
    static String significant(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static double orOne(double p) {
        return Double.isNaN(p) ? 1 : p;
    }

    /**
     * Holm's step-down procedure: sort the p-values, reject the i-th smallest (from 0) while it is at most
     * alpha / (m - i), stop at the first that is not; which hypotheses are rejected, in the input's order.
     */
    static boolean[] holm(double[] p, double alpha) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        boolean[] rejected = new boolean[m];
        for (int i = 0; i < m; i++) {
            if (p[order[i]] <= alpha / (m - i)) {
                rejected[order[i]] = true;
            } else {
                break;
            }
        }
        return rejected;
    }
}
