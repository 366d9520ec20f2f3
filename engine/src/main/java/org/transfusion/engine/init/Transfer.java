package org.transfusion.engine.init;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.engine.model.TensorSpec;
import org.transfusion.error.BadInputException;

/**
 * Strict transfer of source weights into a target architecture, with a report of what happened to every
 * tensor. Allowed differences, each by a stated rule: the first convolution's input channels (3 -> 1 summed
 * over channels, 1 -> 3 replicated / 3: "adapted"), the classifier for another number of outputs
 * ("reinitialised", the whole layer: a weight is never paired with a bias trained for another), torchvision's {@code num_batches_tracked} counters and Inception's auxiliary classifier
 * ("skipped"). Any other missing key, unexpected key or shape mismatch is an error listing the first ones.
 */
public final class Transfer {
    private Transfer() {}

    /** What happened to each target tensor and each source tensor. */
    public static final class Report {
        public final List<String> copied = new ArrayList<>();
        public final List<String> adapted = new ArrayList<>();
        public final List<String> reinitialised = new ArrayList<>();
        public final List<String> skipped = new ArrayList<>();
        public final List<String> drawn = new ArrayList<>();
        /** Target tensors no weights give (a U-Net's decoder), left as initialised; run.json counts them apart. */
        public final List<String> alwaysRandom = new ArrayList<>();

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("copied", copied.size());
            m.put("adapted", adapted);
            m.put("reinitialised", reinitialised.size() <= 12 ? reinitialised : summary(reinitialised));
            m.put("skipped_by_rule", skipped.size() <= 12 ? skipped : summary(skipped));
            if (!drawn.isEmpty()) {
                m.put("drawn_from_statistics", drawn.size());
            }
            return m;
        }

        private static String summary(List<String> keys) {
            return keys.size() + " tensors (" + String.join(", ", keys.subList(0, 4)) + ", ...)";
        }
    }

    /**
     * Copies source tensors into a target-shaped state dict. Target tensors for which {@code keepRandom} holds
     * are left as {@code base} has them (e.g. blocks above a transfusion boundary).
     *
     * @param base       target-shaped initial weights (usually random) that transfer overwrites
     * @param sourceName the weights file, for error messages
     */
    public static StateDict apply(Architecture target, StateDict source, StateDict base, Predicate<String> keepRandom,
                                  String sourceName, Report report) {
        StateDict out = new StateDict();
        List<String> problems = new ArrayList<>();
        String firstConv = target.firstConvPrefix() + ".weight";
        String classifier = target.classifierPrefix() + ".";
        // A layer's tensors (weight and bias; a batch norm's weight, bias and running statistics) were trained
        // together, so a classifier layer is copied whole or re-initialised whole: one tensor of it that the weights
        // lack or hold in another shape re-initialises all of it.
        Set<String> newHead = new HashSet<>();
        for (TensorSpec spec : target.specs().values()) {
            HostTensor src = source.get(spec.key());
            if (spec.key().startsWith(classifier) && spec.kind() != TensorKind.BN_BATCHES_TRACKED
                    && (src == null || !src.sameShape(spec.shape()))) {
                newHead.add(layerOf(spec.key()));
            }
        }
        for (TensorSpec spec : target.specs().values()) {
            String key = spec.key();
            HostTensor src = source.get(key);
            if (!target.takesWeights(key)) {
                out.put(key, base.get(key));
                report.alwaysRandom.add(key);
                continue;
            }
            if (keepRandom.test(key)) {
                out.put(key, base.get(key));
                report.reinitialised.add(key);
                continue;
            }
            if (spec.kind() == TensorKind.BN_BATCHES_TRACKED) {
                out.put(key, base.get(key));
                report.skipped.add(key);
                continue;
            }
            if (newHead.contains(layerOf(key))) {
                out.put(key, base.get(key));
                report.reinitialised.add(key);
                continue;
            }
            if (src == null) {
                problems.add("missing " + key);
                continue;
            }
            if (src.sameShape(spec.shape())) {
                out.put(key, src.copy());
                report.copied.add(key);
            } else if (key.equals(firstConv) && adaptable(src.shape(), spec.shape())) {
                out.put(key, adaptChannels(src, spec.shape()));
                report.adapted.add(key + " (" + src.shape()[1] + " -> " + spec.shape()[1] + " input channels)");
            } else {
                problems.add(key + " has shape " + java.util.Arrays.toString(src.shape()) + " in the weights, "
                        + target.name() + " needs " + spec.shapeText());
            }
        }
        for (String key : source.keys()) {
            if (!target.specs().containsKey(key)) {
                if (key.endsWith("num_batches_tracked") || key.startsWith("AuxLogits.")) {
                    report.skipped.add(key);
                } else {
                    problems.add("unexpected " + key);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(sourceName + " does not fit " + target.name() + ": "
                    + String.join("; ", problems.subList(0, Math.min(4, problems.size())))
                    + (problems.size() > 4 ? " (and " + (problems.size() - 4) + " more)" : "")
                    + " (weights for another architecture?)");
        }
        return out;
    }

    /**
     * Weights keyed as {@code target} keys the tensors they can give. A model that is its own source (empty
     * {@link Architecture#transferPrefix()}) takes them as they are. A U-Net takes its encoder's classifier's weights
     * ({@code conv1.weight} becomes {@code encoder.conv1.weight}; that classifier's head, e.g. {@code fc}, is
     * skipped by rule) or, when any key already has the prefix, a U-Net's weights (a study chaining runs): the
     * tensors under the prefix as they are, the rest (its decoder) skipped by rule.
     */
    public static StateDict keyedForTarget(Architecture target, StateDict source, Report report) {
        String prefix = target.transferPrefix();
        if (prefix.isEmpty()) {
            return source;
        }
        boolean chained = source.keys().stream().anyMatch(k -> k.startsWith(prefix));
        String head = target.transferSource().classifierPrefix() + ".";
        StateDict out = new StateDict();
        for (String key : source.keys()) {
            if (chained ? key.startsWith(prefix) : !key.startsWith(head)) {
                out.put(chained ? key : prefix + key, source.get(key));
            } else {
                report.skipped.add(key);
            }
        }
        return out;
    }

    /** The layer a tensor belongs to: its key without the last part ({@code fc} of {@code fc.bias}). */
    private static String layerOf(String key) {
        int dot = key.lastIndexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    private static boolean adaptable(long[] src, long[] dst) {
        return src.length == 4 && dst.length == 4 && src[0] == dst[0] && src[2] == dst[2] && src[3] == dst[3]
                && ((src[1] == 3 && dst[1] == 1) || (src[1] == 1 && dst[1] == 3));
    }

    /** RGB filters summed to grey (a grey image replicated to RGB gives the same response), or grey split /3. */
    static HostTensor adaptChannels(HostTensor src, long[] shape) {
        int out = (int) shape[0];
        int hw = (int) (shape[2] * shape[3]);
        int srcC = (int) src.shape()[1];
        int dstC = (int) shape[1];
        HostTensor t = HostTensor.zeros(shape);
        for (int o = 0; o < out; o++) {
            for (int p = 0; p < hw; p++) {
                if (dstC == 1) {
                    float sum = 0;
                    for (int c = 0; c < srcC; c++) {
                        sum += src.values()[(o * srcC + c) * hw + p];
                    }
                    t.values()[o * hw + p] = sum;
                } else {
                    float v = src.values()[o * hw + p] / dstC;
                    for (int c = 0; c < dstC; c++) {
                        t.values()[(o * dstC + c) * hw + p] = v;
                    }
                }
            }
        }
        return t;
    }
}
