package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** Learning curves and steps to validation-AUC thresholds per init scheme, for every model (Figure 7). */
final class ConvergenceExperiment implements Experiment {
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
            for (String scheme : spec.schemes()) {
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
                out.add(Findings.judgeSpeed("convergence", claim, model, scheme, threshold, s, r));
            }
        }
        return out;
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
    }
}
