package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.probe.LayerSimilarity;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.similarity.Method;

/**
 * The representation analyses of a finished plan (the paper's Figure 2 and its before/after analysis): for each
 * model, per-layer similarity of random-init networks of different seeds, of random-init vs transferred networks
 * of the same seed, each network before vs after training, and weight movement. Written to
 * {@code DIR/analysis/representations.json}; deterministic for the same runs, so a resumed study reports the same.
 */
public final class Analyses {
    public static final List<String> MEASURES = List.of("pwcca", "cka_linear");

    private Analyses() {}

    public static Path representationsFile(Path dir) {
        return dir.resolve("analysis").resolve("representations.json");
    }

    public static void run(Plan plan, PrintStream out) {
        StudySpec.Representations spec = plan.spec().experiments().representations();
        if (spec == null) {
            return;
        }
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
        Path file = representationsFile(plan.dir());
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Json.write(file, all);
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
