package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** Learning curves and steps to validation-AUC thresholds per init scheme, for every model (Figure 7). */
final class ConvergenceExperiment implements Experiment {
    static final String TRANSFER_FASTER = "Transfer speeds up convergence: fewer steps to reach a validation AUC "
            + "(Figure 7).";
    static final String MEANVAR_FASTER = "Mean Var Init, which keeps only the pretrained weights' scaling, speeds up "
            + "convergence over random init (Section 6).";

    private final StudySpec.Convergence spec;

    ConvergenceExperiment(StudySpec.Convergence spec) {
        this.spec = spec;
    }

    @Override
    public void plan(Plan plan, String model, long seed) {
        spec.schemes().forEach(s -> plan.add(model, s, null, seed));
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
            for (String scheme : spec.schemes()) {
                if (scheme.equals("random")) {
                    continue;
                }
                double[] s = results.steps(model, scheme, threshold);
                if (Stats.count(s) == 0 || Stats.count(r) == 0) {
                    continue;
                }
                out.add(Findings.judgeSpeedup("convergence", claim(scheme), model, scheme, "random", threshold, s, r,
                        cap));
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

    @Override
    public void section(ReportPage page) {
        page.html().append("<h2>Convergence: learning curves and steps to a validation AUC (Figure 7)</h2>"
                + "<div class='charts'>");
        for (String model : page.spec().models()) {
            page.html().append(page.curves(model + ": validation AUC by step", model, spec.schemes(), false));
            page.html().append(page.stepBars(model + ": steps to validation AUC", model, spec.schemes(),
                    spec.thresholds(), false));
        }
        page.html().append("</div>");
        int every = page.spec().training().evalEvery();
        page.html().append("<p class='note'>Convergence is measured on <b>validation</b> AUC, evaluated every ")
                .append(every > 0 ? every + " steps" : "epoch")
                .append(" — a deliberate departure from the paper, which plots test AUC during training: here the "
                        + "test set is scored once per run, with the weights of the best validation AUC. A run that "
                        + "never reached a threshold counts as its full length in the verdicts.</p>");
    }
}
