package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.eval.Bootstrap;
import org.transfusion.engine.eval.DeLong;
import org.transfusion.engine.eval.Evaluator;
import org.transfusion.engine.eval.RunEvaluation;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.record.MetricsRecord;
import org.transfusion.study.record.PairedDelongRecord;

/** Test ROC AUC of each model from random init and from pretrained weights on all the data (Tables 1-2). */
final class PerformanceExperiment implements Experiment {
    private final StudySpec.Performance spec;

    PerformanceExperiment(StudySpec.Performance spec) {
        this.spec = spec;
    }

    @Override
    public void plan(Plan plan, String model, long seed) {
        spec.schemeNames().forEach(s -> plan.add(model, s, null, seed));
    }

    static Path pairedFile(Path studyDir) {
        return new StudyFolder(studyDir).pairedDelong();
    }

    private boolean paired() {
        return spec.schemeNames().contains("random") && spec.schemeNames().contains("pretrained");
    }

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return paired() ? Optional.of(pairedFile(plan.dir())) : Optional.empty();
    }


    /**
     * The paired DeLong test of transfer against random init of the same seed: both runs' best weights scored
     * again on the test split (same images, same order, since a seed fixes the split), one row per model and
     * seed in {@code analysis/paired-delong.json}. DeLong's paired test covers one output; for a macro AUC (several
     * classes or labels) the paired bootstrap over the test images ({@link Bootstrap}) is used, and the row says so.
     */
    @Override
    public void analyse(Plan plan, PrintStream log) {
        if (!paired()) {
            return; // a performance experiment without both schemes has nothing to pair
        }
        List<PairedDelongRecord.Row> rows = new ArrayList<>();
        List<PairedDelongRecord.Mean> means = new ArrayList<>();
        // each model's random-init scorings per seed (one output only), for claim 2's contrasts between models
        Map<String, Map<Long, Evaluator.Scores>> randomScores = new LinkedHashMap<>();
        for (String model : plan.spec().models()) {
            List<double[]> scorings = new ArrayList<>();
            List<double[]> targets = new ArrayList<>();
            List<Double> seedVariances = new ArrayList<>();
            for (long seed : plan.spec().seeds()) {
                log.println("analysis: paired test of " + model + " seed " + seed + ", transfer vs random");
                RunEvaluation.TaskScores random = RunEvaluation.scores(plan.run(model, "random", null, seed).folder(),
                        Split.TEST);
                RunEvaluation.TaskScores transfer = RunEvaluation.scores(
                        plan.run(model, "pretrained", null, seed).folder(), Split.TEST);
                Evaluator.Scores r = random.scores();
                Evaluator.Scores p = transfer.scores();
                if (r.outputs() == 1) {
                    randomScores.computeIfAbsent(model, k -> new LinkedHashMap<>()).put(seed, r);
                }
                if (!Arrays.equals(r.targets(), p.targets())) {
                    rows.add(new PairedDelongRecord.Row(model, seed, "the two runs' test sets differ", null, null,
                            null, null, null, null, r.n()));
                } else if (r.outputs() == 1) {
                    DeLong.Paired d = DeLong.paired(p.probs(), r.probs(), r.targets());
                    rows.add(new PairedDelongRecord.Row(model, seed, null, "DeLong", d.auc2(), d.auc1(),
                            d.difference(), List.of(d.low(), d.high()), d.p(), r.n()));
                    scorings.add(p.probs());
                    scorings.add(r.probs());
                    targets.add(r.targets());
                    seedVariances.add(d.se() * d.se());
                } else {
                    // Macro / mean-over-labels AUC: no closed form; the paired bootstrap over test images.
                    Bootstrap.Paired b = Bootstrap.paired(random.task(), p, r, Bootstrap.RESAMPLES, seed);
                    rows.add(new PairedDelongRecord.Row(model, seed, null, "bootstrap (" + b.resamples()
                            + " resamples)", b.aucB(), b.aucA(), b.difference(), List.of(b.low(), b.high()), b.p(),
                            r.n()));
                }
            }
            means.add(mean(model, plan.spec().seeds().size(), scorings, targets, seedVariances));
        }
        List<PairedDelongRecord.Mean> contrasts = new ArrayList<>();
        for (String[] pair : smallLargePairs(plan.spec().models())) {
            List<SeedScorings> perSeed = new ArrayList<>();
            for (long seed : plan.spec().seeds()) {
                Evaluator.Scores s = randomScores.getOrDefault(pair[0], Map.of()).get(seed);
                Evaluator.Scores l = randomScores.getOrDefault(pair[1], Map.of()).get(seed);
                if (s != null && l != null && Arrays.equals(s.targets(), l.targets())) {
                    perSeed.add(new SeedScorings(List.of(s.probs(), l.probs()), s.targets()));
                }
            }
            contrasts.add(contrastMean(smallLikeLarge(pair[0], pair[1]), plan.spec().seeds().size(), perSeed,
                    new double[] {1, -1}));
        }
        new PairedDelongRecord(PairedDelongRecord.FORMAT, rows, means, contrasts).write(pairedFile(plan.dir()));
    }

    /** Claim 2's contrast name: small minus large, both from random init. */
    static String smallLikeLarge(String small, String large) {
        return small + " - " + large + " (random)";
    }

    /** Every (CBR, large model) pair of {@code models}, small first: the pairs claims 2 and 4 judge. */
    static List<String[]> smallLargePairs(List<String> models) {
        List<String[]> out = new ArrayList<>();
        for (String s : models.stream().filter(Findings::isSmall).toList()) {
            for (String l : models.stream().filter(Findings::isLarge).toList()) {
                out.add(new String[] {s, l});
            }
        }
        return out;
    }

    /** One seed's scorings of a contrast's runs (in its weights' order) and the seed's test targets. */
    record SeedScorings(List<double[]> scorings, double[] targets) {}

    /**
     * The test set's variance of a contrast of runs' AUCs averaged over seeds (issue 30.3, for claims 2 and 4):
     * {@code weights} apply to each seed's scorings; with every seed on the same test images one DeLong contrast
     * over all of them (weights / n), else each seed's own DeLong variance summed over n^2; none when fewer than
     * {@code seeds} seeds have their scorings.
     */
    static PairedDelongRecord.Mean contrastMean(String name, int seeds, List<SeedScorings> perSeed, double[] weights) {
        int n = perSeed.size();
        if (n == 0 || n < seeds) {
            return new PairedDelongRecord.Mean(name, n, null, null, "none: a seed's runs have no single-output "
                    + "scores on one test set");
        }
        boolean shared = perSeed.stream().allMatch(s -> Arrays.equals(s.targets(), perSeed.get(0).targets()));
        if (shared) {
            List<double[]> all = new ArrayList<>();
            double[] w = new double[n * weights.length];
            for (int i = 0; i < n; i++) {
                all.addAll(perSeed.get(i).scorings());
                for (int j = 0; j < weights.length; j++) {
                    w[i * weights.length + j] = weights[j] / n;
                }
            }
            DeLong.Contrast c = DeLong.contrast(all, w, perSeed.get(0).targets());
            return new PairedDelongRecord.Mean(name, n, c.value(), c.variance(), "DeLong, shared test set");
        }
        double sum = 0;
        double value = 0;
        for (SeedScorings s : perSeed) {
            DeLong.Contrast c = DeLong.contrast(s.scorings(), weights, s.targets());
            sum += c.variance();
            value += c.value() / n;
        }
        return new PairedDelongRecord.Mean(name, n, value, sum / ((double) n * n),
                "DeLong per seed, independent test sets");
    }

    /**
     * The test set's variance of a model's seed-averaged difference (issue 30.3), from each seed's transfer and
     * random scorings (in {@code scorings}: transfer, random, per seed): one DeLong contrast when every seed scored
     * the same images, else the seeds' own variances summed over n^2; no variance when a seed has none.
     */
    static PairedDelongRecord.Mean mean(String model, int seeds, List<double[]> scorings, List<double[]> targets,
                                        List<Double> seedVariances) {
        int n = targets.size();
        if (n == 0 || n < seeds) {
            return new PairedDelongRecord.Mean(model, n, null, null, "none: a seed's difference has no DeLong "
                    + "variance (a macro AUC's bootstrap, or test sets that differ)");
        }
        boolean shared = targets.stream().allMatch(t -> Arrays.equals(t, targets.get(0)));
        if (shared) {
            double[] w = new double[2 * n];
            for (int i = 0; i < n; i++) {
                w[2 * i] = 1.0 / n;
                w[2 * i + 1] = -1.0 / n;
            }
            DeLong.Contrast c = DeLong.contrast(scorings, w, targets.get(0));
            return new PairedDelongRecord.Mean(model, n, c.value(), c.variance(), "DeLong, shared test set");
        }
        double sum = seedVariances.stream().mapToDouble(Double::doubleValue).sum();
        return new PairedDelongRecord.Mean(model, n, null, sum / ((double) n * n),
                "DeLong per seed, independent test sets");
    }

    /**
     * The test-set variance of contrast {@code name} in {@code record}, where it was measured over exactly
     * {@code seeds} seeds; NaN otherwise (the verdict then uses the seed-only interval and says so).
     */
    static double contrastVariance(PairedDelongRecord record, String name, int seeds) {
        PairedDelongRecord.Mean m = record == null ? null : record.contrast(name);
        return m == null || m.testVariance() == null || m.seeds() == null || m.seeds() != seeds ? Double.NaN
                : m.testVariance();
    }

    /**
     * The runs the analysis reads: every model's random and pretrained full-data runs, per seed. Not the whole
     * study's (the default): a run of another experiment that failed (a collapsed 100-image run, say) must not hold
     * this analysis back, as it did in the results study.
     */
    @Override
    public List<PlannedRun> analysedRuns(Plan plan) {
        return Experiment.randomAndPretrained(plan);
    }

    @Override
    public boolean needsAnalysis(Plan plan) {
        if (Experiment.super.needsAnalysis(plan)) {
            return true;
        }
        // a record from before the test set's variance of the means (version 3), or of the contrasts between models
        // (version 4) where the study has claim 2's pairs, is measured again
        Path f = pairedFile(plan.dir());
        PairedDelongRecord saved = paired() && java.nio.file.Files.isRegularFile(f) ? PairedDelongRecord.read(f) : null;
        return saved != null && (saved.means() == null
                || saved.contrasts() == null && !smallLargePairs(plan.spec().models()).isEmpty())
                && analysedRuns(plan).stream().allMatch(r -> new org.transfusion.engine.run.RunFolder(r.folder())
                .isComplete());
    }

    @Override
    public List<Finding> findings(Results results) {
        List<Finding> out = new ArrayList<>();
        Path f = pairedFile(results.plan().dir());
        PairedDelongRecord paired = paired() && java.nio.file.Files.isRegularFile(f) ? PairedDelongRecord.read(f)
                : null;
        for (String model : results.spec().models()) {
            double[] r = results.testAucs(model, "random", null);
            double[] p = results.testAucs(model, "pretrained", null);
            if (Stats.count(r) > 0 && Stats.count(p) > 0) {
                PairedDelongRecord.Mean m = paired == null ? null : paired.mean(model);
                double testVariance = m == null || m.testVariance() == null
                        || m.seeds() == null || m.seeds() != Math.min(Stats.count(r), Stats.count(p))
                        ? Double.NaN : m.testVariance();
                out.add(Findings.judgePerformance(model, r, p, testVariance));
                // several labels (CheXpert's five findings): each label's AUC paired the same way as their mean,
                // over seeds (the mean of several outputs has no DeLong variance either); one family with it
                for (String label : results.outputs(model, "random", null)) {
                    out.add(Findings.judgePerformance(model + " [" + label + "]",
                            results.testAucs(model, "random", null, label),
                            results.testAucs(model, "pretrained", null, label), Double.NaN));
                }
            }
        }
        out.addAll(Findings.smallLikeLarge(results.spec().models(), m -> results.testAucs(m, "random", null),
                (small, large) -> contrastVariance(paired, smallLikeLarge(small, large),
                        Math.min(Stats.count(results.testAucs(small, "random", null)),
                                Stats.count(results.testAucs(large, "random", null))))));
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
        page.aucTable(spec.schemeNames(), null);
        pairedTable(page);
        perOutputTable(page);
        calibration(page);
        pretrainingTable(page);
    }

    /**
     * Calibration of the best weights' test predictions: each model and scheme's expected calibration error over
     * seeds, and a reliability diagram of the first seed's runs (the first output where there are several), from
     * what training wrote to metrics.json. Runs written before metrics.json had calibration are left out.
     */
    private void calibration(ReportPage page) {
        Results results = page.results();
        long first = results.spec().seeds().get(0);
        StringBuilder rows = new StringBuilder();
        List<String> charts = new ArrayList<>();
        String output = null;
        for (String model : results.spec().models()) {
            List<Svg.Series> series = new ArrayList<>();
            series.add(new Svg.Series("perfectly calibrated", new double[] {0, 1}, new double[] {0, 1}, null));
            for (String scheme : spec.schemeNames()) {
                double[] ece = results.spec().seeds().stream().map(seed -> calibration(results.get(model, scheme, null,
                        seed))).mapToDouble(c -> c == null ? Double.NaN : Records.orNaN(c.ece())).toArray();
                if (Stats.count(ece) == 0) {
                    continue;
                }
                rows.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(Svg.esc(scheme))
                        .append("</td><td>").append(Findings.pm(ece)).append("</td></tr>");
                MetricsRecord.Calibration c = calibration(results.get(model, scheme, null, first));
                Map<String, List<MetricsRecord.Bin>> perOutput = c == null ? null : c.reliabilityPerOutput();
                if (perOutput == null || perOutput.isEmpty()) {
                    continue;
                }
                output = perOutput.keySet().iterator().next();
                List<double[]> points = new ArrayList<>();
                for (MetricsRecord.Bin bin : perOutput.get(output)) {
                    if (bin.count() != null && bin.count() > 0) {
                        points.add(new double[] {zeroIfNaN(bin.meanProbability()), zeroIfNaN(bin.fractionPositive())});
                    }
                }
                series.add(new Svg.Series(scheme, points.stream().mapToDouble(q -> q[0]).toArray(),
                        points.stream().mapToDouble(q -> q[1]).toArray(), null));
            }
            if (series.size() > 1) {
                charts.add(Svg.lines("reliability: " + model + " (seed " + first + ", test)",
                        "mean predicted probability", "fraction positive", series, null, 0, 1));
            }
        }
        if (rows.length() == 0) {
            return;
        }
        StringBuilder h = page.html();
        h.append("<h3>Calibration on the test split</h3><table><tr><th>model</th><th>init</th>"
                + "<th>expected calibration error</th></tr>").append(rows).append("</table><div class='charts'>");
        charts.forEach(c -> h.append("<figure>").append(c).append("</figure>"));
        h.append("</div><p class='muted'>ECE: mean ± standard deviation over seeds of sum over 15 equal-width "
                + "probability bins of (bin share) x |mean predicted probability - fraction positive|. The diagrams "
                + "show the bins that hold test images")
                .append(output == null ? "" : ", for output '" + Svg.esc(output) + "'")
                .append("; a point below the diagonal is over-confident. `training.calibrate: temperature` fits "
                        + "a temperature on validation and reports the calibrated numbers beside these in "
                        + "metrics.json.</p>");
    }

    /** The test split's calibration block of a run's metrics.json (missing for no run or an older run). */
    private static MetricsRecord.Calibration calibration(RunResult r) {
        if (r == null) {
            return null;
        }
        MetricsRecord.Split test = new RunFolder(r.run().folder()).metricsRecord().test();
        return test == null ? null : test.calibration();
    }

    /** A number as {@code JsonNode.asDouble()} read it: 0 where the file left it undefined (null). */
    static double zeroIfNaN(Double v) {
        return v == null || v.isNaN() ? 0 : v;
    }

    /** The paired DeLong tests, one row per model and seed. */
    private static void pairedTable(ReportPage page) {
        Path file = pairedFile(page.plan().dir());
        if (!Files.isRegularFile(file)) {
            return;
        }
        StringBuilder h = page.html();
        h.append("<h3>Transfer vs random init on the same test images (paired DeLong test; bootstrap for a macro AUC)</h3><table><tr>"
                + "<th>model</th><th>seed</th><th>random</th><th>transfer</th><th>difference [95% CI]</th><th>p</th>"
                + "<th>test</th></tr>");
        StringBuilder csv = new StringBuilder("model,seed,auc_random,auc_transfer,difference,ci_low,ci_high,p,test\n");
        for (PairedDelongRecord.Row row : PairedDelongRecord.read(file).rows()) {
            long seed = row.seed() == null ? 0 : row.seed();
            String model = row.model() == null ? "" : row.model();
            h.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(seed)
                    .append("</td>");
            if (row.note() != null) {
                h.append("<td colspan='4'>").append(Svg.esc(row.note())).append("</td></tr>");
                continue;
            }
            double random = zeroIfNaN(row.aucRandom());
            double transfer = zeroIfNaN(row.aucTransfer());
            double difference = zeroIfNaN(row.difference());
            double low = zeroIfNaN(row.ci95(0));
            double high = zeroIfNaN(row.ci95(1));
            double p = zeroIfNaN(row.p());
            String method = row.method() == null ? "" : row.method();
            h.append(String.format(Locale.ROOT, "<td>%.3f</td><td>%.3f</td><td>%+.3f [%+.3f, %+.3f]</td><td>%.3g</td>"
                    + "<td>%s</td></tr>", random, transfer, difference, low, high, p, Svg.esc(method)));
            csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%s,%s,%s,%s%n", model, seed,
                    ReportPage.f6(random), ReportPage.f6(transfer), ReportPage.f6(difference), ReportPage.f6(low),
                    ReportPage.f6(high), ReportPage.f6(p), method));
        }
        h.append("</table><p class='muted'>Each seed's two runs scored again on the test split; the difference is "
                + "transfer minus random, its interval and two-sided p from DeLong's paired test (one output) or the "
                + "paired bootstrap over test images (macro AUC of several outputs).</p>");
        page.writeFile("paired-delong.csv", csv.toString());
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
            for (String scheme : spec.schemeNames()) {
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
