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
import org.transfusion.engine.eval.RunEvaluation;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.similarity.Method;
import org.transfusion.study.record.RepresentationsRecord;

/**
 * The paper's open question, "are the results similar for other tasks, such as segmentation?": the study's U-Nets
 * trained on its segmentation data from random init, from pretrained encoder weights, Mean Var, Gabor and
 * transfusion up to each listed encoder block, every seed. The claims that carry over are judged with the
 * classification rules on the segmentation's own metrics: test Dice (paired by seed) for transfer's effect on the
 * final result, steps to the declared validation Dice for convergence, transfusion's recovery of the speed-up, and,
 * from each network before vs after training (SVCCA on the encoder's probed layers), whether lower layers change
 * less. The report shows test Dice and pixel AUC, validation Dice curves, steps to the threshold, the change per
 * layer, and the first seed's random and pretrained predictions side by side. Its analysis is
 * {@code analysis/segmentation.json} (a {@link RepresentationsRecord}: before/after per scheme, no between-network
 * comparisons).
 */
final class SegmentationExperiment implements Experiment {
    static final String DICE_NO_GAIN = "Transfer from pretraining gives little or no gain in final test Dice over "
            + "random initialisation on the segmentation task (the paper's Tables 1-2 claim, asked of its open "
            + "question).";
    static final List<String> CHANGE_SCHEMES = List.of("random", "pretrained");

    private final StudySpec.Segmentation spec;

    SegmentationExperiment(StudySpec.Segmentation spec) {
        this.spec = spec;
    }

    /** The key of an encoder's classification runs in the analysis ({@code classification/cbr-small}). */
    static final String COMPARE_PREFIX = "classification/";

    @Override
    public void plan(Plan plan, String model, long seed) {
        spec.allSchemes().forEach(s -> plan.add(model, s, null, seed));
        StudySpec.CompareWith with = spec.compareWith();
        if (with != null) {
            for (String scheme : CHANGE_SCHEMES) {
                if (spec.schemeNames().contains(scheme)) {
                    plan.addComparison(encoder(model), scheme, seed, with);
                }
            }
        }
    }

    /** The classifier a U-Net's encoder is (its compare_with runs train it). */
    static String encoder(String model) {
        return ModelRegistry.get(model).encoderCard().name();
    }

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return Optional.of(plan.folder().analysis("segmentation"));
    }

    @Override
    public List<PlannedRun> analysedRuns(Plan plan) {
        List<PlannedRun> out = new ArrayList<>();
        for (String model : plan.spec().models()) {
            for (long seed : plan.spec().seeds()) {
                for (String scheme : CHANGE_SCHEMES) {
                    PlannedRun r = plan.run(model, scheme, null, seed);
                    if (r != null) {
                        out.add(r);
                    }
                    PlannedRun c = plan.comparison(encoder(model), scheme, seed);
                    if (c != null && !out.contains(c)) {
                        out.add(c);
                    }
                }
            }
        }
        return out;
    }

    private static RepresentationsRecord read(Plan plan) {
        Path f = plan.folder().analysis("segmentation");
        return Files.isRegularFile(f) ? RepresentationsRecord.read(f) : null;
    }

    /** Each random and pretrained run before vs after training, per probed layer, on test-image tiles. */
    @Override
    public void analyse(Plan plan, PrintStream out) {
        RunComparison.Request request = new RunComparison.Request(null, plan.dataDir(), Split.TEST, List.of(),
                Method.parse("svcca,pwcca,cka-linear"), spec.maxPoints(), 0,
                org.transfusion.engine.probe.ActivationProbe.Fold.FLATTEN, 0);
        Map<String, RepresentationsRecord.Model> all = new LinkedHashMap<>();
        for (String model : plan.spec().models()) {
            RepresentationsRecord.Model m = beforeAfter(plan, "segmentation " + model,
                    (scheme, seed) -> spec.schemeNames().contains(scheme) ? plan.run(model, scheme, null, seed) : null,
                    request, out);
            if (m != null) {
                all.put(model, m);
            }
        }
        if (spec.compareWith() != null) {
            for (String model : plan.spec().models()) {
                String encoder = encoder(model);
                if (all.containsKey(COMPARE_PREFIX + encoder)) {
                    continue;
                }
                RepresentationsRecord.Model m = beforeAfter(plan, "segmentation's comparison " + encoder
                        + " (classification)", (scheme, seed) -> plan.comparison(encoder, scheme, seed), request, out);
                if (m != null) {
                    all.put(COMPARE_PREFIX + encoder, m);
                }
            }
        }
        new RepresentationsRecord(RepresentationsRecord.FORMAT, all).write(plan.folder().analysis("segmentation"));
    }

    /** {@link RepresentationsExperiment#beforeAfter} over {@link #CHANGE_SCHEMES}. */
    private RepresentationsRecord.Model beforeAfter(Plan plan, String label,
                                                    java.util.function.BiFunction<String, Long, PlannedRun> runOf,
                                                    RunComparison.Request request, PrintStream out) {
        return RepresentationsExperiment.beforeAfter(plan, label, CHANGE_SCHEMES, runOf, request, out);
    }

    @Override
    public List<Finding> findings(Results results) {
        List<Finding> out = new ArrayList<>();
        double t = spec.threshold();
        for (String model : results.spec().models()) {
            double[] random = results.testDices(model, "random");
            double[] transfer = results.testDices(model, "pretrained");
            if (Stats.count(random) > 0 && Stats.count(transfer) > 0) {
                out.add(Findings.judgePerformance("segmentation", DICE_NO_GAIN, "test Dice", model, random,
                        transfer));
            }
            double[] r = results.steps(model, "random", t);
            double[] p = results.steps(model, "pretrained", t);
            double cap = results.runLength(model);
            for (String scheme : spec.allSchemes()) {
                if (scheme.equals("random") || scheme.startsWith("transfusion:")) {
                    continue;
                }
                double[] s = results.steps(model, scheme, t);
                if (Stats.count(s) == 0 || Stats.count(r) == 0) {
                    continue;
                }
                out.add(Findings.judgeSpeedup("segmentation", claim(scheme), model, scheme, "random", t, s, r, cap,
                        "val Dice", results.firstValidation(model)));
            }
            for (String block : spec.blocks()) {
                double[] k = results.steps(model, "transfusion:" + block, t);
                if (Stats.count(k) > 0 && Stats.count(p) > 0 && Stats.count(r) > 0) {
                    out.add(Findings.judgeTransfusion(model, block, t, k, p, r, cap, "segmentation", "val Dice"));
                }
            }
        }
        RepresentationsRecord repr = read(results.plan());
        if (repr != null) {
            for (String model : results.spec().models()) {
                RepresentationsRecord.Model m = repr.models().get(model);
                if (m == null || m.beforeAfter("pretrained") == null) {
                    continue;
                }
                RepresentationsExperiment.Layers l = encoderLayers(model, m);
                List<List<Double>> values = RepresentationsExperiment.values(m.beforeAfter("pretrained"));
                List<Integer> lower = l.lower();
                List<Integer> higher = l.higher();
                if (!values.isEmpty() && !lower.isEmpty() && !higher.isEmpty()) {
                    double[] d = new double[values.size()];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = l.mean(values.get(i), lower) - l.mean(values.get(i), higher);
                    }
                    Finding f = Findings.judgeLowerChangeLess(model + " encoder", "transfer",
                            RepresentationsExperiment.CLAIM_MEASURE, d, l.names(lower), l.names(higher));
                    out.add(new Finding("segmentation", f.claim(), f.measured(), f.verdict(), f.evidence()));
                }
                Finding reuse = reusesMore(repr, model);
                if (reuse != null) {
                    out.add(reuse);
                }
            }
        }
        return out;
    }

    /**
     * The encoder's layers probed in both the U-Net and its classification runs, usable for CCA in both (enough
     * points per neuron), in the U-Net's order; with each layer's index in either record.
     */
    record SharedLayers(List<String> names, List<Integer> inSegmentation, List<Integer> inClassification) {
        static SharedLayers of(String model, RepresentationsRecord.Model seg, RepresentationsRecord.Model cls) {
            RepresentationsExperiment.Layers s = encoderLayers(model, seg);
            RepresentationsExperiment.Layers c = RepresentationsExperiment.Layers.of(cls);
            List<String> names = new ArrayList<>();
            List<Integer> si = new ArrayList<>();
            List<Integer> ci = new ArrayList<>();
            for (int i = 0; i < s.names().size(); i++) {
                int j = c.names().indexOf(s.names().get(i));
                if (j >= 0 && s.usable(i) && c.usable(j)) {
                    names.add(s.names().get(i));
                    si.add(seg.layers().indexOf(s.names().get(i)));
                    ci.add(j);
                }
            }
            return new SharedLayers(names, si, ci);
        }
    }

    /**
     * Segmentation against classification for {@code model}'s pretrained encoder (when the study compares with a
     * classification task): per seed, the mean before-vs-after SVCCA over the shared encoder layers in the U-Net
     * minus that in the classifier; null without both records.
     */
    private Finding reusesMore(RepresentationsRecord repr, String model) {
        if (spec.compareWith() == null) {
            return null;
        }
        String encoder = encoder(model);
        RepresentationsRecord.Model seg = repr.models().get(model);
        RepresentationsRecord.Model cls = repr.models().get(COMPARE_PREFIX + encoder);
        if (seg == null || cls == null || seg.beforeAfter("pretrained") == null
                || cls.beforeAfter("pretrained") == null) {
            return null;
        }
        SharedLayers shared = SharedLayers.of(model, seg, cls);
        List<List<Double>> s = RepresentationsExperiment.values(seg.beforeAfter("pretrained"));
        List<List<Double>> c = RepresentationsExperiment.values(cls.beforeAfter("pretrained"));
        if (shared.names().isEmpty() || s.isEmpty() || c.isEmpty()) {
            return null;
        }
        // both analyses list the study's seeds in order; a seed missing from either is left out
        double[] d = new double[Math.min(s.size(), c.size())];
        for (int i = 0; i < d.length; i++) {
            d[i] = meanAt(s.get(i), shared.inSegmentation()) - meanAt(c.get(i), shared.inClassification());
        }
        return Findings.judgeSegmentationReusesMore(model, encoder, RepresentationsExperiment.CLAIM_MEASURE, d,
                String.join(", ", shared.names()));
    }

    private static double meanAt(List<Double> values, List<Integer> at) {
        return Stats.mean(at.stream().mapToDouble(i -> RepresentationsRecord.at(values, i)).toArray());
    }

    /**
     * The model's probed layers that belong to its encoder (the decoder is random in every scheme, so the paper's
     * lower-versus-higher claim is about the encoder), with the layers' points and neurons.
     */
    static RepresentationsExperiment.Layers encoderLayers(String model, RepresentationsRecord.Model m) {
        List<String> encoder = ModelRegistry.get(model).encoderCard().probedLayers();
        List<String> names = new ArrayList<>();
        List<Integer> points = new ArrayList<>();
        List<Integer> neurons = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            if (encoder.contains(m.layers().get(i))) {
                names.add(m.layers().get(i));
                points.add(m.points().get(i));
                neurons.add(m.neurons().get(i));
            }
        }
        return RepresentationsExperiment.Layers.of(names, points, neurons);
    }

    /** The claim a scheme's speed-up to the Dice threshold is judged against. */
    static String claim(String scheme) {
        String base = ConvergenceExperiment.claim(scheme);
        if (scheme.startsWith("gabor")) {
            base = "Synthetic Gabor filters in the first layer give a significant convergence speed-up over random "
                    + "init (Section 6).";
        }
        return base.replace("a validation AUC", "a validation Dice") + " [segmentation]";
    }

    @Override
    public void section(ReportPage page) {
        StringBuilder h = page.html();
        Results results = page.results();
        List<String> schemes = spec.allSchemes();
        h.append("<h2>Segmentation: does transfer help when the task is to draw the structure?</h2>");
        h.append("<p class='note'>The paper's open question. Each U-Net's encoder starts from the scheme named; its "
                + "decoder is random in every run. Dice and pixel AUC are over the test images' pixels inside the "
                + "field of view, at the weights of the best validation Dice; convergence is the first validation "
                + "reaching Dice ").append(String.format(Locale.ROOT, "%.2f", spec.threshold()))
                .append(", the threshold the spec declared before training.</p>");
        h.append("<table><tr><th>model</th><th>scheme</th><th>test Dice, mean ± sd [95% t-interval] (n)</th>"
                + "<th>test pixel AUC</th><th>steps to val Dice ").append(String.format(Locale.ROOT, "%.2f",
                        spec.threshold())).append("</th></tr>");
        for (String model : page.spec().models()) {
            for (String scheme : schemes) {
                double[] dice = results.testDices(model, scheme);
                double[] auc = results.testAucs(model, scheme, null);
                double[] ci = Stats.tInterval(dice);
                h.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(Svg.esc(scheme))
                        .append("</td><td>").append(Stats.count(dice) == 0 ? "–" : Findings.pm(dice)
                                + (Double.isNaN(ci[0]) ? "" : String.format(Locale.ROOT,
                                " <span class='muted'>[%.3f, %.3f]</span>", ci[0], ci[1]))
                                + " <span class='muted'>(n=" + Stats.count(dice) + ")</span>")
                        .append("</td><td>").append(Stats.count(auc) == 0 ? "–" : Findings.pm(auc))
                        .append("</td><td>").append(Findings.stepsText(results.steps(model, scheme, spec.threshold())))
                        .append("</td></tr>");
            }
        }
        h.append("</table><p class='muted'>each run's per-image Dice and its bootstrap interval over images are in "
                + "its metrics.json (test.per_image, test.dice_ci95).</p>");
        h.append("<div class='charts'>");
        for (String model : page.spec().models()) {
            h.append(page.curves(model + ": validation Dice by step", model, schemes, false, RunResult::valDiceCurve,
                    "validation Dice", 0));
            h.append(page.stepBars(model + ": steps to validation Dice", model, schemes, List.of(spec.threshold()),
                    false).replace("AUC ", "Dice "));
        }
        h.append("</div>");
        changeCharts(page);
        comparison(page);
        predictions(page);
    }

    /**
     * Where the study compares with a classification task: the encoder's change per shared layer in the U-Net and
     * in the same encoder fine-tuned for classification, random and pretrained, and the classifiers' test AUC.
     */
    private void comparison(ReportPage page) {
        StudySpec.CompareWith with = spec.compareWith();
        RepresentationsRecord repr = read(page.plan());
        if (with == null || repr == null) {
            return;
        }
        StringBuilder h = page.html();
        h.append("<h3>The encoder in segmentation and in classification</h3><p class='note'>Each U-Net's encoder "
                + "was also fine-tuned as a classifier on ").append(Svg.esc(with.data())).append(" (")
                .append(Svg.esc(with.task())).append("), from the same random and pretrained starts on the same "
                + "seeds. 1 - SVCCA before vs after training per encoder layer (each network probed on its own "
                + "task's test images); lower = more of the start kept.</p><div class='charts'>");
        StringBuilder table = new StringBuilder("<table><tr><th>encoder</th><th>scheme</th><th>classification test "
                + "AUC (n)</th></tr>");
        for (String model : page.spec().models()) {
            String encoder = encoder(model);
            RepresentationsRecord.Model seg = repr.models().get(model);
            RepresentationsRecord.Model cls = repr.models().get(COMPARE_PREFIX + encoder);
            if (seg == null || cls == null) {
                continue;
            }
            SharedLayers shared = SharedLayers.of(model, seg, cls);
            List<Svg.Series> series = new ArrayList<>();
            for (String scheme : CHANGE_SCHEMES) {
                // short legend names (the legend box is narrow): seg = the U-Net, cls = the classifier
                series.add(change("seg, " + scheme, seg.beforeAfter(scheme), shared.inSegmentation()));
                series.add(change("cls, " + scheme, cls.beforeAfter(scheme), shared.inClassification()));
            }
            series.removeIf(java.util.Objects::isNull);
            if (!shared.names().isEmpty() && !series.isEmpty()) {
                h.append("<figure>").append(Svg.lines(encoder + ": change per encoder layer, segmentation vs "
                        + "classification", "encoder layer", "1 - svcca", series, shared.names(), 0, 1))
                        .append("<figcaption>mean over seeds; seg = in the U-Net, cls = fine-tuned as a classifier; "
                                + "the layers with enough points per neuron in both</figcaption></figure>");
            }
            for (String scheme : CHANGE_SCHEMES) {
                double[] auc = page.plan().spec().seeds().stream().mapToDouble(seed -> {
                    PlannedRun r = page.plan().comparison(encoder, scheme, seed);
                    RunResult result = r == null ? null : RunResult.load(r);
                    return result == null ? Double.NaN : result.testAuc();
                }).toArray();
                table.append("<tr><td>").append(Svg.esc(encoder)).append("</td><td>").append(Svg.esc(scheme))
                        .append("</td><td>").append(Stats.count(auc) == 0 ? "–" : Findings.pm(auc)
                                + " <span class='muted'>(n=" + Stats.count(auc) + ")</span>").append("</td></tr>");
            }
        }
        h.append("</div>").append(table).append("</table>");
    }

    /** 1 - the claim measure's mean at {@code at}, as a series over those layers; null without the summary. */
    private static Svg.Series change(String name, RepresentationsRecord.Summary summary, List<Integer> at) {
        RepresentationsRecord.Measure m = summary == null ? null
                : summary.measure(RepresentationsExperiment.CLAIM_MEASURE);
        if (m == null || m.mean() == null) {
            return null;
        }
        double[] y = at.stream().mapToDouble(i -> {
            Double v = i < m.mean().size() ? m.mean().get(i) : null;
            return v == null ? Double.NaN : 1 - v;
        }).toArray();
        double[] x = java.util.stream.IntStream.range(0, y.length).asDoubleStream().toArray();
        return new Svg.Series(name, x, y, null);
    }

    /** 1 - SVCCA and 1 - CKA before vs after training per layer, random and pretrained encoders; weight movement. */
    private void changeCharts(ReportPage page) {
        RepresentationsRecord repr = read(page.plan());
        if (repr == null) {
            return;
        }
        StringBuilder h = page.html();
        h.append("<h3>How much each layer changed through training</h3><div class='charts'>");
        for (String model : page.spec().models()) {
            RepresentationsRecord.Model m = repr.models().get(model);
            if (m == null) {
                continue;
            }
            for (String measure : List.of("svcca", "cka_linear")) {
                List<Svg.Series> s = new ArrayList<>();
                for (String scheme : CHANGE_SCHEMES) {
                    RepresentationsRecord.Summary summary = m.beforeAfter(scheme);
                    RepresentationsRecord.Measure node = summary == null ? null : summary.measure(measure);
                    if (node == null) {
                        continue;
                    }
                    double[] y = node.mean().stream().mapToDouble(v -> v == null ? Double.NaN : 1 - v).toArray();
                    double[] x = java.util.stream.IntStream.range(0, y.length).asDoubleStream().toArray();
                    s.add(new Svg.Series(scheme.equals("pretrained") ? "pretrained encoder" : "random init", x, y,
                            null));
                }
                h.append("<figure>").append(Svg.lines(model + ": change per layer, 1 - " + measure
                        + " before vs after", "layer (encoder, then decoder)", "1 - " + measure, s, m.layers(), 0, 1))
                        .append("<figcaption>mean over seeds, on tiles of the test images; 0 = unchanged</figcaption>"
                                + "</figure>");
            }
        }
        h.append("</div>");
        RepresentationsRecord.Model any = repr.models().values().stream().findFirst().orElse(null);
        if (any != null) {
            h.append("<p class='muted'>Lower vs higher layers in the verdict: the encoder's probed layers only (its "
                    + "decoder is random in every scheme).</p>");
        }
    }

    /** The first seed's random and pretrained predictions on the first test image, side by side. */
    private void predictions(ReportPage page) {
        long seed = page.spec().seeds().get(0);
        StringBuilder h = page.html();
        List<String> shown = new ArrayList<>();
        StringBuilder figures = new StringBuilder("<div class='charts'>");
        for (String model : page.spec().models()) {
            for (String scheme : CHANGE_SCHEMES) {
                PlannedRun run = page.plan().run(model, scheme, null, seed);
                if (run == null || !new RunFolder(run.folder()).isComplete()) {
                    continue;
                }
                String sub = "segmentation/" + model + "__" + scheme.replace(':', '-');
                Path dir = page.dir().resolve(sub);
                String stem = RunEvaluation.predictOne(run.folder(), Split.TEST, 0, dir);
                figures.append("<figure><img src='").append(Svg.esc(sub + "/" + stem + "_overlay.png"))
                        .append("' style='width:360px;max-width:100%;image-rendering:pixelated' alt='").append(Svg.esc(model + " " + scheme))
                        .append("'><figcaption>").append(Svg.esc(model + ", " + scheme + ", seed " + seed + ": "
                                + stem)).append("</figcaption></figure>");
                shown.add(scheme);
            }
        }
        if (shown.isEmpty()) {
            return;
        }
        h.append("<h3>Test predictions, random vs pretrained encoder</h3>").append(figures).append("</div>")
                .append("<p class='muted'>inside the field of view at 0.5: yellow = vessel found, red = false "
                        + "positive, blue = missed; the probability maps (16-bit PNG) are beside each overlay.</p>");
    }
}
