package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.io.Json;
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
    static final List<String> MEASURES = List.of("pwcca", "cka_linear");

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
    public boolean needsAnalysis(Plan plan) {
        return !Files.isRegularFile(file(plan.dir()))
                && plan.runs().stream().allMatch(r -> new RunFolder(r.folder()).isComplete());
    }

    @Override
    public void analyse(Plan plan, PrintStream out) {
        RunComparison.Request request = new RunComparison.Request(null, null, Split.TEST, List.of(),
                Method.parse("pwcca,cka-linear"), spec.maxPoints(), 0, ActivationProbe.Fold.parse(spec.conv()), 0);
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
            m.put("random_vs_random", summary(randomRandom));
            m.put("random_vs_pretrained", summary(randomPretrained));
            Map<String, Object> beforeAfter = new LinkedHashMap<>();
            Map<String, Object> movement = new LinkedHashMap<>();
            for (String scheme : List.of("random", "pretrained")) {
                RunComparison.Result r = RunComparison.beforeAfter(
                        plan.run(model, scheme, null, seeds.get(0)).folder(), request);
                beforeAfter.put(scheme, summary(List.of(r.layers())));
                movement.put(scheme, r.movement());
            }
            m.put("before_after", beforeAfter);
            m.put("weight_movement", movement);
            all.put(model, m);
        }
        Path file = file(plan.dir());
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Json.write(file, all);
    }

    @Override
    public List<Finding> findings(Results results) {
        JsonNode repr = read(results.plan());
        List<Finding> out = new ArrayList<>();
        if (repr == null) {
            return out;
        }
        for (String model : results.spec().models()) {
            JsonNode m = repr.path(model);
            if (m.isMissingNode()) {
                continue;
            }
            JsonNode layers = m.path("layers");
            int top = lastConv(layers);
            double rr = m.path("random_vs_random").path("pwcca").path("mean").path(top).asDouble(Double.NaN);
            double rp = m.path("random_vs_pretrained").path("pwcca").path("mean").path(top).asDouble(Double.NaN);
            // Figure 2's claim has two halves, one per model family; other models are outside both.
            if (!Double.isNaN(rr) && !Double.isNaN(rp) && Findings.isSmall(model)) {
                out.add(Findings.judgeTopLayerSimilarity(model, layers.path(top).asText(), rr, rp));
            } else if (!Double.isNaN(rr) && !Double.isNaN(rp) && Findings.isLarge(model)) {
                out.add(Findings.judgeLargeTopLayerSimilarity(model, layers.path(top).asText(), rr, rp));
            }
            JsonNode ba = m.path("before_after").path("pretrained").path("pwcca").path("mean");
            if (ba.size() >= 2) {
                out.add(Findings.judgeBeforeAfter(model, layers.path(0).asText(), ba.path(0).asDouble(Double.NaN),
                        layers.path(top).asText(), ba.path(top).asDouble(Double.NaN)));
            }
        }
        List<String> models = results.spec().models();
        if (models.stream().noneMatch(m -> Findings.isSmall(m) || Findings.isLarge(m))) {
            out.add(0, Findings.outOfScope("representations", Findings.LARGE_DIFFER, "a CBR or ResNet50 / "
                    + "Inception-v3", models));
        }
        return out;
    }

    private static int lastConv(JsonNode layers) {
        int top = layers.size() - 1;
        if (top > 0 && layers.path(top).asText().equals("pool")) {
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
            html.append("<div class='charts'>");
            for (String measure : MEASURES) {
                List<Svg.Series> s = new ArrayList<>();
                s.add(series("random vs random", m.path("random_vs_random").path(measure)));
                s.add(series("random vs transfer", m.path("random_vs_pretrained").path(measure)));
                html.append("<figure>").append(Svg.lines(model + ": " + measure + " between networks", "layer", measure,
                        s, layers, 0, 1)).append("<figcaption>mean ± sd over seed pairs</figcaption></figure>");
            }
            List<Svg.Series> ba = new ArrayList<>();
            ba.add(series("random init", m.path("before_after").path("random").path("pwcca")));
            ba.add(series("transfer", m.path("before_after").path("pretrained").path("pwcca")));
            html.append("<figure>").append(Svg.lines(model + ": PWCCA before vs after training", "layer", "pwcca", ba,
                    layers, 0, 1)).append("<figcaption>1 = the layer did not change</figcaption></figure>");
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
        writeCsv(page, repr);
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

    /** Per measure: per-layer mean and standard deviation over the comparisons (sd 0 for one). */
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
            for (int l = 0; l < layers; l++) {
                double[] v = new double[comparisons.size()];
                for (int c = 0; c < v.length; c++) {
                    v[c] = comparisons.get(c).get(l).values().getOrDefault(measure, Double.NaN);
                }
                means.add(Stats.mean(v));
                sds.add(Stats.sd(v));
            }
            out.put(measure, Map.of("mean", means, "sd", sds));
        }
        return out;
    }
}
