package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        out.addAll(Findings.pretrainingNotPredictive(results.spec().models(), pretraining(results),
                m -> results.testAucs(m, "pretrained", null)));
        return out;
    }

    /**
     * Each model's accuracy on its pretraining task, where this study knows it: the test accuracy of a pretraining
     * run of this study (its source is that run's data). Published or user-given weights carry no measured accuracy
     * here and are left out.
     */
    static List<Findings.Pretraining> pretraining(Results results) {
        List<Findings.Pretraining> out = new ArrayList<>();
        for (String model : results.spec().models()) {
            RunResult r = results.pretraining(model);
            if (r != null) {
                out.add(new Findings.Pretraining(model, r.run().spec().data(), r.testAccuracy()));
            }
        }
        return out;
    }

    @Override
    public void section(ReportPage page) {
        page.html().append("<h2>Performance: test ROC AUC (Tables 1-2)</h2>");
        page.aucTable(spec.schemes(), null);
        perOutputTable(page);
        pretrainingTable(page);
    }

    /** Table 2: the test AUC of each output (each finding, for CheXpert) per model and scheme, mean over seeds. */
    private void perOutputTable(ReportPage page) {
        Results results = page.results();
        List<String> outputs = new ArrayList<>();
        for (RunResult r : results.all()) {
            r.testAucPerOutput().keySet().stream().filter(o -> !outputs.contains(o)).forEach(outputs::add);
        }
        if (outputs.size() < 2) {
            return;
        }
        StringBuilder h = page.html();
        h.append("<h3>Test ROC AUC per output (Table 2)</h3><table><tr><th>model</th><th>init</th>");
        outputs.forEach(o -> h.append("<th>").append(Svg.esc(o)).append("</th>"));
        h.append("</tr>");
        for (String model : results.spec().models()) {
            for (String scheme : spec.schemes()) {
                h.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(Svg.esc(scheme)).append("</td>");
                for (String o : outputs) {
                    double[] v = results.spec().seeds().stream().map(seed -> results.get(model, scheme, null, seed))
                            .mapToDouble(r -> r == null ? Double.NaN
                                    : r.testAucPerOutput().getOrDefault(o, Double.NaN)).toArray();
                    h.append("<td>").append(Stats.count(v) == 0 ? "–" : Findings.pm(v)).append("</td>");
                }
                h.append("</tr>");
            }
        }
        h.append("</table><p class='muted'>mean ± standard deviation over seeds.</p>");
    }

    /** The pretraining task's accuracy beside the medical test AUC after transfer (the claim that it does not predict it). */
    private static void pretrainingTable(ReportPage page) {
        Results results = page.results();
        List<Findings.Pretraining> pre = pretraining(results);
        if (pre.isEmpty()) {
            return;
        }
        StringBuilder h = page.html();
        h.append("<h3>Pretraining accuracy beside medical AUC</h3><table><tr><th>model</th><th>pretrained on</th>"
                + "<th>accuracy there (test)</th><th>medical test AUC after transfer</th></tr>");
        for (Findings.Pretraining p : pre) {
            double[] auc = results.testAucs(p.model(), "pretrained", null);
            h.append("<tr><td>").append(Svg.esc(p.model())).append("</td><td>").append(Svg.esc(p.source()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f%%", 100 * p.accuracy()))
                    .append("</td><td>").append(Stats.count(auc) == 0 ? "–" : Findings.pm(auc)).append("</td></tr>");
        }
        h.append("</table><p class='muted'>Accuracies are comparable only between models pretrained on the same "
                + "task. Published ImageNet weights carry no accuracy measured here and are not listed.</p>");
    }
}
