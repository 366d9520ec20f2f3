package org.transfusion.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.eval.Losses;
import org.transfusion.engine.model.Network;

/**
 * One gradient step: forward, loss, backward and the optimiser update, with every intermediate array in a
 * per-step sub-manager that is closed before the step returns (arrays kept in the network's manager instead
 * would live until the run ends; a probe at 224 px found ~0.8 GB kept per step that way). The trainer and the
 * speed benchmark (bench/training) both run exactly this.
 */
public final class TrainStep {
    private final Network net;
    private final Optimizer optimizer;
    private final Task task;
    private final double[] classWeights;
    private final Map<String, NDArray> params;
    private final BatchArrays arrays = new BatchArrays();

    public TrainStep(Network net, Optimizer optimizer, Task task) {
        this(net, optimizer, task, null);
    }

    /** A step whose loss weighs the outputs by {@code classWeights} ({@link Losses#weighted}; null = unweighted). */
    public TrainStep(Network net, Optimizer optimizer, Task task, double[] classWeights) {
        this.net = net;
        this.optimizer = optimizer;
        this.task = task;
        this.classWeights = classWeights == null ? null : classWeights.clone();
        this.params = net.trainable();
    }

    /**
     * Runs the step on {@code b} with learning rate {@code lr} and returns the batch's mean loss. When the loss
     * is not finite the parameters are left as they were (no update) so that the caller can report divergence.
     */
    public float run(Batch b, float lr) {
        try (NDManager step = net.manager().newSubManager()) {
            NDArray x = arrays.images(step, b);
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(x, true);
                NDArray l = Losses.weighted(task, classWeights, logits, b.targets(), b.count(), step);
                gc.backward(l);
                loss = l.getFloat();
            }
            if (Float.isFinite(loss)) {
                optimizer.step(params, lr);
            }
            return loss;
        }
    }
}
