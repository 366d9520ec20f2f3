package org.transfusion.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.train.Optimizer;

/**
 * The Adam update alone (issue 33's inner loop): milliseconds per step over every trainable tensor of a model, for
 * the trainer's {@link Optimizer} (libtorch's fused kernel, every parameter in one call) and for the update it
 * replaced (DJL's adamUpdate and zero-grad per parameter), alternating in one process, with gradients present.
 *
 * <pre>
 * cd bench/training && . ../../scripts/native-env.sh && \
 *   java -Dai.djl.offline=true -cp "target/classes:target/lib/*" org.transfusion.bench.OptimizerBench \
 *     cbr-small mobilenet-v2 resnet50
 * </pre>
 *
 * prints a Markdown table: model, trainable tensors and parameters, ms per step of each update (median of rounds
 * of at least 1 s after a warm-up), and the ratio.
 */
public final class OptimizerBench {
    private OptimizerBench() {}

    public static void main(String[] args) {
        List<String> models = args.length == 0 ? List.of("cbr-small", "mobilenet-v2", "resnet50") : List.of(args);
        System.out.println("| model | tensors | parameters | DJL adamUpdate ms/step | fused ms/step | faster by |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (String model : models) {
            Architecture arch = ModelRegistry.get(model).build(3, 5, 1.0);
            try (NDManager root = NDManager.newBaseManager();
                 Network net = Network.create(root, arch, RandomInit.of(arch, 0))) {
                Map<String, NDArray> params = net.trainable();
                long count = params.values().stream().mapToLong(p -> p.getShape().size()).sum();
                Optimizer fused = new Optimizer(OptimizerKind.ADAM, 0.9f, 1e-4f);
                Map<String, NDArray[]> state = new LinkedHashMap<>();
                List<Double> a = new ArrayList<>();
                List<Double> b = new ArrayList<>();
                for (int round = 0; round < 7; round++) {
                    double previous = time(() -> previousAdam(params, state, 1e-3f), params);
                    double now = time(() -> fused.step(params, 1e-3f), params);
                    if (round >= 2) { // the first rounds warm up both
                        a.add(previous);
                        b.add(now);
                    }
                }
                double ma = TrainingBench.median(a.stream().mapToDouble(Double::doubleValue).toArray());
                double mb = TrainingBench.median(b.stream().mapToDouble(Double::doubleValue).toArray());
                System.out.printf(Locale.ROOT, "| %s | %d | %,d | %.2f | %.2f | %.2fx |%n", model, params.size(), count,
                        ma, mb, ma / mb);
            }
        }
    }

    /** Milliseconds per step over at least 1 s of steps, each after a backward that gives every tensor a gradient. */
    private static double time(Runnable step, Map<String, NDArray> params) {
        long spent = 0;
        int steps = 0;
        while (spent < 1_000_000_000L || steps < 5) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = null;
                for (NDArray w : params.values()) {
                    NDArray term = w.sum();
                    loss = loss == null ? term : loss.add(term);
                }
                gc.backward(loss);
            }
            long t0 = System.nanoTime();
            step.run();
            spent += System.nanoTime() - t0;
            steps++;
        }
        return spent / 1e6 / steps;
    }

    /**
     * The update before issue 33: DJL's adamUpdate per parameter (eleven passes, a JNI call each), then zero-grad.
     * Timed only, so its bias-corrected rate is left at lr: the value of a scalar does not change the work.
     */
    private static void previousAdam(Map<String, NDArray> params, Map<String, NDArray[]> state, float lr) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            NDArray[] s = state.computeIfAbsent(e.getKey(), k -> new NDArray[] {w.zerosLike(), w.zerosLike()});
            try (NDArray grad = w.getGradient()) {
                w.getNDArrayInternal().adamUpdate(new NDList(w, grad, s[0], s[1]), new NDList(w), lr, lr, 1e-4f, 1f,
                        -1f, 0.9f, 0.999f, 1e-8f, true, false);
            }
        }
    }
}
