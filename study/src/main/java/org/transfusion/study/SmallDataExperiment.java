package org.transfusion.study;

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
            spec.schemeNames().forEach(s -> plan.add(model, s, size, seed));
        }
    }

    @Override
    public List<Finding> findings(Results results) {
        if (spec.sizes().isEmpty()) {
            return List.of();
        }
        int smallest = spec.sizes().stream().min(Integer::compare).orElseThrow();
        return Findings.littleData(results.spec().models(), smallest, m -> gains(results, m, smallest));
    }

    /** Transfer minus random test AUC per seed on {@code size} training images (NaN where a run is missing). */
    private static double[] gains(Results results, String model, int size) {
        return Findings.pairedDifferences(results.testAucs(model, "random", size),
                results.testAucs(model, "pretrained", size));
    }

    @Override
    public void section(ReportPage page) {
        page.html().append("<h2>Small data: test ROC AUC with few training images (Table 3)</h2>");
        for (int size : spec.sizes()) {
            page.html().append("<h3>").append(size).append(" training images</h3>");
            page.aucTable(spec.schemeNames(), size);
        }
    }
}
