package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.transfusion.engine.io.Json;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.probe.LayerSimilarity;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.similarity.Method;

/**
 * The representation analyses (the paper's Figure 2 and its before/after analysis): for each model, per-layer
 * similarity of random-init networks of different seeds, of random-init vs transferred networks of the same seed,
 * each network before vs after training, and weight movement. Written to
 * {@code DIR/analysis/representations.json}; deterministic for the same runs, so a resumed study reports the same.
 */
final class RepresentationsExperiment implements Experiment {
    static final List<String> MEASURES = List.of("svcca", "pwcca", "cka_linear");
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
        return studyDir.resolve("analysis").resolve("representations.json");
    }

    private static JsonNode read(Plan plan) {
        return Files.isRegularFile(file(plan.dir())) ? Json.read(file(plan.dir())) : null;
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
     * Also redone when a model's layers in the file are not the ones its card probes now (a file written before
     * issue 30, when a ResNet stage's output was probed a second time under its last block's name), so that no
     * verdict averages over layers the model no longer has.
     */
    @Override
    public boolean needsAnalysis(Plan plan) {
        if (Experiment.super.needsAnalysis(plan)) {
            return true;
        }
        JsonNode repr = read(plan);
        return repr != null && analysedRuns(plan).stream().allMatch(r -> new RunFolder(r.folder()).isComplete())
                && plan.spec().models().stream().anyMatch(model -> {
                    JsonNode layers = repr.path(model).path("layers");
                    List<String> names = new ArrayList<>();
                    layers.forEach(n -> names.add(n.asText()));
                    return !layers.isMissingNode() && !names.equals(ModelRegistry.get(model).probedLayers());
                });
    }


    @Override
    public void analyse(Plan plan, PrintStream out) {
        RunComparison.Request request = new RunComparison.Request(null, plan.dataDir(), Split.TEST, List.of(),
                Method.parse("svcca,pwcca,cka-linear"), spec.maxPoints(), 0, ActivationProbe.Fold.parse(spec.conv()), 0);
        Map<String, Object> all = new LinkedHashMap<>();
        List<Long> seeds = plan.spec().seeds();
        for (String model : plan.spec().models()) {
            out.println("analysis: representations of " + model);
            Map<String, Object> m = new LinkedHashMap<>();
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
            m.put("layers", first.stream().map(LayerSimilarity::layerA).toList());
            m.put("points", first.stream().map(LayerSimilarity::points).toList());
            m.put("neurons", first.stream().map(l -> Math.max(l.neuronsA(), l.neuronsB())).toList());
            m.put("random_vs_random", summary(randomRandom));
            m.put("random_vs_pretrained", summary(randomPretrained));
            Map<String, Object> beforeAfter = new LinkedHashMap<>();
            Map<String, Object> movement = new LinkedHashMap<>();
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
            m.put("before_after", beforeAfter);
            m.put("weight_movement", movement);
            all.put(model, m);
        }
        Path file = file(plan.dir());
        Json.write(file, all);
    }

    @Override
    public List<Finding> findings(Results results) {
        JsonNode repr = read(results.plan());
        List<Finding> out = new ArrayList<>();
        if (repr == null) {
            return out;
        }
        List<String> models = results.spec().models();
        out.addAll(Findings.figure2(models, results.spec().seeds().size(), model -> {
            JsonNode m = repr.path(model);
            if (m.isMissingNode()) {
                return null;
            }
            Layers l = Layers.of(m);
            List<Integer> top = l.top();
            return new Findings.Figure2("mean " + CLAIM_MEASURE.toUpperCase(Locale.ROOT) + " over " + l.names(top)
                    + l.dropped(top), l.mean(m.path("random_vs_random").path(CLAIM_MEASURE).path("mean"), top),
                    l.mean(m.path("random_vs_pretrained").path(CLAIM_MEASURE).path("mean"), top));
        }));
        for (String model : models) {
            JsonNode m = repr.path(model);
            if (m.isMissingNode()) {
                continue;
            }
            Layers l = Layers.of(m);
            JsonNode values = m.path("before_after").path("pretrained").path(CLAIM_MEASURE).path("values");
            List<Integer> lower = l.lower();
            List<Integer> higher = l.higher();
            if (values.size() > 0 && !lower.isEmpty() && !higher.isEmpty()) {
                double[] d = new double[values.size()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = l.mean(values.path(i), lower) - l.mean(values.path(i), higher);
                }
                out.add(Findings.judgeLowerChangeLess(model, "transfer", CLAIM_MEASURE, d, l.names(lower),
                        l.names(higher)));
            }
        }
        out.addAll(Findings.largeChangeLess(models, CLAIM_MEASURE, model -> {
            JsonNode m = repr.path(model);
            JsonNode values = m.path("before_after").path("random").path(CLAIM_MEASURE).path("values");
            Layers l = Layers.of(m);
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = l.mean(values.path(i), l.usable(l.convs()));
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
        static Layers of(JsonNode m) {
            List<String> names = new ArrayList<>();
            m.path("layers").forEach(n -> names.add(n.asText()));
            int[] points = new int[names.size()];
            int[] neurons = new int[names.size()];
            for (int i = 0; i < points.length; i++) {
                points[i] = m.path("points").path(i).asInt(Integer.MAX_VALUE);
                neurons[i] = m.path("neurons").path(i).asInt(0);
            }
            return new Layers(names, points, neurons);
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
        double mean(JsonNode values, List<Integer> layers) {
            double[] v = usable(layers).stream().mapToDouble(i -> values.path(i).asDouble(Double.NaN)).toArray();
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
        JsonNode repr = read(page.plan());
        if (repr == null) {
            return;
        }
        StringBuilder html = page.html();
        html.append("<h2>Representations: per-layer similarity (Figure 2) and change through training</h2>");
        for (String model : page.spec().models()) {
            JsonNode m = repr.path(model);
            if (m.isMissingNode()) {
                continue;
            }
            List<String> layers = new ArrayList<>();
            m.path("layers").forEach(l -> layers.add(l.asText()));
            Layers grouped = Layers.of(m);
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
                s.add(series("random vs random", m.path("random_vs_random").path(measure)));
                s.add(series("random vs transfer", m.path("random_vs_pretrained").path(measure)));
                html.append("<figure>").append(Svg.lines(model + ": " + measure + " between networks", "layer", measure,
                        s, layers, 0, 1)).append("<figcaption>mean ± sd over seed pairs</figcaption></figure>");
            }
            List<Svg.Series> ba = new ArrayList<>();
            ba.add(series("random init", m.path("before_after").path("random").path(CLAIM_MEASURE)));
            ba.add(series("transfer", m.path("before_after").path("pretrained").path(CLAIM_MEASURE)));
            int seeds = m.path("before_after").path("pretrained").path("comparisons").asInt();
            html.append("<figure>").append(Svg.lines(model + ": " + CLAIM_MEASURE + " before vs after training, per "
                    + "layer", "layer (lower to higher)", CLAIM_MEASURE, ba, layers, 0, 1)).append("<figcaption>mean ± "
                    + "sd over ").append(seeds).append(" seeds; 1 = the layer did not change</figcaption></figure>");
            List<Svg.Series> mv = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            m.path("weight_movement").path("random").fieldNames().forEachRemaining(keys::add);
            for (String scheme : List.of("random", "pretrained")) {
                JsonNode node = m.path("weight_movement").path(scheme);
                double[] y = keys.stream().mapToDouble(k -> node.path(k).asDouble(Double.NaN)).toArray();
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
    private static void changeTable(ReportPage page, JsonNode repr) {
        StringBuilder h = page.html();
        h.append("<h3>How much representations change through training</h3><table><tr><th>model</th><th>size</th>"
                + "<th>init</th><th>change, lower layers</th><th>change, higher layers</th><th>weight movement</th>"
                + "</tr>");
        for (String model : page.spec().models()) {
            JsonNode m = repr.path(model);
            if (m.isMissingNode()) {
                continue;
            }
            Layers l = Layers.of(m);
            String size = Findings.sizeClass(model).label();
            for (String scheme : List.of("random", "pretrained")) {
                JsonNode values = m.path("before_after").path(scheme).path(CLAIM_MEASURE).path("values");
                double[] low = new double[values.size()];
                double[] high = new double[values.size()];
                for (int i = 0; i < low.length; i++) {
                    low[i] = 1 - l.mean(values.path(i), l.lower());
                    high[i] = 1 - l.mean(values.path(i), l.higher());
                }
                List<Double> mvs = new ArrayList<>();
                m.path("weight_movement").path(scheme).forEach(x -> mvs.add(x.asDouble(Double.NaN)));
                double[] moved = mvs.stream().mapToDouble(Double::doubleValue).toArray();
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

    private static void writeCsv(ReportPage page, JsonNode repr) {
        StringBuilder r = new StringBuilder("model,comparison,measure,layer,mean,sd\n");
        repr.fields().forEachRemaining(m -> {
            JsonNode layers = m.getValue().path("layers");
            for (String cmp : List.of("random_vs_random", "random_vs_pretrained")) {
                for (String measure : MEASURES) {
                    JsonNode node = m.getValue().path(cmp).path(measure);
                    for (int i = 0; i < layers.size(); i++) {
                        r.append(m.getKey()).append(',').append(cmp).append(',').append(measure).append(',')
                                .append(layers.path(i).asText()).append(',')
                                .append(ReportPage.f6(node.path("mean").path(i).asDouble(Double.NaN))).append(',')
                                .append(ReportPage.f6(node.path("sd").path(i).asDouble(Double.NaN))).append('\n');
                    }
                }
            }
            for (String scheme : List.of("random", "pretrained")) {
                for (String measure : MEASURES) {
                    JsonNode node = m.getValue().path("before_after").path(scheme).path(measure);
                    for (int i = 0; i < layers.size(); i++) {
                        r.append(m.getKey()).append(",before_after_").append(scheme).append(',').append(measure)
                                .append(',').append(layers.path(i).asText()).append(',')
                                .append(ReportPage.f6(node.path("mean").path(i).asDouble(Double.NaN))).append(',')
                                .append(ReportPage.f6(node.path("sd").path(i).asDouble(Double.NaN))).append('\n');
                    }
                }
            }
            m.getValue().path("weight_movement").fields().forEachRemaining(s -> s.getValue().fields()
                    .forEachRemaining(k -> r.append(m.getKey()).append(",weight_movement_").append(s.getKey())
                            .append(",relative_norm,").append(k.getKey()).append(',')
                            .append(ReportPage.f6(k.getValue().asDouble(Double.NaN))).append(",\n")));
        });
        page.writeFile("representations.csv", r.toString());
    }

    private static Svg.Series series(String name, JsonNode node) {
        int n = node.path("mean").size();
        double[] x = new double[n];
        double[] y = new double[n];
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = node.path("mean").path(i).asDouble(Double.NaN);
            e[i] = node.path("sd").path(i).asDouble(0);
        }
        return new Svg.Series(name, x, y, e);
    }

    /**
     * Per measure: per-layer mean and standard deviation over the comparisons (sd 0 for one), and each comparison's
     * per-layer values ({@code values}, one list per comparison, e.g. per seed).
     */
    static Map<String, Object> summary(List<List<LayerSimilarity>> comparisons) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("comparisons", comparisons.size());
        if (comparisons.isEmpty()) {
            return out;
        }
        int layers = comparisons.get(0).size();
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
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("mean", means);
            one.put("sd", sds);
            one.put("values", values);
            out.put(measure, one);
        }
        return out;
    }
}
