package org.transfusion.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.OptimizerKind;

/**
 * Adam through libtorch's fused kernel ({@code ScriptedOps.adam}, issue 33) against the update it replaced, DJL's
 * adamUpdate as {@code Optimizer} called it before (commit 047dcbf), step by step on the same parameters and
 * gradients: parameters equal within 1e-6 relative to the step's operands (the larger of the parameter before and
 * after it: where w - u nearly cancels, one rounding of w is many of the difference), the moments within 1e-6 of
 * their tensor's largest magnitude
 * (the two compute m as m + 0.1 (g - m) and as 0.9 m + 0.1 g, which round differently where m nearly cancels),
 * for a convolution weight in the channels-last layout the trainer uses, a contiguous matrix and a bias; and every
 * gradient zeroed after the step.
 */
class OptimizerTest {
    private static final List<Shape> SHAPES = List.of(new Shape(8, 3, 3, 3), new Shape(5, 8), new Shape(5));

    private static float[] gaussian(long n, Random r, double scale) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /** Parameters as the trainer holds them: the 4-d one channels-last (NHWC strides under its NCHW shape). */
    private static Map<String, NDArray> params(NDManager nd, long seed) {
        Random r = new Random(seed);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.size(); i++) {
            Shape s = SHAPES.get(i);
            NDArray w = nd.create(gaussian(s.size(), r, 0.5), s);
            if (s.dimension() == 4) {
                w = w.transpose(0, 2, 3, 1).toDevice(w.getDevice(), true).transpose(0, 3, 1, 2);
            }
            w.setRequiresGradient(true);
            out.put("p" + i, w);
        }
        return out;
    }

    /** Backward of sum(w * G) for each parameter: its gradient is G (drawn per step, of mixed magnitudes). */
    private static void gradients(NDManager nd, Map<String, NDArray> params, Random r, int step) {
        try (NDManager s = nd.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (NDArray w : params.values()) {
                NDArray g = s.create(gaussian(w.getShape().size(), r, step % 2 == 0 ? 1e-2 : 3.0), w.getShape());
                NDArray term = w.mul(g).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    /** The previous update, as Optimizer ran it before: DJL's adamUpdate per parameter, then its zero-grad. */
    private static void previousAdam(Map<String, NDArray> params, Map<String, NDArray[]> state, long t, float lr,
                                     float wd) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            NDArray[] s = state.computeIfAbsent(e.getKey(), k -> new NDArray[] {w.zerosLike(), w.zerosLike()});
            try (NDArray grad = w.getGradient()) {
                double c1 = 1 - Math.pow(0.9, t);
                double c2 = 1 - Math.pow(0.999, t);
                float corrected = (float) (lr * Math.sqrt(c2) / c1);
                w.getNDArrayInternal().adamUpdate(new NDList(w, grad, s[0], s[1]), new NDList(w), lr, corrected, wd,
                        1f, -1f, 0.9f, 0.999f, 1e-8f, true, false);
            }
        }
    }

    @Test
    void fusedAdamFollowsThePreviousUpdateStepByStep() {
        float lr = 1e-3f;
        float wd = 1e-4f;
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> fused = params(nd, 5);
            Map<String, NDArray> previous = params(nd, 5);
            Optimizer optimizer = new Optimizer(OptimizerKind.ADAM, 0.9f, wd);
            Map<String, NDArray[]> previousState = new LinkedHashMap<>();
            Random gradsA = new Random(11);
            Random gradsB = new Random(11);
            for (int t = 1; t <= 6; t++) {
                Map<String, float[]> before = new LinkedHashMap<>();
                previous.forEach((k, w) -> before.put(k, w.toFloatArray()));
                gradients(nd, fused, gradsA, t);
                gradients(nd, previous, gradsB, t);
                optimizer.step(fused, lr);
                previousAdam(previous, previousState, t, lr, wd);
                StateDict moments = optimizer.saveState();
                for (String key : fused.keySet()) {
                    float[] a = fused.get(key).toFloatArray();
                    float[] b = previous.get(key).toFloatArray();
                    float[] w = before.get(key);
                    for (int i = 0; i < a.length; i++) {
                        double operands = Math.max(Math.abs(b[i]), Math.abs(w[i]));
                        assertThat((double) a[i]).as("step %d %s[%d]", t, key, i)
                                .isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-6 * operands));
                    }
                    assertThat(a).as("the step moved %s", key).isNotEqualTo(w);
                    for (int k = 0; k < 2; k++) {
                        float[] m = moments.get("optim." + key + "." + k).values();
                        float[] ref = previousState.get(key)[k].toFloatArray();
                        double scale = 0;
                        for (float v : ref) {
                            scale = Math.max(scale, Math.abs(v));
                        }
                        for (int i = 0; i < m.length; i++) {
                            assertThat((double) m[i]).as("step %d moment %d of %s[%d]", t, k, key, i)
                                    .isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-6 * scale));
                        }
                    }
                    assertThat(fused.get(key).getGradient().abs().max().getFloat()).as("gradient zeroed").isZero();
                }
            }
            assertThat(optimizer.updates()).isEqualTo(6);
        }
    }
}
