package org.transfusion.study;

import java.util.List;

/**
 * An experiment that compares a list of init schemes on one model and the study's first seed, by learning curves,
 * steps to validation-AUC thresholds and a table of the runs (weight transfusion, the hybrid initialisations).
 */
abstract class SchemeSweep implements Experiment {
    protected final String model;
    protected final List<Double> thresholds;

    SchemeSweep(String model, List<Double> thresholds) {
        this.model = model;
        this.thresholds = thresholds;
    }

    /** The schemes in the order the charts and table show them (random first). */
    abstract List<String> schemes();

    /** The section heading. */
    abstract String title();

    @Override
    public void planOnce(Plan plan) {
        long first = plan.spec().seeds().get(0);
        for (String scheme : schemes()) {
            plan.add(ReportPage.runModel(model, scheme), scheme, null, first);
        }
    }

    @Override
    public void section(ReportPage page) {
        List<String> schemes = schemes();
        page.html().append("<h2>").append(Svg.esc(title())).append("</h2><div class='charts'>");
        page.html().append(page.curves(model + ": validation AUC by step", model, schemes, true));
        page.html().append(page.stepBars(model + ": steps to validation AUC", model, schemes, thresholds, true));
        page.html().append("</div>");
        page.firstSeedTable(model, schemes, thresholds);
    }
}
