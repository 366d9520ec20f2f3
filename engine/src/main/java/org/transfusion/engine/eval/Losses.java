package org.transfusion.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.transfusion.engine.data.Task;

/**
 * The loss a task implies: softmax cross-entropy over classes (multiclass), or sigmoid binary cross-entropy
 * (binary, multi-label) averaged over the known labels only, so that an unknown (NaN) label contributes nothing.
 * Training may weigh the classes ({@link #weighted}, {@code --class-weights}) as torch's losses do.
 */
public final class Losses {
    private Losses() {}

    /** Mean loss of a batch; {@code targets} as {@link Task#target} (count x targetWidth, NaN = masked). */
    public static NDArray of(Task task, NDArray logits, float[] targets, int count, NDManager m) {
        return weighted(task, null, logits, targets, count, m);
    }

    /**
     * The loss with class weights ({@code weights}: one per output, null = unweighted, as {@link #of}). Multiclass:
     * torch's {@code CrossEntropyLoss(weight=w)}, {@code sum_i w[y_i] CE_i / sum_i w[y_i]}. Sigmoid outputs: torch's
     * {@code BCEWithLogitsLoss(pos_weight=w)}, per element {@code -(w y log s(z) + (1 - y) log(1 - s(z)))}, averaged
     * over the known labels.
     */
    public static NDArray weighted(Task task, double[] weights, NDArray logits, float[] targets, int count,
                                   NDManager m) {
        if (task.type() == Task.Type.MULTICLASS) {
            int[] classes = new int[count];
            for (int i = 0; i < count; i++) {
                classes[i] = (int) targets[i];
            }
            NDArray oneHot = m.create(classes).oneHot(task.outputs()).toType(DataType.FLOAT32, false);
            NDArray picked = logits.logSoftmax(1).mul(oneHot);
            if (weights == null) {
                return picked.sum().div(-count);
            }
            float[] w = new float[count];
            double total = 0;
            for (int i = 0; i < count; i++) {
                w[i] = (float) weights[classes[i]];
                total += w[i];
            }
            return picked.mul(m.create(w, new Shape(count, 1))).sum().div((float) -total);
        }
        float[] y = new float[targets.length];
        float[] mask = new float[targets.length];
        int known = 0;
        for (int i = 0; i < targets.length; i++) {
            if (!Float.isNaN(targets[i])) {
                y[i] = targets[i];
                mask[i] = 1;
                known++;
            }
        }
        Shape shape = new Shape(count, task.outputs());
        NDArray yt = m.create(y, shape);
        NDArray mt = m.create(mask, shape);
        NDArray perElement;
        if (weights == null) {
            // Stable BCE with logits: max(z, 0) - z*y + log(1 + exp(-|z|)).
            perElement = logits.maximum(0f).sub(logits.mul(yt)).add(Activation.softPlus(logits.abs().neg()));
        } else {
            // torch's stable form with pos_weight p: (1 - y) z + (1 + (p - 1) y) (log(1 + exp(-|z|)) + max(-z, 0)).
            int outputs = task.outputs();
            float[] scale = new float[targets.length];
            for (int i = 0; i < targets.length; i++) {
                scale[i] = (float) (1 + (weights[i % outputs] - 1) * y[i]);
            }
            NDArray logSigmoidNeg = Activation.softPlus(logits.abs().neg()).add(logits.neg().maximum(0f));
            perElement = yt.neg().add(1f).mul(logits).add(m.create(scale, shape).mul(logSigmoidNeg));
        }
        return perElement.mul(mt).sum().div(Math.max(known, 1));
    }

    /** Probabilities from logits: softmax for multiclass, sigmoid otherwise. */
    public static NDArray probabilities(Task task, NDArray logits) {
        return task.type() == Task.Type.MULTICLASS ? logits.softmax(1) : logits.getNDArrayInternal().sigmoid();
    }
}
