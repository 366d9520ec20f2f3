package org.transfusion.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Learning curves and steps to validation-AUC thresholds per init scheme, for every model (Figure 7). */
final class ConvergenceExperiment implements Experiment {
    static final String TRANSFER_FASTER = "Transfer speeds up convergence: fewer steps to reach a validation AUC "
            + "(Figure 7).";
    static final String MEANVAR_FASTER = "Mean Var Init, which keeps only the pretrained weights' scaling, speeds up "
            + "convergence over random init (Section 6).";

    /**
     * The schemes that keep more of the pretrained weights' statistics than Mean Var does (issue: "can matching
     * higher-order statistics do better than Mean Var?"); each is also compared with Mean Var when both ran.
     */
    static final List<String> BEYOND_MEANVAR = List.of("meanvar-channel", "shuffle", "moments", "covariance");

    /** The scheme list of the init-statistics comparison: random, Mean Var, the schemes beyond it, Gabor, transfer. */
    static final List<String> INIT_STATISTICS = List.of("random", "meanvar", "meanvar-channel", "shuffle", "moments",
            "covariance", "gabor", "gabor+meanvar", "pretrained");

    private final StudySpec.Convergence spec;

    ConvergenceExperiment(StudySpec.Convergence spec) {
        this.spec = spec;
    }

    @Override
    public void plan(Plan plan, String model, long seed) {
        spec.schemeNames().forEach(s -> plan.add(model, s, null, seed));
    }

    @Override
    public List<Finding> findings(Results results) {
        List<Finding> out = new ArrayList<>();
        for (String model : results.spec().models()) {
            speedups(results, model, spec.declared()).forEach(s -> out.add(s.finding()));
        }
        return out;
    }

    /** One speed-up judged: {@code scheme} against {@code reference} at one threshold. */
    record Speedup(String scheme, String reference, Findings.PairedSteps steps, Finding finding) {}

    /**
     * The speed-ups of {@code model}'s schemes at {@code threshold}: over random init, and over Mean Var for the
     * schemes that keep more of the pretrained statistics; the declared threshold's are the verdicts, the others'
     * the sensitivity table.
     */
    List<Speedup> speedups(Results results, String model, double threshold) {
        List<Speedup> out = new ArrayList<>();
        double[] r = results.steps(model, "random", threshold);
        double[] mv = results.steps(model, "meanvar", threshold);
        double cap = results.runLength(model);
        double floor = results.firstValidation(model);
        for (String scheme : spec.schemeNames()) {
            double[] s = results.steps(model, scheme, threshold);
            if (scheme.equals("random") || Stats.count(s) == 0 || Stats.count(r) == 0) {
                continue;
            }
            out.add(new Speedup(scheme, "random", Findings.PairedSteps.of(s, r, cap, floor), Findings.judgeSpeedup(
                    "convergence", claim(scheme), model, scheme, "random", threshold, s, r, cap, floor)));
            if (BEYOND_MEANVAR.contains(scheme) && spec.schemeNames().contains("meanvar") && Stats.count(mv) > 0) {
                out.add(new Speedup(scheme, "meanvar", Findings.PairedSteps.of(s, mv, cap, floor),
                        Findings.judgeSpeedup("convergence", beyondMeanVarClaim(scheme), model, scheme, "meanvar",
                                threshold, s, mv, cap, floor)));
            }
        }
        return out;
    }

    /**
     * The claim a scheme's speed-up is judged against: the paper's for transfer and Mean Var; for another scheme
     * (meanvar-channel, moments, ... keep more than the scaling the Mean Var claim is about) a plain statement.
     */
    static String claim(String scheme) {
        return switch (scheme) {
            case "pretrained" -> TRANSFER_FASTER;
            case "meanvar", "meanvar-bn-copy" -> MEANVAR_FASTER;
            default -> "The '" + scheme + "' initialisation speeds up convergence over random init.";
        };
    }

    /** The open question as a statement about one scheme, judged against Mean Var as the reference. */
    static String beyondMeanVarClaim(String scheme) {
        return "Keeping more of the pretrained statistics than Mean Var ('" + scheme + "') converges faster than "
                + "Mean Var (the paper's open question on higher-order statistics).";
    }

    @Override
    public void section(ReportPage page) {
        page.html().append("<h2>Convergence: learning curves and steps to a validation AUC (Figure 7)</h2>"
                + "<div class='charts'>");
        for (String model : page.spec().models()) {
            page.html().append(page.curves(model + ": validation AUC by step", model, spec.schemeNames(), false));
            page.html().append(page.stepBars(model + ": steps to validation AUC", model, spec.schemeNames(),
                    spec.thresholds(), false));
        }
        page.html().append("</div>");
        page.html().append(sensitivityTable(page));
        page.html().append(finalAucTable(page));
        int every = page.spec().training().evalEvery();
        page.html().append("<p class='note'>Convergence is measured on <b>validation</b> AUC, evaluated every ")
                .append(every > 0 ? every + " steps" : "epoch")
                .append(" — a deliberate departure from the paper, which plots test AUC during training: here the "
                        + "test set is scored once per run, with the weights of the best validation AUC. A run that "
                        + "never reached a threshold counts as its full length in the verdicts.</p>");
    }

    /**
     * Each speed-up at every recorded threshold: the declared one gives the verdicts, the others show whether they
     * would have said the same (a sensitivity check, never a verdict).
     */
    private String sensitivityTable(ReportPage page) {
        Results results = page.results();
        StringBuilder h = new StringBuilder("<h3>Sensitivity to the threshold</h3><table><tr><th>model</th>"
                + "<th>scheme vs reference</th>");
        for (double t : spec.thresholds()) {
            h.append("<th>steps ratio to val AUC ").append(String.format(java.util.Locale.ROOT, "%.2f", t))
                    .append(t == spec.declared() ? " (declared: the verdict)" : "").append("</th>");
        }
        h.append("</tr>");
        int rows = 0;
        for (String model : page.spec().models()) {
            Map<String, Map<Double, Speedup>> byPair = new LinkedHashMap<>();
            for (double t : spec.thresholds()) {
                speedups(results, model, t).forEach(s -> byPair.computeIfAbsent(s.scheme() + " vs " + s.reference(),
                        k -> new LinkedHashMap<>()).put(t, s));
            }
            for (Map.Entry<String, Map<Double, Speedup>> pair : byPair.entrySet()) {
                h.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(Svg.esc(pair.getKey()))
                        .append("</td>");
                for (double t : spec.thresholds()) {
                    Speedup s = pair.getValue().get(t);
                    h.append("<td style='text-align:left'>").append(s == null || s.steps().n() == 0 ? "–"
                            : String.format(java.util.Locale.ROOT, "%.2fx [%.2fx, %.2fx] (n=%d) ", s.steps()
                            .geometricRatio(), s.steps().ratioCi()[0], s.steps().ratioCi()[1], s.steps().n())
                            + "<span class='verdict " + s.finding().verdict().css() + "'>"
                            + s.finding().verdict().text() + "</span>").append("</td>");
                }
                h.append("</tr>");
                rows++;
            }
        }
        if (rows == 0) {
            return "";
        }
        return h.append("</table><p class='muted'>Geometric mean of the paired step ratio over seeds [95% CI]. The "
                + "threshold was declared in the spec before training (experiments.convergence.threshold); the other "
                + "columns are the same test at the other recorded thresholds, to show how much the verdict depends "
                + "on that choice, never to pick one.</p>").toString();
    }

    /** Test AUC per scheme and model: the mean over seeds with its 95% t-interval (what each scheme ends at). */
    private String finalAucTable(ReportPage page) {
        Results results = page.results();
        StringBuilder h = new StringBuilder("<table><tr><th>scheme</th>");
        for (String model : page.spec().models()) {
            h.append("<th>").append(Svg.esc(model)).append(": test AUC, mean [95% t-interval] (seeds)</th>");
        }
        h.append("</tr>");
        for (String scheme : spec.schemeNames()) {
            h.append("<tr><td>").append(Svg.esc(scheme)).append("</td>");
            for (String model : page.spec().models()) {
                double[] auc = results.testAucs(model, scheme, null);
                int n = Stats.count(auc);
                double[] ci = Stats.tInterval(auc);
                h.append("<td>").append(n == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.3f%s (%d)",
                        Stats.mean(auc), Double.isNaN(ci[0]) ? "" : String.format(java.util.Locale.ROOT,
                                " [%.3f, %.3f]", ci[0], ci[1]), n)).append("</td>");
            }
            h.append("</tr>");
        }
        return h.append("</table>").toString();
    }
}
