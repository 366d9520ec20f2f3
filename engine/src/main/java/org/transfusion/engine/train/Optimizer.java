package org.transfusion.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.OptimizerKind;

/**
 * Adam or SGD with momentum, applied with libtorch's fused update kernels (through DJL's NDArrayEx), with the
 * state held here so that a checkpoint can save it and a resumed run continue bit-for-bit. Weight decay is
 * classic L2 added to the gradient (torch.optim semantics, not AdamW). The update also zeroes the gradient.
 */
public final class Optimizer {
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
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            try (NDArray grad = w.getGradient()) {
                NDArray[] s = state.computeIfAbsent(e.getKey(), k -> newState(w));
                if (kind == OptimizerKind.ADAM) {
                    double c1 = 1 - Math.pow(0.9, updates);
                    double c2 = 1 - Math.pow(0.999, updates);
                    float corrected = (float) (lr * Math.sqrt(c2) / c1);
                    w.getNDArrayInternal().adamUpdate(new NDList(w, grad, s[0], s[1]), new NDList(w), lr, corrected,
                            weightDecay, 1f, -1f, 0.9f, 0.999f, 1e-8f, true, false);
                } else {
                    NDList inputs = momentum == 0 ? new NDList(w, grad) : new NDList(w, grad, s[0]);
                    w.getNDArrayInternal().sgdUpdate(inputs, new NDList(w), lr, weightDecay, 1f, -1f, momentum, true);
                }
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
