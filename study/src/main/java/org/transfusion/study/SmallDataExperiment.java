package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** Test ROC AUC with a few hundred (or thousand) training images, random init vs transfer (Table 3). */
final class SmallDataExperiment implements Experiment {
    private final StudySpec.SmallData spec;

    SmallDataExperiment(StudySpec.SmallData spec) {
        this.spec = spec;
    }

    @Override
    public void plan(Plan plan, String model, long seed) {
        for (int size : spec.sizes()) {
            spec.schemes().forEach(s -> plan.add(model, s, size, seed));
        }
    }

    @Override
    public List<Finding> findings(Results results) {
        List<Finding> out = new ArrayList<>();
        if (spec.sizes().isEmpty()) {
            return out;
        }
        int smallest = spec.sizes().stream().min(Integer::compare).orElseThrow();
        for (String model : results.spec().models()) {
            double[] rs = results.testAucs(model, "random", smallest);
            double[] ps = results.testAucs(model, "pretrained", smallest);
            double[] rf = results.testAucs(model, "random", null);
            double[] pf = results.testAucs(model, "pretrained", null);
            if (Stats.count(rs) > 0 && Stats.count(ps) > 0 && Stats.count(rf) > 0 && Stats.count(pf) > 0) {
                out.add(Findings.judgeSmallData(model, smallest, rs, ps, rf, pf));
            }
        }
        return out;
    }

    @Override
    public void section(ReportPage page) {
        page.html().append("<h2>Small data: test ROC AUC with few training images (Table 3)</h2>");
        for (int size : spec.sizes()) {
            page.html().append("<h3>").append(size).append(" training images</h3>");
            page.aucTable(spec.schemes(), size);
        }
    }
}
