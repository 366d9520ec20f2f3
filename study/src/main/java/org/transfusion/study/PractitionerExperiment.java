package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.similarity.Method;
import org.transfusion.study.record.RepresentationsRecord;

/**
 * The practitioner's question (issue 31): with the data I have and the backbone I want, should I start from
 * random init, from published ImageNet weights, from another checkpoint, or from my own pretraining — and does the
 * answer change with the amount of data? Every backbone trains at each training-set size from random init, from
 * random init given a longer schedule ({@code random-long}: He et al., ICCV 2019, found that it often closes
 * transfer's gap) and from each pretraining source that has weights for it; runs of one seed share the data split
 * and the nested training subsets, so arms are compared paired by seed.
 *
 * <p>The report opens with {@link #answer}: per backbone and size, the arm with the best mean test AUC, how far
 * ahead of the next best it is (the 95% t-interval of the paired difference over seeds), and its gain over random
 * init and over random-long; the section below draws the gain of each source against the training-set size and
 * compares convergence at the declared threshold. Its findings judge the paper's claim 4 at each size of the
 * curve (where the study has a small and a large model) and whether each source's gain survives the longer
 * random schedule, by the rules of {@link Findings}.
 */
final class PractitionerExperiment implements Experiment {
    private final StudySpec.Practitioner spec;

    PractitionerExperiment(StudySpec.Practitioner spec) {
        this.spec = spec;
    }

    @Override
    public void plan(Plan plan, String model, long seed) {
        for (int size : spec.sizes()) {
            for (String arm : spec.arms()) {
                plan.addArm(model, arm, StudySpec.Practitioner.subset(size), seed, spec);
            }
        }
    }

    /** Rows per layer each before/after probe reads (the representations experiment's default). */
    static final int MAX_POINTS = 3000;

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return Optional.of(plan.folder().analysis("practitioner"));
    }

    /** Every arm's runs at the largest size that did not fail: what the before/after analysis reads. */
    @Override
    public List<PlannedRun> analysedRuns(Plan plan) {
        List<PlannedRun> failed = StudyRunner.failed(plan.runs());
        List<PlannedRun> out = new ArrayList<>();
        for (String model : plan.spec().models()) {
            for (String arm : arms(plan, model)) {
                for (long seed : plan.spec().seeds()) {
                    PlannedRun r = plan.run(model, arm, largestSubset(), seed);
                    if (r != null && !failed.contains(r)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /**
     * How much of each start survives fine-tuning: every arm's runs at the largest size before vs after training,
     * per probed layer on test images (SVCCA, PWCCA, linear CKA, as the representations experiment measures them),
     * into {@code analysis/practitioner.json} (a {@link RepresentationsRecord}, one model entry per backbone, one
     * before/after summary per arm).
     */
    @Override
    public void analyse(Plan plan, PrintStream out) {
        RunComparison.Request request = new RunComparison.Request(null, plan.dataDir(), Split.TEST, List.of(),
                Method.parse("svcca,pwcca,cka-linear"), MAX_POINTS, 0,
                org.transfusion.engine.probe.ActivationProbe.Fold.FLATTEN, 0);
        List<PlannedRun> analysed = analysedRuns(plan);
        Map<String, RepresentationsRecord.Model> all = new LinkedHashMap<>();
        for (String model : plan.spec().models()) {
            RepresentationsRecord.Model m = RepresentationsExperiment.beforeAfter(plan, "practitioner " + model,
                    arms(plan, model), (arm, seed) -> {
                        PlannedRun run = plan.run(model, arm, largestSubset(), seed);
                        return analysed.contains(run) ? run : null;
                    }, request, out);
            if (m != null) {
                all.put(model, m);
            }
        }
        new RepresentationsRecord(RepresentationsRecord.FORMAT, all).write(analysisFile(plan).orElseThrow());
    }

    private static RepresentationsRecord representations(Plan plan) {
        Path f = plan.folder().analysis("practitioner");
        return Files.isRegularFile(f) ? RepresentationsRecord.read(f) : null;
    }

    /**
     * Per seed, the mean before/after similarity ({@link RepresentationsExperiment#CLAIM_MEASURE}) over the usable
     * layers {@code which} picks ({@code lower} or {@code higher} half), for one arm; empty without the analysis.
     */
    private static double[] kept(RepresentationsRecord.Model m, String arm, boolean lower) {
        if (m == null || m.beforeAfter(arm) == null) {
            return new double[0];
        }
        RepresentationsExperiment.Layers l = RepresentationsExperiment.Layers.of(m);
        List<List<Double>> values = RepresentationsExperiment.values(m.beforeAfter(arm));
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.mean(values.get(i), lower ? l.lower() : l.higher());
        }
        return out;
    }

    /** The arms {@code model} has in this plan, in report order (a source without weights for it has none). */
    List<String> arms(Plan plan, String model) {
        long seed = plan.spec().seeds().get(0);
        Integer subset = StudySpec.Practitioner.subset(spec.sizes().get(0));
        return spec.arms().stream().filter(a -> plan.run(model, a, subset, seed) != null).toList();
    }

    /** The largest training-set size as a run's subset (null: all the data). */
    Integer largestSubset() {
        List<Integer> sizes = sizes();
        return StudySpec.Practitioner.subset(sizes.get(sizes.size() - 1));
    }

    /** The sizes in increasing order, "all" (0) last. */
    private List<Integer> sizes() {
        List<Integer> out = new ArrayList<>(spec.sizes());
        out.sort((a, b) -> a == 0 ? 1 : b == 0 ? -1 : Integer.compare(a, b));
        return out;
    }

    private static String sizeText(int size) {
        return size == 0 ? "all" : Integer.toString(size);
    }

    /** The arm's name in the report: random, random (2x epochs), or the source. */
    private String armText(String arm) {
        if (arm.equals(StudySpec.Practitioner.RANDOM_LONG)) {
            return String.format(Locale.ROOT, "random, %sx epochs", Svg.plain(spec.longFactor()));
        }
        return arm.startsWith("from:") ? arm.substring("from:".length()) : arm;
    }

    /** Test AUC per seed of one arm at one size. */
    private static double[] aucs(Results results, String model, String arm, int size) {
        return results.testAucs(model, arm, StudySpec.Practitioner.subset(size));
    }

    /**
     * One cell of the answer: the best arm at one size and how sure the study is of it.
     *
     * @param best      the arm with the highest mean test AUC (over seeds with a finished run)
     * @param runnerUp  the next best arm, or null when the model has one arm
     * @param lead      best - runner-up per seed
     * @param overRandom best - random per seed (empty when best is random)
     * @param overLong  best - random-long per seed (empty when best is random-long)
     */
    record Choice(String model, int size, String best, double[] bestAucs, String runnerUp, double[] lead,
                  double[] overRandom, double[] overLong) {
        /**
         * How sure: "clearly ahead" when the lead's 95% t-interval is above 0; "tied" when it lies within
         * +-{@value Findings#EQUIVALENCE} AUC (either start will do); "not sure" otherwise (the interval is too wide
         * to tell); too few seeds under {@value Findings#MIN_SEEDS} paired.
         */
        String sureness() {
            if (runnerUp == null) {
                return "only one arm";
            }
            int n = Stats.count(lead);
            if (n < Findings.MIN_SEEDS) {
                return String.format(Locale.ROOT, "too few seeds (%d paired; %d needed)", n, Findings.MIN_SEEDS);
            }
            double[] ci = Stats.tInterval(lead);
            if (ci[0] > 0) {
                return "clearly ahead";
            }
            if (ci[0] >= -Findings.EQUIVALENCE && ci[1] <= Findings.EQUIVALENCE) {
                return "tied: either will do";
            }
            return "not sure: the interval is too wide";
        }
    }

    /**
     * The two {@code arms} of {@code model} with the highest mean test AUC on {@code subset} (null: all data), best
     * first; an entry is null where fewer arms have a finished run.
     */
    static String[] topTwo(Results results, String model, List<String> arms, Integer subset) {
        String best = null;
        String next = null;
        double bestMean = Double.NEGATIVE_INFINITY;
        double nextMean = Double.NEGATIVE_INFINITY;
        for (String a : arms) {
            double m = Stats.mean(results.testAucs(model, a, subset));
            if (Double.isNaN(m)) {
                continue;
            }
            if (m > bestMean) {
                next = best;
                nextMean = bestMean;
                best = a;
                bestMean = m;
            } else if (m > nextMean) {
                next = a;
                nextMean = m;
            }
        }
        return new String[] {best, next};
    }

    /** The best arm of {@code model} at {@code size}, or null when none of its runs finished. */
    Choice choose(Results results, String model, int size) {
        String[] top = topTwo(results, model, arms(results.plan(), model), StudySpec.Practitioner.subset(size));
        String best = top[0];
        String runnerUp = top[1];
        if (best == null) {
            return null;
        }
        double[] bestAucs = aucs(results, model, best, size);
        double[] lead = runnerUp == null ? new double[0]
                : Findings.pairedDifferences(aucs(results, model, runnerUp, size), bestAucs);
        double[] overRandom = best.equals("random") ? new double[0]
                : Findings.pairedDifferences(aucs(results, model, "random", size), bestAucs);
        double[] overLong = best.equals(StudySpec.Practitioner.RANDOM_LONG) ? new double[0]
                : Findings.pairedDifferences(aucs(results, model, StudySpec.Practitioner.RANDOM_LONG, size), bestAucs);
        return new Choice(model, size, best, bestAucs, runnerUp, lead, overRandom, overLong);
    }

    /**
     * {@code text}, or where the arm's runs at {@code size} failed (diverged or collapsed: no model came out of them)
     * and nothing could be paired, how many did.
     */
    private static String orFailed(String text, Results results, String model, String arm, int size) {
        if (!text.equals("–")) {
            return text;
        }
        long failed = results.spec().seeds().stream().map(seed -> results.plan().run(model, arm,
                StudySpec.Practitioner.subset(size), seed)).filter(r -> r != null
                && new org.transfusion.engine.run.RunFolder(r.folder()).isFailed()).count();
        return failed == 0 ? text : "failed on " + failed + " of " + results.spec().seeds().size() + " seeds "
                + "(collapsed or diverged: no model)";
    }

    /** "+0.031 [+0.012, +0.050]" (the paired mean and its 95% t-interval), or "–" where nothing is paired. */
    private static String difference(double[] d) {
        if (Stats.count(d) == 0) {
            return "–";
        }
        double[] ci = Stats.tInterval(d);
        return Double.isNaN(ci[0]) ? String.format(Locale.ROOT, "%+.3f", Stats.mean(d))
                : String.format(Locale.ROOT, "%+.3f [%+.3f, %+.3f]", Stats.mean(d), ci[0], ci[1]);
    }

    @Override
    public void answer(ReportPage page) {
        Results results = page.results();
        StringBuilder h = page.html();
        h.append("<h2>Answer: where to start, per backbone and amount of data</h2>")
                .append("<table><tr><th>backbone</th><th>training images</th><th>start from</th><th>test AUC</th>"
                        + "<th>ahead of the next best</th><th>vs random</th><th>vs random, ")
                .append(Svg.plain(spec.longFactor())).append("x epochs</th><th>how sure</th></tr>");
        StringBuilder csv = new StringBuilder("model,train_images,start_from,test_auc_mean,runner_up,lead_mean,"
                + "lead_ci95_low,lead_ci95_high,gain_over_random_mean,gain_over_random_long_mean,paired_seeds,how_sure\n");
        for (String model : results.spec().models()) {
            for (int size : sizes()) {
                Choice c = choose(results, model, size);
                if (c == null) {
                    h.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(sizeText(size))
                            .append("</td><td colspan='6' class='muted'>no finished runs</td></tr>");
                    continue;
                }
                h.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(sizeText(size))
                        .append("</td><td><b>").append(Svg.esc(armText(c.best()))).append("</b></td><td>")
                        .append(Findings.pm(c.bestAucs())).append("</td><td>")
                        .append(c.runnerUp() == null ? "–" : difference(c.lead()) + " <span class='muted'>over "
                                + Svg.esc(armText(c.runnerUp())) + "</span>")
                        .append("</td><td>").append(orFailed(difference(c.overRandom()), results, model, "random",
                                size)).append("</td><td>")
                        .append(orFailed(difference(c.overLong()), results, model, StudySpec.Practitioner.RANDOM_LONG,
                                size)).append("</td><td>").append(Svg.esc(c.sureness()))
                        .append("</td></tr>");
                double[] ci = Stats.tInterval(c.lead());
                csv.append(String.join(",", ReportPage.csv(model), Integer.toString(size), ReportPage.csv(armText(c.best())),
                        ReportPage.f6(Stats.mean(c.bestAucs())), c.runnerUp() == null ? ""
                                : ReportPage.csv(armText(c.runnerUp())), ReportPage.f6(Stats.mean(c.lead())),
                        ReportPage.f6(ci[0]), ReportPage.f6(ci[1]), ReportPage.f6(Stats.mean(c.overRandom())),
                        ReportPage.f6(Stats.mean(c.overLong())), Integer.toString(Stats.count(c.lead())),
                        ReportPage.csv(c.sureness()))).append('\n');
            }
        }
        h.append("</table><p class='muted'>Per backbone and training-set size (stratified subsets, nested: each "
                + "larger set holds the smaller), the start with the best mean test AUC over seeds. Differences are "
                + "paired by seed (one seed's runs share the split and the subset) with their 95% t-interval over "
                + "seeds; the test set's own uncertainty is not in them (each run's DeLong interval is in runs.csv). "
                + "\"Clearly ahead\": the interval of the lead is above 0; \"tied\": it lies within ±")
                .append(Findings.EQUIVALENCE).append(" AUC; fewer than ").append(Findings.MIN_SEEDS)
                .append(" paired seeds decide nothing. Sources a backbone has no weights for are not among its "
                        + "starts (the setup lists each source).</p>");
        page.writeFile("practitioner.csv", csv.toString());
    }

    @Override
    public List<Finding> findings(Results results) {
        List<Finding> out = new ArrayList<>();
        List<String> models = results.spec().models();
        // Claim 4 on the curve: the gain of transfer (each source) with each size below all, large against small.
        for (WeightsSpec source : spec.sources()) {
            String arm = StudySpec.Practitioner.arm(source);
            for (int size : sizes()) {
                if (size == 0) {
                    continue;
                }
                List<String> withSource = models.stream().filter(m -> arms(results.plan(), m).contains(arm)).toList();
                out.addAll(Findings.littleData(withSource, size, m -> Findings.pairedDifferences(
                        aucs(results, m, "random", size), aucs(results, m, arm, size))));
            }
        }
        // Equal tuning: does each source's gain survive a random init trained longer (all data, or the largest size)?
        int largest = sizes().get(sizes().size() - 1);
        for (String model : models) {
            for (String arm : arms(results.plan(), model)) {
                if (arm.startsWith("from:")) {
                    out.add(Findings.judgeSurvivesLongerTraining(model, armText(arm), spec.longFactor(),
                            aucs(results, model, StudySpec.Practitioner.RANDOM_LONG, largest),
                            aucs(results, model, arm, largest), sizeText(largest)));
                }
            }
        }
        // Claim 6 per source: lower layers change less through fine-tuning than higher ones, from each start.
        RepresentationsRecord repr = representations(results.plan());
        if (repr != null) {
            for (String model : models) {
                RepresentationsRecord.Model m = repr.models().get(model);
                if (m == null) {
                    continue;
                }
                RepresentationsExperiment.Layers l = RepresentationsExperiment.Layers.of(m);
                if (l.lower().isEmpty() || l.higher().isEmpty()) {
                    continue;
                }
                for (String arm : arms(results.plan(), model)) {
                    if (arm.startsWith("from:") && m.beforeAfter(arm) != null) {
                        double[] d = Findings.pairedDifferences(kept(m, arm, false), kept(m, arm, true));
                        Finding f = Findings.judgeLowerChangeLess(model, "from " + armText(arm),
                                RepresentationsExperiment.CLAIM_MEASURE, d, l.names(l.lower()), l.names(l.higher()));
                        out.add(new Finding("practitioner", f.claim(), f.measured(), f.verdict(), f.evidence()));
                    }
                }
            }
        }
        return dedupeOutOfScope(out);
    }

    /** One out-of-scope finding per claim: the curve's sizes and sources would repeat the same one. */
    private static List<Finding> dedupeOutOfScope(List<Finding> findings) {
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            boolean repeated = f.verdict() == Finding.Verdict.OUT_OF_SCOPE && out.stream()
                    .anyMatch(o -> o.verdict() == Finding.Verdict.OUT_OF_SCOPE && o.claim().equals(f.claim()));
            if (!repeated) {
                out.add(f);
            }
        }
        return out;
    }

    @Override
    public void section(ReportPage page) {
        Results results = page.results();
        StringBuilder h = page.html();
        h.append("<h2>Which start, for how much data (practitioner study)</h2>")
                .append("<p>Each backbone trained at each training-set size from random init, from random init with ")
                .append(Svg.plain(spec.longFactor())).append("x the epochs (the equal-tuning control of He et al. "
                        + "2019) and from each pretraining source with weights for it.</p>");
        List<Integer> sizes = sizes();
        List<String> labels = sizes.stream().map(PractitionerExperiment::sizeText).toList();
        for (String model : results.spec().models()) {
            List<String> arms = arms(results.plan(), model);
            h.append("<h3>").append(Svg.esc(model)).append("</h3><table><tr><th>training images</th>");
            arms.forEach(a -> h.append("<th>").append(Svg.esc(armText(a))).append("</th>"));
            h.append("</tr>");
            for (int size : sizes) {
                h.append("<tr><td>").append(sizeText(size)).append("</td>");
                for (String a : arms) {
                    double[] v = aucs(results, model, a, size);
                    h.append("<td>").append(Stats.count(v) == 0 ? "–" : Findings.pm(v)).append(" <span class='muted'>(n=")
                            .append(Stats.count(v)).append(")</span></td>");
                }
                h.append("</tr>");
            }
            h.append("</table><p class='muted'>test ROC AUC, mean ± sd over seeds</p>");
            // Gain over random init against the training-set size, per start, with its 95% t-interval.
            List<Svg.Series> series = new ArrayList<>();
            double lo = 0;
            double hi = 0;
            for (String a : arms) {
                if (a.equals("random")) {
                    continue;
                }
                double[] x = new double[sizes.size()];
                double[] y = new double[sizes.size()];
                double[] e = new double[sizes.size()];
                for (int i = 0; i < sizes.size(); i++) {
                    double[] d = Findings.pairedDifferences(aucs(results, model, "random", sizes.get(i)),
                            aucs(results, model, a, sizes.get(i)));
                    double[] ci = Stats.tInterval(d);
                    x[i] = i;
                    y[i] = Stats.mean(d);
                    e[i] = Double.isNaN(ci[0]) ? 0 : (ci[1] - ci[0]) / 2;
                    if (!Double.isNaN(y[i])) {
                        lo = Math.min(lo, y[i] - e[i]);
                        hi = Math.max(hi, y[i] + e[i]);
                    }
                }
                series.add(new Svg.Series(armText(a), x, y, e));
            }
            if (!series.isEmpty()) {
                double yMin = Math.floor(lo * 20) / 20;
                double yMax = Math.max(yMin + 0.05, Math.ceil(hi * 20) / 20);
                h.append("<div class='charts'><figure>").append(Svg.lines(model + ": gain over random init",
                        "training images", "test AUC - random's", series, labels, yMin, yMax))
                        .append("<figcaption>paired by seed; bars: 95% t-interval over seeds. Where a line stays "
                                + "above 0 the start helps at that size; where it meets 0, transfer has stopped "
                                + "helping.</figcaption></figure></div>");
            }
            convergence(h, results, model, arms, sizes.get(sizes.size() - 1));
            change(h, results, model, arms);
        }
    }

    /** How much of each start survives fine-tuning: before/after similarity of the lower and higher layers. */
    private void change(StringBuilder h, Results results, String model, List<String> arms) {
        RepresentationsRecord repr = representations(results.plan());
        RepresentationsRecord.Model m = repr == null ? null : repr.models().get(model);
        if (m == null) {
            h.append("<p class='muted'>Representation change: not yet analysed (it is when every run at the largest "
                    + "size has finished).</p>");
            return;
        }
        RepresentationsExperiment.Layers l = RepresentationsExperiment.Layers.of(m);
        h.append("<table><tr><th>start</th><th>").append(RepresentationsExperiment.CLAIM_MEASURE.toUpperCase(Locale.ROOT))
                .append(" before vs after, lower layers (").append(Svg.esc(l.names(l.lower()))).append(")</th><th>")
                .append("higher layers (").append(Svg.esc(l.names(l.higher()))).append(")</th></tr>");
        for (String a : arms) {
            h.append("<tr><td>").append(Svg.esc(armText(a))).append("</td><td>").append(Findings.pm(kept(m, a, true)))
                    .append("</td><td>").append(Findings.pm(kept(m, a, false))).append("</td></tr>");
        }
        h.append("</table><p class='muted'>similarity of each layer's representation at the start and at the end of "
                + "training (1 = unchanged), mean ± sd over seeds, at the largest size; from random init the start "
                + "holds nothing worth keeping, so its numbers are the baseline of change</p>");
    }

    /** Steps to the declared validation AUC per arm at {@code size}, and each arm's paired speed-up over random. */
    private void convergence(StringBuilder h, Results results, String model, List<String> arms, int size) {
        h.append("<table><tr><th>start (").append(sizeText(size)).append(" images)</th><th>steps to validation AUC ")
                .append(Svg.plain(spec.threshold())).append("</th><th>reached by</th></tr>");
        for (String a : arms) {
            List<Double> steps = new ArrayList<>();
            int reached = 0;
            int runs = 0;
            for (long seed : results.spec().seeds()) {
                RunResult r = results.get(model, a, StudySpec.Practitioner.subset(size), seed);
                if (r == null) {
                    continue;
                }
                runs++;
                double s = r.stepsTo(spec.threshold());
                if (!Double.isInfinite(s) && !Double.isNaN(s)) {
                    steps.add(s);
                    reached++;
                }
            }
            h.append("<tr><td>").append(Svg.esc(armText(a))).append("</td><td>")
                    .append(steps.isEmpty() ? "–" : Findings.stepsText(steps.stream().mapToDouble(Double::doubleValue)
                            .toArray())).append("</td><td>").append(reached).append(" of ").append(runs)
                    .append(" runs</td></tr>");
        }
        h.append("</table><p class='muted'>the threshold was declared in the spec before training "
                + "(experiments.practitioner.threshold); a run that never reached it is left out of the steps</p>");
    }
}
