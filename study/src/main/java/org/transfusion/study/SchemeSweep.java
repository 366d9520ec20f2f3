package org.transfusion.study;

import java.util.List;

/**
 * An experiment that compares a list of init schemes on one model over the study's seeds, by learning curves,
 * steps to validation-AUC thresholds and a table of the first seed's runs (weight transfusion, the hybrid
 * initialisations).
 */
abstract class SchemeSweep implements Experiment {
    protected final String model;
    protected final List<Double> thresholds;
    /** The validation AUC the verdicts use, declared in the spec ({@code experiments.convergence.threshold}). */
    protected final double threshold;

    SchemeSweep(String model, List<Double> thresholds, double threshold) {
        this.model = model;
        this.thresholds = thresholds;
        this.threshold = threshold;
    }

    /** The schemes in the order the charts and table show them (random first). */
    abstract List<String> schemes();

    /** The section heading. */
    abstract String title();

    /** Every scheme on every seed of the study: its claims are judged over seeds, like the others. */
    @Override
    public void planOnce(Plan plan) {
        for (long seed : plan.spec().seeds()) {
            for (String scheme : schemes()) {
                plan.add(ReportPage.runModel(model, scheme), scheme, null, seed);
            }
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
