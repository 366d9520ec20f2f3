package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** Test ROC AUC of each model from random init and from pretrained weights on all the data (Tables 1-2). */
final class PerformanceExperiment implements Experiment {
    private final StudySpec.Performance spec;

    PerformanceExperiment(StudySpec.Performance spec) {
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
            double[] r = results.testAucs(model, "random", null);
            double[] p = results.testAucs(model, "pretrained", null);
            if (Stats.count(r) > 0 && Stats.count(p) > 0) {
                out.add(Findings.judgePerformance(model, r, p));
            }
        }
        out.addAll(Findings.smallLikeLarge(results.spec().models(), m -> results.testAucs(m, "random", null)));
        return out;
    }

    @Override
    public void section(ReportPage page) {
        page.html().append("<h2>Performance: test ROC AUC (Tables 1-2)</h2>");
        page.aucTable(spec.schemes(), null);
    }
}
