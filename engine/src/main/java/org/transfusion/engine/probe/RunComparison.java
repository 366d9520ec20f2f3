package org.transfusion.engine.probe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.Range;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.error.BadInputException;
import org.transfusion.similarity.Activations;
import org.transfusion.similarity.Cka;
import org.transfusion.similarity.EqualWidth;
import org.transfusion.similarity.Method;
import org.transfusion.similarity.SimilarityOptions;

/**
 * Representation comparisons of trained runs (the paper's Section 4): two runs layer by layer on the same
 * inputs, or one run before and after training ({@code init.safetensors} vs {@code weights.safetensors}) together
 * with how far each layer's weights moved.
 */
public final class RunComparison {
    private RunComparison() {}

    /** What to compare on and how. {@code data} null = run A's own dataset; {@code layers} empty = all. */
    public record Request(String data, Path dataDir, Split split, List<String> layers, Set<Method> methods,
                          int maxPoints, int maxImages, ActivationProbe.Fold fold, long seed, int equalWidth) {
        /** Without the width correction. */
        public Request(String data, Path dataDir, Split split, List<String> layers, Set<Method> methods,
                       int maxPoints, int maxImages, ActivationProbe.Fold fold, long seed) {
            this(data, dataDir, split, layers, methods, maxPoints, maxImages, fold, seed, 0);
        }

        /** This request with before/after also measured at {@code width} neurons ({@link #beforeAfter}). */
        public Request withEqualWidth(int width) {
            return new Request(data, dataDir, split, layers, methods, maxPoints, maxImages, fold, seed, width);
        }
    }

    /**
     * The keys {@link #beforeAfter} adds to each layer's values when the request has an {@code equalWidth}: SVCCA
     * and linear CKA averaged over {@link EqualWidth#DEFAULT_REPEATS} random subsets of that many neurons, and
     * debiased linear CKA on all of them (issue 30.6: comparing how much layers of different widths changed).
     */
    public static final String SVCCA_EQUAL_WIDTH = "svcca_equal_width";
    public static final String CKA_EQUAL_WIDTH = "cka_linear_equal_width";
    public static final String CKA_DEBIASED = "cka_linear_debiased";

    /** Rows sampled per layer: at least two (a similarity of one point is undefined). */
    public static final Range MAX_POINTS = Range.whole(2, Integer.MAX_VALUE);

    /** A comparison's results, as written to JSON. */
    public record Result(Map<String, Object> meta, List<LayerSimilarity> layers, Map<String, Double> movement) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>(meta);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (LayerSimilarity l : layers) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("layer", l.layerA().equals(l.layerB()) ? l.layerA() : l.layerA() + ":" + l.layerB());
                row.put("points", l.points());
                row.put("neurons", List.of(l.neuronsA(), l.neuronsB()));
                row.putAll(l.values());
                if (!l.notes().isEmpty()) {
                    row.put("notes", l.notes());
                }
                rows.add(row);
            }
            m.put("layers", rows);
            if (movement != null) {
                m.put("weight_movement", movement);
            }
            return m;
        }
    }

    public static Result between(Path runA, Path runB, Request r) {
        RunSetup a = setup(runA, r);
        RunSetup b = setup(runB, r);
        if (a.imageSize() != b.imageSize() || a.channels() != b.channels()) {
            throw new BadInputException(runB + ": input " + b.imageSize() + " px x " + b.channels() + " channels differs "
                    + "from " + runA + " (" + a.imageSize() + " px x " + a.channels() + "); compare runs on the same inputs");
        }
        List<String[]> pairs = pairs(a, b, r.layers(), runA, runB);
        StateDict wa = RunFolder.existing(runA).trainedWeights();
        StateDict wb = RunFolder.existing(runB).trainedWeights();
        List<LayerSimilarity> layers = RepresentationComparison.compare(new RepresentationComparison.Side(a.arch(), wa),
                new RepresentationComparison.Side(b.arch(), wb), pairs, loader(a, r), probe(a, r), r.methods(),
                options(r));
        Map<String, Object> meta = meta(r, a);
        meta.put("run_a", runA.toString());
        meta.put("run_b", runB.toString());
        return new Result(meta, layers, null);
    }

    public static Result beforeAfter(Path run, Request r) {
        return beforeAfter(run, r, (before, after) -> {});
    }

    /** {@link #beforeAfter}, also handing each layer's activations before and after training to {@code seen}. */
    public static Result beforeAfter(Path run, Request r, BiConsumer<LayerActivations, LayerActivations> seen) {
        RunSetup s = setup(run, r);
        List<String[]> pairs = pairs(s, s, r.layers(), run, run);
        RunFolder folder = RunFolder.existing(run);
        StateDict init = folder.initialWeights();
        StateDict end = folder.trainedWeights();
        Map<String, Map<String, Double>> corrected = new LinkedHashMap<>();
        BiConsumer<LayerActivations, LayerActivations> both = r.equalWidth() <= 0 ? seen : (before, after) -> {
            seen.accept(before, after);
            corrected.put(before.layer(), equalWidth(before, after, r.equalWidth(), r.seed()));
        };
        List<LayerSimilarity> layers = RepresentationComparison.compare(new RepresentationComparison.Side(s.arch(), init),
                new RepresentationComparison.Side(s.arch(), end), pairs, loader(s, r), probe(s, r), r.methods(),
                options(r), both);
        if (!corrected.isEmpty()) {
            layers = layers.stream().map(l -> {
                Map<String, Double> values = new LinkedHashMap<>(l.values());
                values.putAll(corrected.getOrDefault(l.layerA(), Map.of()));
                return new LayerSimilarity(l.layerA(), l.layerB(), l.points(), l.neuronsA(), l.neuronsB(), values,
                        l.notes());
            }).toList();
        }
        Map<String, Object> meta = meta(r, s);
        meta.put("run", run.toString());
        meta.put("compared", "init.safetensors (step 0) vs weights.safetensors (best)");
        return new Result(meta, layers, WeightMovement.of(s.arch(), init, end));
    }

    /** The width-corrected measures of one layer before vs after ({@link #SVCCA_EQUAL_WIDTH} and the rest). */
    private static Map<String, Double> equalWidth(LayerActivations before, LayerActivations after, int width,
                                                  long seed) {
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            Activations x = Activations.of(before.rows(), before.points(), before.neurons()).named(before.layer());
            Activations y = Activations.of(after.rows(), after.points(), after.neurons()).named(after.layer());
            EqualWidth.Result w = EqualWidth.compute(x, y, width, EqualWidth.DEFAULT_REPEATS, seed);
            out.put(SVCCA_EQUAL_WIDTH, w.svcca());
            out.put(CKA_EQUAL_WIDTH, w.ckaLinear());
            out.put(CKA_DEBIASED, Cka.linearDebiased(x, y));
        } catch (BadInputException e) {
            // undefined here (a constant layer, too few points): NaN, like the other measures
            out.put(SVCCA_EQUAL_WIDTH, Double.NaN);
            out.put(CKA_EQUAL_WIDTH, Double.NaN);
            out.put(CKA_DEBIASED, Double.NaN);
        }
        return out;
    }

    private static RunSetup setup(Path run, Request r) {
        return RunSetup.prepare(RunFolder.existing(run).specOn(r.data(), r.dataDir()));
    }

    /** Layer pairs: the listed ones ("a" or "a:b"), or every layer when both runs share an architecture. */
    static List<String[]> pairs(RunSetup a, RunSetup b, List<String> layers, Path runA, Path runB) {
        List<String[]> out = new ArrayList<>();
        if (layers.isEmpty()) {
            if (!a.arch().name().equals(b.arch().name())) {
                throw new BadInputException(runA + " (" + a.arch().name() + ") and " + runB + " (" + b.arch().name()
                        + ") have different architectures: list the layer pairs to compare with --layers A:B,...");
            }
            for (String l : a.arch().layers()) {
                out.add(new String[] {l, l});
            }
            return out;
        }
        for (String spec : layers) {
            String[] p = spec.split(":", 2);
            String la = p[0].trim();
            String lb = p.length == 2 ? p[1].trim() : la;
            check(a, la, runA);
            check(b, lb, runB);
            out.add(new String[] {la, lb});
        }
        return out;
    }

    private static void check(RunSetup s, String layer, Path run) {
        if (!s.arch().layers().contains(layer)) {
            throw new BadInputException("unknown layer '" + layer + "' for " + s.arch().name() + " (" + run + "); valid: "
                    + String.join(", ", s.arch().layers()));
        }
    }

    private static BatchLoader loader(RunSetup s, Request r) {
        return new BatchLoader(s.data().split(r.split()), s.task(), s.pipeline(), 64, false, 0);
    }

    private static RepresentationComparison.ProbeOptions probe(RunSetup s, Request r) {
        int images = r.maxImages() > 0 ? Math.min(r.maxImages(), s.data().split(r.split()).size())
                : s.data().split(r.split()).size();
        return new RepresentationComparison.ProbeOptions(images, r.maxPoints(), r.fold(), r.seed());
    }

    private static SimilarityOptions options(Request r) {
        SimilarityOptions d = SimilarityOptions.defaults();
        return new SimilarityOptions(d.keepVariance(), d.sigmaFraction(), d.debiased(), d.rbfMaxPoints(), r.seed());
    }

    private static Map<String, Object> meta(Request r, RunSetup s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", s.data().spec());
        m.put("split", r.split().id());
        m.put("images", probe(s, r).images());
        m.put("max_points", r.maxPoints());
        m.put("conv", r.fold().name().toLowerCase(java.util.Locale.ROOT));
        m.put("seed", r.seed());
        m.put("methods", r.methods().stream().map(Method::jsonKey).toList());
        return m;
    }
}
