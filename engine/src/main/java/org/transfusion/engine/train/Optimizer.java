package org.transfusion.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ScriptedOps;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.OptimizerKind;

/**
 * Adam or SGD with momentum, applied with libtorch's fused update kernels (Adam: torch._fused_adam_ over every
 * parameter at once, {@link ScriptedOps#adam}; SGD: DJL's NDArrayEx), with the
 * state held here so that a checkpoint can save it and a resumed run continue bit-for-bit. Weight decay is
 * classic L2 added to the gradient (torch.optim semantics, not AdamW). The update also zeroes the gradient.
 */
public final class Optimizer {
    /** Adam's betas as the float values DJL's adamUpdate took them, widened. */
    private static final double BETA1 = 0.9f;
    private static final double BETA2 = 0.999f;
    private final OptimizerKind kind;
    private final float momentum;
    private final float weightDecay;
    private final Map<String, NDArray[]> state = new LinkedHashMap<>();
    private long updates;

    public Optimizer(OptimizerKind kind, float momentum, float weightDecay) {
        this.kind = kind;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    public long updates() {
        return updates;
    }

    /** One update of every parameter with learning rate {@code lr}. */
    public void step(Map<String, NDArray> params, float lr) {
        updates++;
        if (kind == OptimizerKind.ADAM) {
            adamStep(params, lr);
            return;
        }
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            try (NDArray grad = w.getGradient()) {
                NDArray[] s = state.computeIfAbsent(e.getKey(), k -> newState(w));
                NDList inputs = momentum == 0 ? new NDList(w, grad) : new NDList(w, grad, s[0]);
                w.getNDArrayInternal().sgdUpdate(inputs, new NDList(w), lr, weightDecay, 1f, -1f, momentum, true);
            }
        }
    }

    /**
     * Adam over every parameter in one call of libtorch's fused kernel ({@link ScriptedOps#adam}), computing what
     * DJL's adamUpdate computed before it (OptimizerTest), so that runs continue as they did: that update was
     * {@code w -= lr sqrt(c2) / c1 * m / (sqrt(v) + 1e-8)} (Kingma and Ba's "efficient version" of the epsilon) with
     * its moments' coefficients from the float betas 0.9f and 0.999f and its bias corrections c1 = 1 - 0.9^t and
     * c2 = 1 - 0.999^t in double. The kernel takes the betas as given for both, so it gets the float betas, and a
     * learning rate and epsilon that turn its bias corrections (from those betas, c1' and c2') into the double
     * ones: lr' = lr (sqrt(c2) / c1) (c1' / sqrt(c2')), eps' = 1e-8 / sqrt(c2').
     */
    private void adamStep(Map<String, NDArray> params, float lr) {
        int n = params.size();
        NDArray[] ws = new NDArray[n];
        NDArray[] grads = new NDArray[n];
        NDArray[] ms = new NDArray[n];
        NDArray[] vs = new NDArray[n];
        int i = 0;
        try {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray w = e.getValue();
                NDArray[] s = state.computeIfAbsent(e.getKey(), k -> newState(w));
                ws[i] = w;
                ms[i] = s[0];
                vs[i] = s[1];
                grads[i++] = w.getGradient();
            }
            double c1 = 1 - Math.pow(0.9, updates);
            double c2 = 1 - Math.pow(0.999, updates);
            double c1f = 1 - Math.pow(BETA1, updates);
            double c2f = 1 - Math.pow(BETA2, updates);
            ScriptedOps.adam(ws, grads, ms, vs, updates, lr * (Math.sqrt(c2) / c1) * (c1f / Math.sqrt(c2f)), BETA1,
                    BETA2, weightDecay, 1e-8 / Math.sqrt(c2f));
        } finally {
            for (int k = 0; k < i; k++) {
                grads[k].close(); // a handle on the parameter's gradient, not the gradient's storage
            }
        }
    }

    private NDArray[] newState(NDArray w) {
        int n = kind == OptimizerKind.ADAM ? 2 : momentum == 0 ? 0 : 1;
        NDArray[] s = new NDArray[n];
        for (int i = 0; i < n; i++) {
            s[i] = w.zerosLike();
        }
        return s;
    }

    /** The optimiser state as tensors ({@code optim.KEY.0}, ...); the update count is {@link #updates()}. */
    public StateDict saveState() {
        StateDict out = new StateDict();
        state.forEach((key, arrays) -> {
            for (int i = 0; i < arrays.length; i++) {
                out.put("optim." + key + "." + i,
                        new HostTensor(arrays[i].getShape().getShape(), arrays[i].toFloatArray()));
            }
        });
        return out;
    }

    /** Restores {@link #saveState()} output; the parameters give the device and manager of the state arrays. */
    public void loadState(StateDict saved, Map<String, NDArray> params, long updateCount) {
        updates = updateCount;
        state.clear();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray[] s = newState(e.getValue());
            for (int i = 0; i < s.length; i++) {
                HostTensor t = saved.get("optim." + e.getKey() + "." + i);
                if (t != null) {
                    // Added into the zeros of the parameter's own layout (NDArray.set prints libtorch's deprecation
                    // warning, see Network.load).
                    try (NDArray values = s[i].getManager().create(t.values(), s[i].getShape())) {
                        s[i].addi(values);
                    }
                }
            }
            state.put(e.getKey(), s);
        }
    }
}
