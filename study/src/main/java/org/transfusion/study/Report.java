package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.Versions;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.record.RunRecord;
import org.transfusion.io.AtomicFiles;

/**
 * The study's report: {@code DIR/report/index.html}, one self-contained page (inline SVG charts, filter grids as
 * embedded PNG, no scripts), and {@code DIR/report/*.csv} with every number it shows. This class is the page around
 * the experiments' sections (title, findings table, setup, footer, the run-level CSVs); each {@link Experiment}
 * writes its own section. Built only from the run
 * folders and the analysis files, so {@code transfusion report DIR} rebuilds it without training, and a resumed
 * study gives the same page. Wall-clock times are left out on purpose: they differ between two identical studies.
 */
public final class Report {
    private final Plan plan;
    private final Results results;
    private final ReportPage page;
    private final StringBuilder html;
    private final Path reportDir;

    private Report(Plan plan) {
        this.plan = plan;
        this.results = new Results(plan);
        this.reportDir = plan.folder().reportDir();
        this.page = new ReportPage(results, reportDir);
        this.html = page.html();
    }

    public static Path write(Plan plan) {
        return new Report(plan).build();
    }

    private Path build() {
        try {
            Files.createDirectories(reportDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Experiment> experiments = Experiments.of(plan.spec());
        List<Finding> findings = new ArrayList<>();
        experiments.forEach(e -> findings.addAll(e.findings(results)));
        StudySpec spec = plan.spec();
        html.append("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Transfusion study: ")
                .append(Svg.esc(spec.name())).append("</title><style>")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1180px;margin:24px auto;"
                        + "padding:0 16px;color:#222;line-height:1.45}h1{margin-bottom:4px}h2{border-bottom:1px solid #ddd;"
                        + "padding-bottom:4px;margin-top:36px}table{border-collapse:collapse;margin:10px 0}"
                        + "td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}th{background:#f5f5f5}"
                        + "td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}"
                        + ".verdict{font-weight:bold;white-space:nowrap}.reproduced{color:#1a7f37}"
                        + ".not-reproduced{color:#b42318}.inconclusive{color:#9a6700}.out-of-scope{color:#777}"
                        + ".summary{font-size:110%}.muted{color:#666;font-size:90%}"
                        + "figure{margin:0}figcaption{font-size:90%;color:#555}</style></head><body>");
        html.append("<h1>Transfusion study: ").append(Svg.esc(spec.name())).append("</h1>")
                .append("<p class='muted'>Raghu, Zhang, Kleinberg &amp; Bengio, <i>Transfusion: Understanding Transfer "
                        + "Learning for Medical Imaging</i> (NeurIPS 2019), re-run on this data.</p>");
        List<Family.Summary> families = Family.summarise(findings);
        experiments.forEach(e -> e.answer(page));
        findingsSection(findings, families);
        failedRuns();
        setup();
        experiments.forEach(e -> e.section(page));
        html.append("<p class='muted'>Every number on this page is in the CSV files beside it. Rebuild it with "
                + "<code>transfusion report STUDY_FOLDER</code>.</p></body></html>\n");
        Path index = plan.folder().reportIndex();
        AtomicFiles.writeString(index, html.toString());
        writeCsvs(findings, families);
        return index;
    }

    /**
     * The page's opening lines (issue 30): how many findings came out each way, and what would decide the rest —
     * more seeds where fewer than three were paired, a larger test set or more seeds where an interval was too
     * wide, the missing model families where a claim is out of scope.
     */
    static String summary(List<Finding> findings) {
        java.util.Map<Finding.Verdict, Long> counts = new java.util.EnumMap<>(Finding.Verdict.class);
        findings.forEach(f -> counts.merge(f.verdict(), 1L, Long::sum));
        // a threshold met at the first validation is not helped by more seeds (Findings.PairedSteps)
        long atFirst = findings.stream().filter(f -> f.verdict() == Finding.Verdict.INCONCLUSIVE
                && f.measured().contains("at the first validation (step") && f.measured().contains("needed to judge"))
                .count();
        long fewSeeds = findings.stream().filter(f -> f.verdict() == Finding.Verdict.INCONCLUSIVE
                && f.measured().contains("needed to judge")).count() - atFirst;
        long wide = counts.getOrDefault(Finding.Verdict.INCONCLUSIVE, 0L) - fewSeeds - atFirst;
        java.util.Set<String> needs = new java.util.TreeSet<>();
        findings.stream().filter(f -> f.verdict() == Finding.Verdict.OUT_OF_SCOPE).forEach(f -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("needs (.*?);").matcher(f.measured());
            if (m.find()) {
                needs.add(m.group(1));
            }
        });
        StringBuilder h = new StringBuilder("<p class='summary'>");
        h.append(findings.size()).append(" findings: ").append(counted(counts)).append(".</p>");
        List<String> decide = new ArrayList<>();
        if (fewSeeds > 0) {
            decide.add(fewSeeds + " had fewer than " + Findings.MIN_SEEDS + " paired seeds: run more seeds");
        }
        if (atFirst > 0) {
            decide.add(atFirst + " compared runs that met the convergence threshold at the first validation: a "
                    + "higher threshold, declared in the spec before training, or validation more often");
        }
        if (wide > 0) {
            decide.add(wide + " had an interval too wide to decide: more seeds, or a larger test set where the "
                    + "test set's uncertainty dominates (claim 1 shows both parts)");
        }
        if (!needs.isEmpty()) {
            decide.add(counts.getOrDefault(Finding.Verdict.OUT_OF_SCOPE, 0L) + " are out of scope: they need "
                    + String.join("; ", needs));
        }
        if (!decide.isEmpty()) {
            h.append("<p class='muted'>What would decide the rest: ").append(Svg.esc(String.join(". ", decide)))
                    .append(".</p>");
        }
        return h.toString();
    }

    /** The opening line over claims: how many of the claims came out each way after the family-wise correction. */
    static String claimsSummary(List<Family.Summary> claims) {
        java.util.Map<Finding.Verdict, Long> counts = new java.util.EnumMap<>(Finding.Verdict.class);
        claims.forEach(c -> counts.merge(c.verdict(), 1L, Long::sum));
        return "<p class='summary'>" + claims.size() + " claim" + (claims.size() == 1 ? "" : "s") + ": "
                + counted(counts) + " (one verdict per claim over its models, family-wise error 5%).</p>";
    }

    /** "2 reproduced, 3 inconclusive", each count in its verdict's colour, in the verdicts' order. */
    private static String counted(java.util.Map<Finding.Verdict, Long> counts) {
        List<String> parts = new ArrayList<>();
        for (Finding.Verdict v : Finding.Verdict.values()) {
            long n = counts.getOrDefault(v, 0L);
            if (n > 0) {
                parts.add("<span class='verdict " + v.css() + "'>" + n + " " + v.text().replace(" at this scale", "")
                        + "</span>");
            }
        }
        return String.join(", ", parts);
    }

    /**
     * The claims table: one row per claim with its summary verdict over its per-model findings (Holm's correction,
     * {@link Family}), the counts behind it and the smallest effect the study could have detected (its closing tag
     * follows).
     */
    static String claimsTable(List<Family.Summary> claims) {
        StringBuilder h = new StringBuilder("<table><tr><th>experiment</th><th>the paper's claim</th><th>over its "
                + "findings</th><th>verdict</th></tr>");
        for (Family.Summary c : claims) {
            h.append("<tr><td>").append(Svg.esc(c.experiment())).append("</td><td style='text-align:left'>")
                    .append(Svg.esc(c.claim())).append("</td><td style='text-align:left'>").append(Svg.esc(c.text()))
                    .append("</td><td class='verdict ").append(c.verdict().css()).append("'>")
                    .append(c.verdict().text()).append("</td></tr>");
        }
        return h.toString();
    }

    /** The findings table's header and rows (its closing tag follows). */
    static String findingsTable(List<Finding> findings) {
        StringBuilder h = new StringBuilder("<table><tr><th>experiment</th><th>the paper's claim</th><th>measured "
                + "here</th><th>verdict</th></tr>");
        for (Finding f : findings) {
            h.append("<tr><td>").append(Svg.esc(f.experiment())).append("</td><td style='text-align:left'>")
                    .append(Svg.esc(f.claim())).append("</td><td style='text-align:left'>").append(Svg.esc(f.measured()))
                    .append("</td><td class='verdict ").append(f.verdict().css()).append("'>").append(f.verdict().text())
                    .append("</td></tr>");
        }
        return h.toString();
    }

    private void findingsSection(List<Finding> findings, List<Family.Summary> claims) {
        html.append("<h2>Findings</h2>");
        if (findings.isEmpty()) {
            html.append("<p>No finished runs yet.</p>");
            return;
        }
        if (plan.spec().data() != null && plan.spec().data().startsWith("synthetic:")) {
            html.append("<p><b>Illustrative only:</b> this study ran on synthetic images, so its verdicts show how the "
                    + "method works and say nothing about medical data.</p>");
        }
        html.append(claimsSummary(claims));
        html.append(summary(findings));
        html.append(claimsTable(claims)).append("</table>");
        html.append("<h3>Per-model findings</h3><p class='muted'>Each claim's findings, per model (or measure), "
                + "with each one's own verdict at 95%; the claim's verdict above corrects them for their number "
                + "(Holm).</p>");
        html.append(findingsTable(findings));
        StudySpec spec = plan.spec();
        html.append("</table><p class='muted'>Every verdict covers the data ").append(Svg.esc(spec.data()))
                .append(spec.task() != null ? " (task " + Svg.esc(spec.task()) + ")" : "")
                .append(" at ").append(spec.imageSize()).append(" px over seeds ").append(spec.seeds())
                .append(", and the models it names. Runs of one seed share the data split, so differences are paired "
                        + "by seed and judged by their 95% t-interval (claims 1, 2 and 4 also carry the test set's "
                        + "uncertainty): \"no difference\" claims are reproduced when the "
                        + "interval lies within ±0.02 AUC (step ratios within [0.8, 1.25]) and contradicted when it "
                        + "excludes 0 beyond 0.01; claimed speed-ups are reproduced when the interval of the paired step "
                        + "ratio lies below 1 and contradicted when a speed-up over 10% is excluded. Fewer than 3 seeds, "
                        + "or an interval too wide to decide give inconclusive; a study without the model family a claim "
                        + "is about (CBRs against ResNet50 / Inception-v3) gives \"out of scope\", saying what "
                        + "it needs. The full rules are in docs/study.md.</p>");
    }

    /**
     * The runs that diverged or collapsed (exit 3, {@code failed.json}): listed with why, and left out of every verdict
     * above (a verdict reads only complete runs, so a failed seed is a missing seed).
     */
    private void failedRuns() {
        List<PlannedRun> failed = StudyRunner.failed(plan.runs());
        if (failed.isEmpty()) {
            return;
        }
        html.append("<h2>Failed runs</h2><p>").append(failed.size()).append(" of ").append(plan.runs().size())
                .append(" runs diverged or collapsed during training and are left out of every verdict (a seed without "
                        + "its run is a missing seed, so a claim may fall under the seeds it needs):</p><table>"
                        + "<tr><th>run</th><th>why it was stopped</th></tr>");
        for (PlannedRun r : failed) {
            html.append("<tr><td>").append(Svg.esc(r.id())).append("</td><td style='text-align:left'>")
                    .append(Svg.esc(new RunFolder(r.folder()).failure())).append("</td></tr>");
        }
        html.append("</table>");
    }

    private void setup() {
        StudySpec s = plan.spec();
        html.append("<h2>Setup</h2><table>");
        row("data", s.data() + (s.task() != null ? " (task " + s.task() + ")" : ""));
        RunResult any = results.all().isEmpty() ? null : results.all().get(0);
        if (any != null) {
            RunRecord run = new RunFolder(any.run().folder()).runRecord();
            row("splits (train / val / test)", text(run.size("train")) + " / " + text(run.size("val")) + " / "
                    + text(run.size("test")));
            RunRecord.Resolved r = run.resolved();
            row("input", text(r == null ? null : r.imageSize()) + " px, " + text(r == null ? null : r.channels())
                    + " channels");
        }
        row("models", String.join(", ", s.models()));
        row("seeds", s.seeds().toString());
        StudySpec.Training t = s.training();
        row("training", t.epochs() + " epochs, batch " + t.batchSize() + ", " + optimiser(t) + " lr " + t.lr() + " ("
                + t.schedule().spec() + "), validation every " + (t.evalEvery() > 0 ? t.evalEvery() + " steps" : "epoch"));
        // Which source each model's pretrained runs used, with the hash of the weights as run.json recorded it.
        plan.sources().forEach((model, source) -> row("pretrained " + model, source.describe() + weightsHash(model)));
        int failedCount = StudyRunner.failed(plan.runs()).size();
        row("runs finished", results.all().size() + " of " + plan.runs().size()
                + (failedCount > 0 ? " (" + failedCount + " failed)" : ""));
        Map<String, Object> v = Versions.provenance();
        row("versions", "transfusion " + v.get("transfusion") + ", DJL " + v.get("djl") + ", libtorch " + v.get("libtorch")
                + ", Java " + v.get("java"));
        html.append("</table>");
    }

    /** " (SHA-256 abcdef012345…)" of the weights a finished pretrained run of {@code model} started from. */
    private String weightsHash(String model) {
        for (RunResult r : results.all()) {
            if (r.run().model().equals(model) && r.run().scheme().equals("pretrained")) {
                // A Keras export folder records a hash per file; its weights are the .npz.
                String sha = new RunFolder(r.run().folder()).runRecord().weightsSha256();
                if (sha != null) {
                    return " (SHA-256 " + sha.substring(0, 12) + "…)";
                }
            }
        }
        return "";
    }

    /** A recorded number as text; empty where run.json does not record it. */
    private static String text(Number n) {
        return n == null ? "" : n.toString();
    }

    private void row(String k, String v) {
        page.row(k, v);
    }

    private void writeCsvs(List<Finding> findings, List<Family.Summary> families) {
        StudySpec.Convergence c = plan.spec().experiments().convergence();
        List<Double> thresholds = c != null ? c.thresholds() : List.of(0.7, 0.8, 0.9);
        StringBuilder runs = new StringBuilder("id,model,scheme,train_subset,seed,val_auc,test_auc,"
                + "test_auc_ci95_low,test_auc_ci95_high");
        thresholds.forEach(t -> runs.append(",steps_to_").append(String.format(Locale.ROOT, "%.2f", t)));
        runs.append('\n');
        StringBuilder curves = new StringBuilder("id,step,val_auc\n");
        for (RunResult r : results.all()) {
            PlannedRun p = r.run();
            runs.append(String.join(",", p.id(), p.model(), p.scheme(), p.trainSubset() == null ? "" : p.trainSubset().toString(),
                    Long.toString(p.seed()), ReportPage.f6(r.valAuc()), ReportPage.f6(r.testAuc()),
                    ReportPage.f6(r.testAucLow()), ReportPage.f6(r.testAucHigh())));
            for (double t : thresholds) {
                double s = r.stepsTo(t);
                runs.append(',').append(Double.isInfinite(s) ? "" : String.format(Locale.ROOT, "%.0f", s));
            }
            runs.append('\n');
            for (int i = 0; i < r.steps().length; i++) {
                curves.append(p.id()).append(',').append(String.format(Locale.ROOT, "%.0f", r.steps()[i])).append(',')
                        .append(ReportPage.f6(r.valCurve()[i])).append('\n');
            }
        }
        page.writeFile("runs.csv", runs.toString());
        page.writeFile("curves.csv", curves.toString());
        StringBuilder f = new StringBuilder("experiment,verdict,claim,measured,p_for,p_against,detectable,"
                + "detectable_unit,verdict_after_holm\n");
        for (Family.Summary family : families) {
            for (int i = 0; i < family.findings().size(); i++) {
                Finding x = family.findings().get(i);
                Finding.Evidence e = x.evidence();
                f.append(ReportPage.csv(x.experiment())).append(',').append(ReportPage.csv(x.verdict().text()))
                        .append(',').append(ReportPage.csv(x.claim())).append(',').append(ReportPage.csv(x.measured()))
                        .append(',').append(ReportPage.f6(e.pFor())).append(',').append(ReportPage.f6(e.pAgainst()))
                        .append(',').append(ReportPage.f6(e.detectable())).append(',')
                        .append(ReportPage.csv(e.unit() == null ? "" : e.unit())).append(',')
                        .append(ReportPage.csv(family.adjusted().get(i).text())).append('\n');
            }
        }
        page.writeFile("findings.csv", f.toString());
        StringBuilder claims = new StringBuilder("experiment,claim,verdict,findings,summary\n");
        for (Family.Summary family : families) {
            claims.append(ReportPage.csv(family.experiment())).append(',').append(ReportPage.csv(family.claim()))
                    .append(',').append(ReportPage.csv(family.verdict().text())).append(',')
                    .append(family.findings().size()).append(',').append(ReportPage.csv(family.text())).append('\n');
        }
        page.writeFile("claims.csv", claims.toString());
    }

    private static String optimiser(StudySpec.Training t) {
        return t.optimizer() == OptimizerKind.SGD
                ? "SGD (momentum " + t.momentum() + ")" : "Adam";
    }
}
