package org.transfusion.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.transfusion.engine.data.Task;

/**
 * The loss a task implies: softmax cross-entropy over classes (multiclass), or sigmoid binary cross-entropy
 * (binary, multi-label) averaged over the known labels only, so that an unknown (NaN) label contributes nothing.
 */
public final class Losses {
    private Losses() {}

    /** Mean loss of a batch; {@code targets} as {@link Task#target} (count x targetWidth, NaN = masked). */
    public static NDArray of(Task task, NDArray logits, float[] targets, int count, NDManager m) {
        if (task.type() == Task.Type.MULTICLASS) {
            int[] classes = new int[count];
            for (int i = 0; i < count; i++) {
                classes[i] = (int) targets[i];
            }
            NDArray oneHot = m.create(classes).oneHot(task.outputs()).toType(DataType.FLOAT32, false);
            return logits.logSoftmax(1).mul(oneHot).sum().div(-count);
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
        // Stable BCE with logits: max(z, 0) - z*y + log(1 + exp(-|z|)).
        NDArray perElement = logits.maximum(0f).sub(logits.mul(yt)).add(ai.djl.nn.Activation.softPlus(logits.abs().neg()));
        return perElement.mul(mt).sum().div(Math.max(known, 1));
    }

    /** Probabilities from logits: softmax for multiclass, sigmoid otherwise. */
    public static NDArray probabilities(Task task, NDArray logits) {
        return task.type() == Task.Type.MULTICLASS ? logits.softmax(1) : logits.getNDArrayInternal().sigmoid();
    }
}
