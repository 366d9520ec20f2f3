package org.transfusion.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.model.Network;

/** Runs a network in inference mode over a whole split and computes its {@link Metrics}. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * What a network gave on a split: probabilities and logits ({@code n x outputs}, row-major) and targets ({@code
     * n x targetWidth}) in the split's order, and the mean loss. Logits (for NLL and temperature scaling) may be null
     * for scores that were not made by a network.
     */
    public record Scores(double[] probs, double[] targets, int n, int outputs, double loss, double[] logits) {
        /** Scores without logits. */
        public Scores(double[] probs, double[] targets, int n, int outputs, double loss) {
            this(probs, targets, n, outputs, loss, null);
        }
    }

    public static Metrics evaluate(Network net, BatchLoader loader, Task task, int size) {
        Scores s = scores(net, loader, task, size);
        return Metrics.compute(task, s.probs(), s.targets(), s.n(), s.loss(), 0.5);
    }

    /** The network's scores on every image the loader gives, in order (the loader must not shuffle). */
    public static Scores scores(Network net, BatchLoader loader, Task task, int size) {
        int outputs = task.outputs();
        int tw = task.targetWidth();
        double[] probs = new double[size * outputs];
        double[] rawLogits = new double[size * outputs];
        double[] targets = new double[size * tw];
        double lossSum = 0;
        BatchArrays arrays = new BatchArrays();
        int seen = 0;
        try (BatchLoader.Prefetcher batches = loader.prefetch(0, loader.batchesPerEpoch())) {
            for (Batch b; (b = batches.next()) != null; ) {
                try (NDManager step = net.manager().newSubManager()) {
                    NDArray x = arrays.images(step, b);
                    NDArray logits = net.forward(x, false);
                    NDArray loss = Losses.of(task, logits, b.targets(), b.count(), step);
                    lossSum += loss.getFloat() * b.count();
                    float[] p = Losses.probabilities(task, logits).toFloatArray();
                    float[] z = logits.toFloatArray();
                    for (int i = 0; i < p.length; i++) {
                        probs[seen * outputs + i] = p[i];
                        rawLogits[seen * outputs + i] = z[i];
                    }
                    for (int i = 0; i < b.targets().length; i++) {
                        targets[seen * tw + i] = b.targets()[i];
                    }
                    seen += b.count();
                }
            }
        }
        return new Scores(probs, targets, seen, outputs, lossSum / Math.max(seen, 1), rawLogits);
    }
}
