package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.error.BadInputException;

/**
 * An architecture with live tensors on the engine. All tensors live in the network's own manager; a training
 * step's intermediate arrays live in the step's sub-manager and are freed with it.
 */
public final class Network implements AutoCloseable {
    private final Architecture arch;
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> arrays = new LinkedHashMap<>();
    private final Params params;

    private Network(Architecture arch, NDManager manager) {
        this.arch = arch;
        this.manager = manager;
        this.params = key -> {
            NDArray a = arrays.get(key);
            if (a == null) {
                throw new IllegalStateException(arch.name() + " has no tensor " + key);
            }
            return a;
        };
    }

    /**
     * Builds the network from {@code weights}, which must hold exactly the architecture's keys and shapes. With
     * channels-last batches (the default, see {@link BatchArrays}) the 4-d convolution weights are laid out
     * channels-last too, as {@code model.to(memory_format=torch.channels_last)} does: libtorch picks the
     * channels-last kernels when the input or the weight is channels-last, and a map that has shrunk to 1x1 is
     * both layouts at once, so only the weight keeps such layers on the fast path (mobilenet-v2 at 28 px spent
     * ~30% of a training step in oneDNN's plain-layout gemm convolution before).
     */
    public static Network create(NDManager parent, Architecture arch, StateDict weights) {
        checkMatches(arch, weights, "weights");
        boolean channelsLast = BatchArrays.defaultFormat() == BatchArrays.MemoryFormat.CHANNELS_LAST;
        Network net = new Network(arch, parent.newSubManager());
        for (TensorSpec spec : arch.specs().values()) {
            if (spec.kind() == TensorKind.BN_BATCHES_TRACKED) {
                continue; // kept only in state dicts, for torchvision key compatibility
            }
            NDArray a = array(net.manager, weights.get(spec.key()), spec, channelsLast);
            if (spec.kind().trainable()) {
                a.setRequiresGradient(true);
            }
            net.arrays.put(spec.key(), a);
        }
        return net;
    }

    /** The array of one tensor: channels-last in memory for a 4-d weight when {@code channelsLast}. */
    private static NDArray array(NDManager manager, HostTensor t, TensorSpec spec, boolean channelsLast) {
        return channelsLast && spec.shape().length == 4 ? channelsLast(manager, t.values(), spec.shape())
                : manager.create(t.values(), new Shape(spec.shape()));
    }

    /** An O x I x H x W array whose memory is O x H x W x I (a transposed view), from OIHW-ordered values. */
    private static NDArray channelsLast(NDManager manager, float[] oihw, long[] shape) {
        return manager.create(channelsLastOrder(oihw, shape), new Shape(shape[0], shape[2], shape[3], shape[1]))
                .transpose(0, 3, 1, 2);
    }

    /** Values of a 4-d array given in (d0, d1, d2, d3) order, rearranged to (d0, d2, d3, d1) order. */
    static float[] channelsLastOrder(float[] oihw, long[] shape) {
        int o = (int) shape[0];
        int in = (int) shape[1];
        int hw = (int) (shape[2] * shape[3]);
        float[] ohwi = new float[oihw.length];
        for (int a = 0; a < o; a++) {
            for (int c = 0; c < in; c++) {
                for (int p = 0; p < hw; p++) {
                    ohwi[(a * hw + p) * in + c] = oihw[(a * in + c) * hw + p];
                }
            }
        }
        return ohwi;
    }

    /** Strict check: same keys, same shapes; otherwise an error listing the first mismatches. */
    public static void checkMatches(Architecture arch, StateDict weights, String what) {
        List<String> problems = new ArrayList<>();
        for (TensorSpec spec : arch.specs().values()) {
            HostTensor t = weights.get(spec.key());
            if (t == null) {
                problems.add("missing " + spec.key());
            } else if (!t.sameShape(spec.shape())) {
                problems.add(spec.key() + " has shape " + java.util.Arrays.toString(t.shape()) + ", expected "
                        + spec.shapeText());
            }
        }
        for (String key : weights.keys()) {
            if (!arch.specs().containsKey(key)) {
                problems.add("unexpected " + key);
            }
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(what + " do not fit " + arch.name() + ": "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : ""));
        }
    }

    public Architecture architecture() {
        return arch;
    }

    public NDManager manager() {
        return manager;
    }

    /** The live tensors by key, as the forward pass looks them up (e.g. to run an {@link Encoder} alone). */
    public Params params() {
        return params;
    }

    public NDArray forward(NDArray x, boolean training) {
        return arch.forward(params, x, training, Taps.NONE);
    }

    public NDArray forward(NDArray x, boolean training, Taps taps) {
        return arch.forward(params, x, training, taps);
    }

    /** Live tensors the optimiser updates, by key. */
    public Map<String, NDArray> trainable() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> {
            if (arch.specs().get(k).kind().trainable()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Copies every tensor back to Java memory (int64 counters as 0: libtorch does not track them here). */
    public StateDict toStateDict() {
        StateDict out = new StateDict();
        for (TensorSpec spec : arch.specs().values()) {
            NDArray a = arrays.get(spec.key());
            if (a == null) {
                out.put(spec.key(), HostTensor.zeros(spec.shape()));
            } else {
                out.put(spec.key(), new HostTensor(spec.shape(), a.toType(DataType.FLOAT32, false).toFloatArray()));
            }
        }
        return out;
    }

    /** Overwrites every tensor in place with {@code weights} (same keys and shapes). */
    public void load(StateDict weights) {
        checkMatches(arch, weights, "weights");
        // Copied in as a full-slice index_put_, which keeps each array's own layout (channels-last weights too) and
        // its autograd flag. DJL's NDArray.set(Buffer) would do the same under a deprecated libtorch guard that
        // prints a warning once per process: at the end of every training run.
        arrays.forEach((k, a) -> {
            NDIndex all = new NDIndex(String.join(",", java.util.Collections.nCopies(a.getShape().dimension(), ":")));
            try (NDArray fresh = manager.create(weights.get(k).values(), a.getShape())) {
                a.set(all, fresh);
            }
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
