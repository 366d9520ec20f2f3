package org.transfusion.engine.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.transfusion.engine.data.LabelCounts;
import org.transfusion.engine.data.Task;
import org.transfusion.error.BadInputException;

/**
 * How the training loss weighs the classes ({@code --class-weights}), against class imbalance. For sigmoid
 * outputs (binary, multi-label) a weight is a label's {@code pos_weight}: its positive term of the binary
 * cross-entropy is multiplied by it, as in torch's {@code BCEWithLogitsLoss(pos_weight=...)}. For a multiclass
 * task it is a class's weight in the cross-entropy, as torch's {@code CrossEntropyLoss(weight=...)}: the batch loss
 * is {@code sum_i w[y_i] CE_i / sum_i w[y_i]}. {@code none} weighs all alike; {@code auto} computes the weights
 * from the training images ({@link #AUTO_SIGMOID}, {@link #AUTO_MULTICLASS}); a list gives one weight per output.
 * Validation and test losses are never weighted, so they compare across runs.
 */
public sealed interface ClassWeights {
    /** The rule of {@code auto} for sigmoid outputs. */
    String AUTO_SIGMOID = "pos_weight = negatives / positives of each label among the training images with a known "
            + "label (1 where a label has no positives or no negatives)";
    /** The rule of {@code auto} for a multiclass task. */
    String AUTO_MULTICLASS = "weight_c = N / (C * n_c): N training images, C classes, n_c images of class c "
            + "(scikit-learn's 'balanced'; 1 for a class with no training images, which weighs no image)";

    /** The canonical name. */
    @JsonValue
    String spec();

    /**
     * The weight of each output for {@code task} given its training labels, or null for unweighted. A list of the
     * wrong length is a bad input naming the outputs.
     */
    double[] resolve(Task task, LabelCounts train);

    /** Unweighted (the default). */
    record None() implements ClassWeights {
        public String spec() { return "none"; }
        public double[] resolve(Task task, LabelCounts train) { return null; }
    }

    /** From the training labels' balance. */
    record Auto() implements ClassWeights {
        public String spec() { return "auto"; }

        public double[] resolve(Task task, LabelCounts train) {
            int outputs = task.outputs();
            double[] w = new double[outputs];
            for (int o = 0; o < outputs; o++) {
                long pos = train.positives()[o];
                long neg = train.negatives(o);
                if (task.type() == Task.Type.MULTICLASS) {
                    w[o] = pos == 0 ? 1 : (double) train.known()[o] / ((double) outputs * pos);
                } else {
                    w[o] = pos == 0 || neg == 0 ? 1 : (double) neg / pos;
                }
            }
            return w;
        }
    }

    /** Given, one per output in the task's order. */
    record Given(List<Double> values) implements ClassWeights {
        public Given {
            values = List.copyOf(values);
        }

        public String spec() {
            return values.stream().map(v -> BigDecimal.valueOf(v).stripTrailingZeros().toPlainString())
                    .collect(Collectors.joining(","));
        }

        public double[] resolve(Task task, LabelCounts train) {
            if (values.size() != task.outputs()) {
                throw new BadInputException("--class-weights " + spec() + " gives " + values.size() + " weight"
                        + (values.size() == 1 ? "" : "s") + " but task '" + task.name() + "' has " + task.outputs()
                        + " output" + (task.outputs() == 1 ? "" : "s") + " (" + String.join(", ",
                        task.outputNames().subList(0, Math.min(task.outputs(), task.outputNames().size())))
                        + "): give one per output, or auto");
            }
            return values.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    /** The range of one given weight: positive, and small enough that a weighted loss stays finite. */
    Range WEIGHT = Range.positive(1e6);

    /** Parses {@code none}, {@code auto} or a comma-separated list of positive weights. */
    @JsonCreator
    static ClassWeights parse(String text) {
        String name = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (name.equals("none")) {
            return new None();
        }
        if (name.equals("auto")) {
            return new Auto();
        }
        List<Double> values = new ArrayList<>();
        for (String part : name.split(",", -1)) {
            double v;
            try {
                v = Double.parseDouble(part.trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("unknown class weights '" + text + "' (expected auto, none, or a "
                        + "comma-separated list of positive weights, one per output)");
            }
            if (!WEIGHT.contains(v)) {
                throw new BadInputException("class weights '" + text + "': each weight must be positive and finite "
                        + "(at most 1e6, so the loss stays finite), got " + part.trim());
            }
            values.add(v);
        }
        return new Given(values);
    }
}
