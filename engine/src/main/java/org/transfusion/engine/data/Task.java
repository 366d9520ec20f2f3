package org.transfusion.engine.data;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What is predicted: turns a dataset's raw label vector into a training target, and fixes the loss and the
 * metric. {@code BINARY}: one logit, sigmoid BCE, binary ROC AUC; {@code MULTICLASS}: one logit per class,
 * softmax cross-entropy, macro one-vs-rest AUC; {@code MULTILABEL}: one logit per finding, sigmoid BCE with
 * NaN targets masked, per-label AUC and their mean; {@code SEGMENTATION}: a class per pixel (its outputs named
 * by the foreground classes: one logit per pixel for a binary mask, else one per class, background included), the
 * loss and metrics of {@code eval.SegmentationLoss} and {@code eval.SegmentationMetrics}.
 *
 * <p>Targets: BINARY and MULTILABEL give one value per logit (1, 0 or NaN = masked); MULTICLASS gives one
 * value, the class index.
 */
public record Task(String name, Type type, List<String> outputNames, UnaryOperator<float[]> targetOf) {
    public enum Type { BINARY, MULTICLASS, MULTILABEL, SEGMENTATION }

    public Task {
        outputNames = List.copyOf(outputNames);
    }

    /** Number of logits the model must produce. */
    public int outputs() {
        return type == Type.BINARY || type == Type.SEGMENTATION && outputNames.size() == 1 ? 1 : outputNames.size();
    }

    /** The segmentation task of {@code classes} (index 0 the background): binary with two, else one output each. */
    public static Task segmentation(List<String> classes) {
        if (classes.size() < 2) {
            throw new IllegalArgumentException("a segmentation needs a background and a foreground class");
        }
        return new Task("segmentation", Type.SEGMENTATION, classes.size() == 2 ? classes.subList(1, 2) : classes,
                raw -> raw.clone());
    }

    public boolean isSegmentation() {
        return type == Type.SEGMENTATION;
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
