package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.eval.MetricsReport;
import org.transfusion.engine.eval.RunEvaluation;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.study.record.ExternalRecord;

/**
 * External validation (issue 31.5): every finished run's best weights scored on a split of a second dataset with the
 * study's labels ({@code experiments.external}; {@code analysis/external.json}), and whether the starts' ranking on
 * the study's own test set holds there: per model, the start with the best mean test AUC against the next best, paired
 * by seed on the external data ({@link Findings#judgeRankingHolds}). The starts are a practitioner study's arms at its
 * largest training-set size where the study has one, else the performance experiment's schemes on all data.
 */
final class ExternalExperiment implements Experiment {
    private final StudySpec.External spec;

    ExternalExperiment(StudySpec.External spec) {
        this.spec = spec;
    }

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return Optional.of(plan.folder().analysis("external"));
    }

    /** Every run that did not fail (a diverged run has no weights worth scoring). */
    @Override
    public List<PlannedRun> analysedRuns(Plan plan) {
        List<PlannedRun> failed = StudyRunner.failed(plan.runs());
        return plan.runs().stream().filter(r -> !failed.contains(r)).toList();
    }

    @Override
    public void analyse(Plan plan, PrintStream log) {
        Split split = Split.parse(spec.split());
        List<PlannedRun> runs = analysedRuns(plan);
        List<ExternalRecord.Row> rows = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            PlannedRun r = runs.get(i);
            log.println("analysis: external validation on " + spec.data() + " (" + split.id() + "), " + r.id() + " ("
                    + (i + 1) + "/" + runs.size() + ")");
            RunEvaluation.TaskScores ts = RunEvaluation.scoresOn(r.folder(), spec.data(), plan.dataDir(), split);
            double auc = MetricsReport.headline(ts.task(), ts.scores()).auc();
            rows.add(new ExternalRecord.Row(r.id(), r.model(), r.scheme(), r.trainSubset(), r.seed(),
                    Double.isNaN(auc) ? null : auc, ts.scores().n()));
        }
        new ExternalRecord(ExternalRecord.FORMAT, spec.data(), split.id(), rows).write(analysisFile(plan).orElseThrow());
    }

    /** The starts compared per model and the subset they are compared at. */
    private record Starts(List<String> arms, Integer subset) {}

    private static Starts starts(Results results, String model) {
        StudySpec.Experiments e = results.spec().experiments();
        if (e.practitioner() != null) {
            PractitionerExperiment p = new PractitionerExperiment(e.practitioner());
            return new Starts(p.arms(results.plan(), model), p.largestSubset());
        }
        return new Starts(e.performance() != null ? e.performance().schemeNames() : List.of(), null);
    }

    private ExternalRecord record(Results results) {
        Path f = results.plan().folder().analysis("external");
        return Files.isRegularFile(f) ? ExternalRecord.read(f) : null;
    }

    /** External AUC per seed of one start (NaN where a run or its row is missing). */
    private static double[] externalAucs(Results results, ExternalRecord record, String model, String arm,
                                         Integer subset) {
        List<Long> seeds = results.spec().seeds();
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            ExternalRecord.Row row = record.row(Plan.id(model, arm, subset, seeds.get(i)));
            out[i] = row == null ? Double.NaN : row.aucOrNaN();
        }
        return out;
    }

    @Override
    public List<Finding> findings(Results results) {
        ExternalRecord record = record(results);
        if (record == null) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        for (String model : results.spec().models()) {
            Starts s = starts(results, model);
            String[] top = PractitionerExperiment.topTwo(results, model, s.arms(), s.subset());
            String best = top[0];
            String next = top[1];
            if (best == null || next == null) {
                continue;
            }
            double lead = Stats.mean(results.testAucs(model, best, s.subset()))
                    - Stats.mean(results.testAucs(model, next, s.subset()));
            out.add(Findings.judgeRankingHolds(model, best, next, lead,
                    Findings.pairedDifferences(externalAucs(results, record, model, next, s.subset()),
                            externalAucs(results, record, model, best, s.subset())), record.data()));
        }
        return out;
    }

    @Override
    public void section(ReportPage page) {
        Results results = page.results();
        ExternalRecord record = record(results);
        StringBuilder h = page.html();
        h.append("<h2>External validation</h2><p>Every run's best weights scored on ").append(Svg.esc(spec.split()))
                .append(" of <code>").append(Svg.esc(spec.data())).append("</code>");
        if (record == null) {
            h.append(": not yet analysed (it is when every run has finished).</p>");
            return;
        }
        h.append(", whose labels were mapped onto the study's in its spec.</p>");
        StringBuilder csv = new StringBuilder("model,start,train_images,test_auc_mean,external_auc_mean,change\n");
        for (String model : results.spec().models()) {
            Starts s = starts(results, model);
            h.append("<h3>").append(Svg.esc(model)).append("</h3><table><tr><th>start</th><th>test AUC (study data)"
                    + "</th><th>external AUC</th><th>change</th></tr>");
            for (String arm : s.arms()) {
                double[] own = results.testAucs(model, arm, s.subset());
                double[] ext = externalAucs(results, record, model, arm, s.subset());
                double change = Stats.mean(ext) - Stats.mean(own);
                h.append("<tr><td>").append(Svg.esc(arm)).append("</td><td>").append(Findings.pm(own))
                        .append("</td><td>").append(Findings.pm(ext)).append("</td><td>")
                        .append(Double.isNaN(change) ? "–" : String.format(Locale.ROOT, "%+.3f", change))
                        .append("</td></tr>");
                csv.append(String.join(",", ReportPage.csv(model), ReportPage.csv(arm),
                        s.subset() == null ? "all" : s.subset().toString(), ReportPage.f6(Stats.mean(own)),
                        ReportPage.f6(Stats.mean(ext)), ReportPage.f6(change))).append('\n');
            }
            h.append("</table>");
        }
        h.append("<p class='muted'>mean ± sd over seeds; the starts at the largest training-set size</p>");
        page.writeFile("external.csv", csv.toString());
    }
}
