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
import org.transfusion.engine.io.Records;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.study.record.RepresentationsRecord;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.probe.LayerSimilarity;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.similarity.Method;
import org.transfusion.study.record.RepresentationsRecord;

/**
 * The representation analyses (the paper's Figure 2 and its before/after analysis): for each model, per-layer
 * similarity of random-init networks of different seeds, of random-init vs transferred networks of the same seed,
 * each network before vs after training, and weight movement. Written to
 * {@code DIR/analysis/representations.json}; deterministic for the same runs, so a resumed study reports the same.
 */
final class RepresentationsExperiment implements Experiment {
    static final List<String> MEASURES = List.of("svcca", "pwcca", "cka_linear", RunComparison.SVCCA_EQUAL_WIDTH,
            RunComparison.CKA_EQUAL_WIDTH, RunComparison.CKA_DEBIASED);
    /** The measure the claims are judged on, as the paper judged them. */
    static final String CLAIM_MEASURE = "svcca";
    /**
     * CCA on fewer points than about ten per neuron is degenerate (with as many neurons as points every direction
     * correlates perfectly): such layers are shown but left out of the verdicts.
     */
    static final int POINTS_PER_NEURON = 10;

    private final StudySpec.Representations spec;

    RepresentationsExperiment(StudySpec.Representations spec) {
        this.spec = spec;
    }

    static Path file(Path studyDir) {
        return new StudyFolder(studyDir).representations();
    }

    private static RepresentationsRecord read(Plan plan) {
        return Files.isRegularFile(file(plan.dir())) ? RepresentationsRecord.read(file(plan.dir())) : null;
    }

    @Override
    public void plan(Plan plan, String model, long seed) {
        plan.add(model, "random", null, seed);
        plan.add(model, "pretrained", null, seed);
    }

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return Optional.of(file(plan.dir()));
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

    /**
     * Also redone when a model's layers in the file are not the ones its card probes now (a file written before
     * issue 30, when a ResNet stage's output was probed a second time under its last block's name), so that no
     * verdict averages over layers the model no longer has.
     */
    @Override
    public boolean needsAnalysis(Plan plan) {
        if (Experiment.super.needsAnalysis(plan)) {
            return true;
        }
        RepresentationsRecord repr = read(plan);
        return repr != null && analysedRuns(plan).stream().allMatch(r -> new RunFolder(r.folder()).isComplete())
                && plan.spec().models().stream().anyMatch(model -> {
                    RepresentationsRecord.Model m = repr.models().get(model);
                    return m != null && m.layers() != null
                            && !m.layers().equals(ModelRegistry.get(model).probedLayers());
                });
    }


    /**
     * The width every layer of {@code models} is compared at for the size claims (issue 30.6): the narrowest probed
     * layer of any of them, so that no layer is compared at more neurons than another has.
     */
    static int commonWidth(List<String> models) {
        return models.stream().flatMap(m -> ModelRegistry.get(m).probedWidths().stream()).filter(w -> w > 0)
                .mapToInt(Integer::intValue).min().orElse(0);
    }

    @Override
    public void analyse(Plan plan, PrintStream out) {
        RunComparison.Request request = new RunComparison.Request(null, plan.dataDir(), Split.TEST, List.of(),
                Method.parse("svcca,pwcca,cka-linear"), spec.maxPoints(), 0, spec.conv(), 0)
                .withEqualWidth(commonWidth(plan.spec().models()));
        Map<String, RepresentationsRecord.Model> all = new LinkedHashMap<>();
        List<Long> seeds = plan.spec().seeds();
        for (String model : plan.spec().models()) {
            out.println("analysis: representations of " + model);
            List<List<LayerSimilarity>> randomRandom = new ArrayList<>();
            List<List<LayerSimilarity>> randomPretrained = new ArrayList<>();
            for (int i = 0; i < seeds.size(); i++) {
                Path random = plan.run(model, "random", null, seeds.get(i)).folder();
                if (i + 1 < seeds.size()) {
                    Path other = plan.run(model, "random", null, seeds.get(i + 1)).folder();
                    randomRandom.add(RunComparison.between(random, other, request).layers());
                }
                Path pretrained = plan.run(model, "pretrained", null, seeds.get(i)).folder();
                randomPretrained.add(RunComparison.between(random, pretrained, request).layers());
            }
            List<LayerSimilarity> first = randomPretrained.get(0);
            Map<String, RepresentationsRecord.Summary> beforeAfter = new LinkedHashMap<>();
            Map<String, Map<String, Double>> movement = new LinkedHashMap<>();
            for (String scheme : List.of("random", "pretrained")) {
                List<List<LayerSimilarity>> perSeed = new ArrayList<>();
                Map<String, List<Double>> moved = new LinkedHashMap<>();
                for (long seed : seeds) {
                    out.println("analysis: " + model + " " + scheme + " seed " + seed + " before vs after training");
                    RunComparison.Result r = RunComparison.beforeAfter(
                            plan.run(model, scheme, null, seed).folder(), request);
                    perSeed.add(r.layers());
                    r.movement().forEach((k, v) -> moved.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                }
                beforeAfter.put(scheme, summary(perSeed));
                Map<String, Double> meanMoved = new LinkedHashMap<>();
                moved.forEach((k, v) -> meanMoved.put(k, Stats.mean(v.stream().mapToDouble(Double::doubleValue)
                        .toArray())));
                movement.put(scheme, meanMoved);
            }
            all.put(model, new RepresentationsRecord.Model(first.stream().map(LayerSimilarity::layerA).toList(),
                    first.stream().map(LayerSimilarity::points).toList(),
                    first.stream().map(l -> Math.max(l.neuronsA(), l.neuronsB())).toList(), summary(randomRandom),
                    summary(randomPretrained), beforeAfter, movement));
        }
        new RepresentationsRecord(RepresentationsRecord.FORMAT, all).write(file(plan.dir()));
    }

    @Override
    public List<Finding> findings(Results results) {
        RepresentationsRecord repr = read(results.plan());
        List<Finding> out = new ArrayList<>();
        if (repr == null) {
            return out;
        }
        List<String> models = results.spec().models();
        out.addAll(Findings.figure2(models, results.spec().seeds().size(), model -> {
            RepresentationsRecord.Model m = repr.models().get(model);
            if (m == null) {
                return null;
            }
            Layers l = Layers.of(m);
            List<Integer> top = l.top();
            return new Findings.Figure2("mean " + CLAIM_MEASURE.toUpperCase(Locale.ROOT) + " over " + l.names(top)
                    + l.dropped(top), l.mean(measure(m.randomVsRandom()).mean(), top),
                    l.mean(measure(m.randomVsPretrained()).mean(), top));
        }));
        for (String model : models) {
            RepresentationsRecord.Model m = repr.models().get(model);
            if (m == null) {
                continue;
            }
            Layers l = Layers.of(m);
            List<List<Double>> values = values(m.beforeAfter("pretrained"));
            List<Integer> lower = l.lower();
            List<Integer> higher = l.higher();
            if (values.size() > 0 && !lower.isEmpty() && !higher.isEmpty()) {
                double[] d = new double[values.size()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = l.mean(values.get(i), lower) - l.mean(values.get(i), higher);
                }
                out.add(Findings.judgeLowerChangeLess(model, "transfer", CLAIM_MEASURE, d, l.names(lower),
                        l.names(higher)));
            }
        }
        // The size half at equal width (issue 30.6): raw SVCCA favours wide layers; an analysis from before the
        // correction has none, and is judged on raw SVCCA with the text saying so.
        int width = commonWidth(models);
        boolean corrected = models.stream().map(repr.models()::get).anyMatch(m -> m != null
                && m.beforeAfter("random") != null
                && m.beforeAfter("random").measure(RunComparison.SVCCA_EQUAL_WIDTH) != null);
        String sizeMeasure = corrected ? CLAIM_MEASURE + " at equal width (" + width + " neurons, "
                + org.transfusion.similarity.EqualWidth.DEFAULT_REPEATS + " random subsets per layer)"
                : CLAIM_MEASURE + " (not width-corrected: an analysis from before the correction)";
        out.addAll(Findings.largeChangeLess(models, sizeMeasure, model -> {
            RepresentationsRecord.Model m = repr.models().get(model);
            if (m == null) {
                return new double[0];
            }
            RepresentationsRecord.Summary random = m.beforeAfter("random");
            RepresentationsRecord.Measure eq = random == null ? null
                    : random.measure(RunComparison.SVCCA_EQUAL_WIDTH);
            List<List<Double>> values = corrected && eq != null && eq.values() != null ? eq.values()
                    : values(random);
            // at equal width a layer's neurons are at most the common width (for the points-per-neuron rule)
            Layers l = corrected ? Layers.of(m.layers(), m.points(), m.neurons().stream()
                    .map(n -> n == null ? null : Math.min(n, width)).toList()) : Layers.of(m);
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = l.mean(values.get(i), l.usable(l.convs()));
            }
            return v;
        }));
        return out;
    }

    /**
     * A model's probed layers as the verdicts group them: the conv layers (the last entry is left out when it is
     * the pooled output), their lower and higher halves, the top ones (the last third, at least two), and which
     * are usable for CCA ({@value #POINTS_PER_NEURON} points per neuron or more).
     */
    record Layers(List<String> names, int[] points, int[] neurons) {
        static Layers of(RepresentationsRecord.Model m) {
            return of(m.layers(), m.points(), m.neurons());
        }

        /** A missing point count counts as plenty, a missing neuron count as none (the layer stays usable). */
        static Layers of(List<String> layers, List<Integer> points, List<Integer> neurons) {
            List<String> names = layers == null ? List.of() : layers;
            int[] p = new int[names.size()];
            int[] n = new int[names.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = points != null && i < points.size() && points.get(i) != null ? points.get(i) : Integer.MAX_VALUE;
                n[i] = neurons != null && i < neurons.size() && neurons.get(i) != null ? neurons.get(i) : 0;
            }
            return new Layers(names, p, n);
        }

        List<Integer> convs() {
            int n = lastConv(names) + 1;
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(i);
            }
            return out;
        }

        List<Integer> top() {
            List<Integer> c = convs();
            int k = Math.min(c.size(), Math.max(2, (c.size() + 2) / 3));
            return c.subList(c.size() - k, c.size());
        }

        List<Integer> lower() {
            List<Integer> c = usable(convs());
            return c.subList(0, c.size() / 2);
        }

        List<Integer> higher() {
            List<Integer> c = usable(convs());
            return c.subList(c.size() / 2, c.size());
        }

        boolean usable(int i) {
            return (long) points[i] >= (long) POINTS_PER_NEURON * neurons[i];
        }

        List<Integer> usable(List<Integer> layers) {
            return layers.stream().filter(this::usable).toList();
        }

        /** The mean of {@code values} over the usable ones of {@code layers}; NaN when none is usable. */
        double mean(List<Double> values, List<Integer> layers) {
            double[] v = usable(layers).stream().mapToDouble(i -> RepresentationsRecord.at(values, i)).toArray();
            return v.length == 0 ? Double.NaN : Stats.mean(v);
        }

        String names(List<Integer> layers) {
            return String.join(", ", usable(layers).stream().map(names::get).toList());
        }

        /** " (conv4 left out: 900 points for 128 neurons)" for the layers too few points make degenerate. */
        String dropped(List<Integer> layers) {
            List<String> d = layers.stream().filter(i -> !usable(i)).map(i -> String.format(Locale.ROOT,
                    "%s left out: %d points for %d neurons", names.get(i), points[i], neurons[i])).toList();
            return d.isEmpty() ? "" : " (" + String.join("; ", d) + ")";
        }
    }

    private static int lastConv(List<String> layers) {
        int top = layers.size() - 1;
        if (top > 0 && layers.get(top).equals("pool")) {
            top--;
        }
        return Math.max(top, 0);
    }

    @Override
    public void section(ReportPage page) {
        RepresentationsRecord repr = read(page.plan());
        if (repr == null) {
            return;
        }
        StringBuilder html = page.html();
        html.append("<h2>Representations: per-layer similarity (Figure 2) and change through training</h2>");
        for (String model : page.spec().models()) {
            RepresentationsRecord.Model m = repr.models().get(model);
            if (m == null) {
                continue;
            }
            Layers grouped = Layers.of(m);
            List<String> layers = grouped.names();
            List<String> sizes = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                sizes.add(String.format(Locale.ROOT, "%s %d points x %d neurons%s", layers.get(i),
                        grouped.points()[i], grouped.neurons()[i], grouped.usable(i) ? "" : " (left out)"));
            }
            html.append("<p class='muted'>").append(Svg.esc(model)).append(": ")
                    .append(Svg.esc(String.join("; ", sizes))).append(". Verdicts use mean ")
                    .append(CLAIM_MEASURE.toUpperCase(Locale.ROOT)).append(" over the top layers (")
                    .append(Svg.esc(grouped.names(grouped.top()))).append("); its lower layers (")
                    .append(Svg.esc(grouped.names(grouped.lower()))).append(") are compared with its higher layers (")
                    .append(Svg.esc(grouped.names(grouped.higher()))).append("); layers with fewer than ")
                    .append(POINTS_PER_NEURON).append(" points per neuron are shown but left out.</p>");
            html.append("<div class='charts'>");
            for (String measure : MEASURES) {
                List<Svg.Series> s = new ArrayList<>();
                s.add(series("random vs random", measure(m.randomVsRandom(), measure)));
                s.add(series("random vs transfer", measure(m.randomVsPretrained(), measure)));
                html.append("<figure>").append(Svg.lines(model + ": " + measure + " between networks", "layer", measure,
                        s, layers, 0, 1)).append("<figcaption>mean ± sd over seed pairs</figcaption></figure>");
            }
            List<Svg.Series> ba = new ArrayList<>();
            ba.add(series("random init", measure(m.beforeAfter("random"))));
            ba.add(series("transfer", measure(m.beforeAfter("pretrained"))));
            RepresentationsRecord.Summary transfer = m.beforeAfter("pretrained");
            int seeds = transfer == null || transfer.comparisons() == null ? 0 : transfer.comparisons();
            html.append("<figure>").append(Svg.lines(model + ": " + CLAIM_MEASURE + " before vs after training, per "
                    + "layer", "layer (lower to higher)", CLAIM_MEASURE, ba, layers, 0, 1)).append("<figcaption>mean ± "
                    + "sd over ").append(seeds).append(" seeds; 1 = the layer did not change</figcaption></figure>");
            List<Svg.Series> mv = new ArrayList<>();
            List<String> keys = new ArrayList<>(m.movement("random").keySet());
            for (String scheme : List.of("random", "pretrained")) {
                Map<String, Double> node = m.movement(scheme);
                double[] y = keys.stream().mapToDouble(k -> Records.orNaN(node.get(k))).toArray();
                mv.add(new Svg.Series(scheme.equals("pretrained") ? "transfer" : "random init", null, y, null));
            }
            double max = mv.stream().flatMapToDouble(x -> Arrays.stream(x.y())).filter(d -> !Double.isNaN(d))
                    .max().orElse(1);
            html.append("<figure>").append(Svg.bars(model + ": weight movement ||w - w0|| / ||w0||", "relative change",
                    keys, mv, 0, max * 1.15)).append("</figure></div>");
        }
        changeTable(page, repr);
        writeCsv(page, repr);
    }

    /**
     * The paper's summary of how much representations change: per model and init, 1 - before-vs-after similarity
     * averaged over the lower and the higher half of the usable layers (mean ± sd over seeds), and the mean relative
     * weight movement. Models ordered as the study lists them; the size family is named.
     */
    private static void changeTable(ReportPage page, RepresentationsRecord repr) {
        StringBuilder h = page.html();
        h.append("<h3>How much representations change through training</h3><table><tr><th>model</th><th>size</th>"
                + "<th>init</th><th>change, lower layers</th><th>change, higher layers</th><th>weight movement</th>"
                + "</tr>");
        for (String model : page.spec().models()) {
            RepresentationsRecord.Model m = repr.models().get(model);
            if (m == null) {
                continue;
            }
            Layers l = Layers.of(m);
            String size = Findings.sizeClass(model).label();
            for (String scheme : List.of("random", "pretrained")) {
                List<List<Double>> values = values(m.beforeAfter(scheme));
                double[] low = new double[values.size()];
                double[] high = new double[values.size()];
                for (int i = 0; i < low.length; i++) {
                    low[i] = 1 - l.mean(values.get(i), l.lower());
                    high[i] = 1 - l.mean(values.get(i), l.higher());
                }
                double[] moved = m.movement(scheme).values().stream().mapToDouble(Records::orNaN).toArray();
                h.append("<tr><td>").append(Svg.esc(model)).append("</td><td>").append(size).append("</td><td>")
                        .append(scheme.equals("pretrained") ? "transfer" : "random").append("</td><td>")
                        .append(Findings.pm(low)).append(" <small>(").append(Svg.esc(l.names(l.lower())))
                        .append(")</small></td><td>").append(Findings.pm(high)).append(" <small>(")
                        .append(Svg.esc(l.names(l.higher()))).append(")</small></td><td>")
                        .append(String.format(Locale.ROOT, "%.3f", Stats.mean(moved))).append("</td></tr>");
            }
        }
        h.append("</table><p class='note'>change = 1 - ").append(CLAIM_MEASURE.toUpperCase(Locale.ROOT))
                .append(" between a layer's representation at initialisation and after training (mean ± sd over "
                        + "seeds); weight movement = mean over layers of ||w - w0|| / ||w0||. Layers with fewer than ")
                .append(POINTS_PER_NEURON).append(" points per neuron are left out (CCA is degenerate there).</p>");
    }

    private static void writeCsv(ReportPage page, RepresentationsRecord repr) {
        StringBuilder r = new StringBuilder("model,comparison,measure,layer,mean,sd\n");
        repr.models().forEach((model, m) -> {
            List<String> layers = m.layers() == null ? List.of() : m.layers();
            Map<String, RepresentationsRecord.Summary> between = new LinkedHashMap<>();
            between.put("random_vs_random", m.randomVsRandom());
            between.put("random_vs_pretrained", m.randomVsPretrained());
            for (String scheme : List.of("random", "pretrained")) {
                between.put("before_after_" + scheme, m.beforeAfter(scheme));
            }
            between.forEach((cmp, summary) -> {
                for (String measure : MEASURES) {
                    RepresentationsRecord.Measure node = measure(summary, measure);
                    for (int i = 0; i < layers.size(); i++) {
                        r.append(model).append(',').append(cmp).append(',').append(measure).append(',')
                                .append(layers.get(i)).append(',')
                                .append(ReportPage.f6(RepresentationsRecord.at(node.mean(), i))).append(',')
                                .append(ReportPage.f6(RepresentationsRecord.at(node.sd(), i))).append('\n');
                    }
                }
            });
            if (m.weightMovement() != null) {
                m.weightMovement().forEach((scheme, moved) -> moved.forEach((k, v) -> r.append(model)
                        .append(",weight_movement_").append(scheme).append(",relative_norm,").append(k).append(',')
                        .append(ReportPage.f6(Records.orNaN(v))).append(",\n")));
            }
        });
        page.writeFile("representations.csv", r.toString());
    }

    private static final RepresentationsRecord.Measure NONE = new RepresentationsRecord.Measure(null, null, null);

    /** The claim measure of {@code summary} (an empty one where not recorded). */
    private static RepresentationsRecord.Measure measure(RepresentationsRecord.Summary summary) {
        return measure(summary, CLAIM_MEASURE);
    }

    private static RepresentationsRecord.Measure measure(RepresentationsRecord.Summary summary, String name) {
        RepresentationsRecord.Measure m = summary == null ? null : summary.measure(name);
        return m == null ? NONE : m;
    }

    /**
     * The runs {@code runOf} names (per scheme of {@code schemes} and seed; null: none) before vs after
     * training, per scheme: the summary over seeds and the mean weight movement; null without runs.
     */
    static RepresentationsRecord.Model beforeAfter(Plan plan, String label, List<String> schemes,
                                                   java.util.function.BiFunction<String, Long, PlannedRun> runOf,
                                                   RunComparison.Request request, PrintStream out) {
        Map<String, RepresentationsRecord.Summary> beforeAfter = new LinkedHashMap<>();
        Map<String, Map<String, Double>> movement = new LinkedHashMap<>();
        List<LayerSimilarity> first = null;
        for (String scheme : schemes) {
            List<List<LayerSimilarity>> perSeed = new ArrayList<>();
            Map<String, List<Double>> moved = new LinkedHashMap<>();
            for (long seed : plan.spec().seeds()) {
                PlannedRun run = runOf.apply(scheme, seed);
                if (run == null) {
                    continue;
                }
                out.println("analysis: " + label + " " + scheme + " seed " + seed + " before vs after training");
                RunComparison.Result r = RunComparison.beforeAfter(run.folder(), request);
                perSeed.add(r.layers());
                if (first == null) {
                    first = r.layers();
                }
                r.movement().forEach((k, v) -> moved.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
            if (perSeed.isEmpty()) {
                continue;
            }
            beforeAfter.put(scheme, RepresentationsExperiment.summary(perSeed));
            Map<String, Double> mean = new LinkedHashMap<>();
            moved.forEach((k, v) -> mean.put(k, Stats.mean(v.stream().mapToDouble(Double::doubleValue).toArray())));
            movement.put(scheme, mean);
        }
        if (first == null) {
            return null;
        }
        return new RepresentationsRecord.Model(first.stream().map(LayerSimilarity::layerA).toList(),
                first.stream().map(LayerSimilarity::points).toList(),
                first.stream().map(l -> Math.max(l.neuronsA(), l.neuronsB())).toList(), null, null, beforeAfter,
                movement);
    }

    /** Per comparison, the claim measure's per-layer values (empty where not recorded). */
    static List<List<Double>> values(RepresentationsRecord.Summary summary) {
        List<List<Double>> v = measure(summary).values();
        return v == null ? List.of() : v;
    }

    private static Svg.Series series(String name, RepresentationsRecord.Measure node) {
        int n = node.mean() == null ? 0 : node.mean().size();
        double[] x = new double[n];
        double[] y = new double[n];
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = RepresentationsRecord.at(node.mean(), i);
            double sd = RepresentationsRecord.at(node.sd(), i);
            e[i] = Double.isNaN(sd) ? 0 : sd; // an undefined sd draws no bar
        }
        return new Svg.Series(name, x, y, e);
    }

    /**
     * Per measure: per-layer mean and standard deviation over the comparisons (sd 0 for one), and each comparison's
     * per-layer values ({@code values}, one list per comparison, e.g. per seed).
     */
    static RepresentationsRecord.Summary summary(List<List<LayerSimilarity>> comparisons) {
        if (comparisons.isEmpty()) {
            return new RepresentationsRecord.Summary(0, null, null, null);
        }
        int layers = comparisons.get(0).size();
        Map<String, RepresentationsRecord.Measure> out = new LinkedHashMap<>();
        for (String measure : MEASURES) {
            List<Double> means = new ArrayList<>();
            List<Double> sds = new ArrayList<>();
            List<List<Double>> values = new ArrayList<>();
            comparisons.forEach(c -> values.add(new ArrayList<>()));
            for (int l = 0; l < layers; l++) {
                double[] v = new double[comparisons.size()];
                for (int c = 0; c < v.length; c++) {
                    v[c] = comparisons.get(c).get(l).values().getOrDefault(measure, Double.NaN);
                    values.get(c).add(v[c]);
                }
                means.add(Stats.mean(v));
                sds.add(Stats.sd(v));
            }
            // the width-corrected measures only where the analysis measured them (before vs after, equal width)
            if (means.stream().anyMatch(v -> !Double.isNaN(v)) || List.of("svcca", "pwcca", "cka_linear")
                    .contains(measure)) {
                out.put(measure, new RepresentationsRecord.Measure(means, sds, values));
            }
        }
        return new RepresentationsRecord.Summary(comparisons.size(), out.get("svcca"), out.get("pwcca"),
                out.get("cka_linear"), out.get(RunComparison.SVCCA_EQUAL_WIDTH), out.get(RunComparison.CKA_EQUAL_WIDTH),
                out.get(RunComparison.CKA_DEBIASED));
    }
}
