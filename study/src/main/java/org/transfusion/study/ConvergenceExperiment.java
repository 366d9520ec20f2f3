package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

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
            double threshold = results.commonThreshold(model, spec.thresholds());
            if (Double.isNaN(threshold)) {
                continue;
            }
            double[] r = results.steps(model, "random", threshold);
            double cap = results.runLength(model);
            for (String scheme : spec.schemeNames()) {
                if (scheme.equals("random")) {
                    continue;
                }
                double[] s = results.steps(model, scheme, threshold);
                if (Stats.count(s) == 0 || Stats.count(r) == 0) {
                    continue;
                }
                out.add(Findings.judgeSpeedup("convergence", claim(scheme), model, scheme, "random", threshold, s, r,
                        cap));
                double[] mv = results.steps(model, "meanvar", threshold);
                if (BEYOND_MEANVAR.contains(scheme) && spec.schemeNames().contains("meanvar") && Stats.count(mv) > 0) {
                    out.add(Findings.judgeSpeedup("convergence", beyondMeanVarClaim(scheme), model, scheme, "meanvar",
                            threshold, s, mv, cap));
                }
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
        page.html().append(finalAucTable(page));
        int every = page.spec().training().evalEvery();
        page.html().append("<p class='note'>Convergence is measured on <b>validation</b> AUC, evaluated every ")
                .append(every > 0 ? every + " steps" : "epoch")
                .append(" — a deliberate departure from the paper, which plots test AUC during training: here the "
                        + "test set is scored once per run, with the weights of the best validation AUC. A run that "
                        + "never reached a threshold counts as its full length in the verdicts.</p>");
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
