package org.transfusion.engine.data;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What is predicted: turns a dataset's raw label vector into a training target, and fixes the loss and the
 * metric. {@code BINARY}: one logit, sigmoid BCE, binary ROC AUC; {@code MULTICLASS}: one logit per class,
 * softmax cross-entropy, macro one-vs-rest AUC; {@code MULTILABEL}: one logit per finding, sigmoid BCE with
 * NaN targets masked, per-label AUC and their mean.
 *
 * <p>Targets: BINARY and MULTILABEL give one value per logit (1, 0 or NaN = masked); MULTICLASS gives one
 * value, the class index.
 */
public record Task(String name, Type type, List<String> outputNames, UnaryOperator<float[]> targetOf) {
    public enum Type { BINARY, MULTICLASS, MULTILABEL }

    public Task {
        outputNames = List.copyOf(outputNames);
    }

    /** Number of logits the model must produce. */
    public int outputs() {
        return type == Type.BINARY ? 1 : outputNames.size();
    }

    /** The name of output {@code o} (a binary task's one output is named by its positive class). */
    public String outputName(int o) {
        return outputNames.get(Math.min(o, outputNames.size() - 1));
    }

    /** Length of one target vector. */
    public int targetWidth() {
        return type == Type.MULTICLASS ? 1 : outputs();
    }

    public float[] target(float[] rawLabels) {
        return targetOf.apply(rawLabels);
    }
}
