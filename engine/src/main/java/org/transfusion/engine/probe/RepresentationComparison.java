package org.transfusion.engine.probe;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.transfusion.engine.Devices;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.StateDict;
import org.transfusion.error.BadInputException;
import org.transfusion.similarity.Activations;
import org.transfusion.similarity.Cca;
import org.transfusion.similarity.Cka;
import org.transfusion.similarity.Method;
import org.transfusion.similarity.Pwcca;
import org.transfusion.similarity.SimilarityOptions;
import org.transfusion.similarity.Svcca;

/**
 * Per-layer similarity of two networks on the same inputs: each network is probed in turn (one network in memory
 * at a time), the sampled activations of each layer pair go through the similarity library.
 */
public final class RepresentationComparison {
    private RepresentationComparison() {}

    /** One side: an architecture with weights. */
    public record Side(Architecture arch, StateDict weights) {}

    /** Probe options: how many images of the loader's split, how many rows per layer, fold, seed. */
    public record ProbeOptions(int images, int maxPoints, ActivationProbe.Fold fold, long seed) {}

    /**
     * @param pairs layer of A and layer of B to compare, in order
     */
    public static List<LayerSimilarity> compare(Side a, Side b, List<String[]> pairs, BatchLoader loader,
                                                ProbeOptions probe, Set<Method> methods, SimilarityOptions options) {
        return compare(a, b, pairs, loader, probe, methods, options, (x, y) -> {});
    }

    /**
     * {@link #compare}, also handing each layer pair's activations to {@code seen} (e.g. to measure their effective
     * rank from the same probe rather than a second pass over the data).
     */
    public static List<LayerSimilarity> compare(Side a, Side b, List<String[]> pairs, BatchLoader loader,
                                                ProbeOptions probe, Set<Method> methods, SimilarityOptions options,
                                                BiConsumer<LayerActivations, LayerActivations> seen) {
        List<String> layersA = pairs.stream().map(p -> p[0]).distinct().toList();
        List<String> layersB = pairs.stream().map(p -> p[1]).distinct().toList();
        Map<String, LayerActivations> actA = probe(a, loader, layersA, probe);
        Map<String, LayerActivations> actB = probe(b, loader, layersB, probe);
        List<LayerSimilarity> out = new ArrayList<>();
        for (String[] pair : pairs) {
            seen.accept(actA.get(pair[0]), actB.get(pair[1]));
            out.add(similarity(actA.get(pair[0]), actB.get(pair[1]), methods, options));
        }
        return out;
    }

    public static Map<String, LayerActivations> probe(Side side, BatchLoader loader, List<String> layers,
                                                      ProbeOptions probe) {
        try (NDManager m = NDManager.newBaseManager(Devices.chosen()); Network net = Network.create(m, side.arch(), side.weights())) {
            return ActivationProbe.collect(net, loader, probe.images(), layers, probe.maxPoints(), probe.fold(),
                    probe.seed());
        }
    }

    /** Every requested measure for one layer pair; a measure that is undefined here becomes NaN with a note. */
    public static LayerSimilarity similarity(LayerActivations x, LayerActivations y, Set<Method> methods,
                                             SimilarityOptions options) {
        if (x.points() != y.points()) {
            throw new BadInputException("layers " + x.layer() + " and " + y.layer() + " have different sample sizes ("
                    + x.points() + " vs " + y.points() + " rows): their maps differ in size; use --conv pool");
        }
        Activations ax = Activations.of(x.rows(), x.points(), x.neurons());
        Activations ay = Activations.of(y.rows(), y.points(), y.neurons());
        Map<String, Double> values = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (Method m : methods) {
            double v;
            try {
                v = switch (m) {
                    case CCA -> Cca.compute(ax, ay).mean();
                    case SVCCA -> Svcca.compute(ax, ay, options.keepVariance()).mean();
                    case PWCCA -> Pwcca.compute(ax, ay).value();
                    case CKA_LINEAR -> options.debiased() ? Cka.linearDebiased(ax, ay) : Cka.linear(ax, ay);
                    case CKA_RBF -> Cka.rbf(ax, ay, options.sigmaFraction(), options.debiased(),
                            options.rbfMaxPoints(), options.seed());
                };
            } catch (BadInputException e) {
                v = Double.NaN;
                notes.add(m.jsonKey() + ": " + e.getMessage());
            }
            values.put(m.jsonKey(), v);
        }
        return new LayerSimilarity(x.layer(), y.layer(), x.points(), x.neurons(), y.neurons(), values, notes);
    }
}
