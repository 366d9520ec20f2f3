package org.transfusion.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * libtorch operators that DJL's NDArray API does not reach, called as TorchScript functions through DJL's JNI
 * (its module-method call, with autograd recording as for any other operator).
 *
 * <p>{@link #relu6}: {@code torch.nn.functional.hardtanh(x, 0, 6)}, what PyTorch's {@code nn.ReLU6} runs: one pass
 * forward and one ({@code hardtanh_backward}) backward. DJL's own ways to ReLU6 cost four passes each way (clamp,
 * whose gradient is a comparison, a comparison, a logical-and and a {@code where}; or relu(x) - relu(x - 6):
 * sub, relu, relu, sub forward, two threshold_backwards, a neg and an add backward), about 30% of a MobileNetV2
 * training step at 128 px (bench/training/README.md). The function's TorchScript (resource {@code relu6.pt}) is
 * made by {@code scripts/scripted_ops.py}; it has no parameters, so it runs on the input's device.
 *
 * <p>{@link #adam}: libtorch's fused CPU Adam kernel over every parameter in one call (see there).
 */
public final class ScriptedOps {
    private static final Module RELU6 = new Module("relu6.pt");
    private static final Module ADAM = new Module("adam.pt");
    private static final Module RELU6_IN_PLACE = new Module("relu6_.pt");

    private ScriptedOps() {}

    /**
     * min(max(x, 0), 6), with libtorch's hardtanh gradient: 1 on (0, 6), 0 elsewhere (also at exactly 0 and 6, as
     * PyTorch's ReLU6). The result belongs to {@code x}'s manager.
     */
    public static NDArray relu6(NDArray x) {
        return IValueUtils.forward(RELU6.block(), new NDList(x), true).singletonOrThrow();
    }

    /**
     * min(max(x, 0), 6) written over {@code x} (libtorch's hardtanh_, as torchvision's ReLU6(inplace=True)): one pass
     * that reads and writes the same memory, where an out-of-place clamp writes a second tensor (mobilenet-v2 224 px
     * inference on AMD EPYC family 25: clamp 114 ms per step against PyTorch's 57, issue 33). For inference only: no
     * gradient may need {@code x}'s values. Returns an array on {@code x}'s storage, in {@code x}'s manager.
     */
    public static NDArray relu6InPlace(NDArray x) {
        return IValueUtils.forward(RELU6_IN_PLACE.block(), new NDList(x), false).singletonOrThrow();
    }

    /**
     * One Adam step (L2 {@code weightDecay} added to the gradient, as torch.optim.Adam) of every parameter in place,
     * with libtorch's fused CPU kernel ({@code torch._fused_adam_}: one vectorised pass per tensor, where DJL's
     * adamUpdate runs eleven), then every gradient zeroed; outside autograd. In the kernel's terms: m = lerp(m, g,
     * 1 - beta1), v = beta2 v + (1 - beta2) g^2, w -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps) with c1 = 1 -
     * beta1^step and c2 = 1 - beta2^step.
     *
     * <p>The kernel walks each parameter, its gradient and its moments as flat arrays, so the four must share one
     * dense memory layout: autograd gives a dense parameter's gradient its strides, and moments made by
     * {@code zerosLike} of the parameter have them.
     *
     * @param step the update's number, 1 for the first
     */
    public static void adam(NDArray[] params, NDArray[] grads, NDArray[] expAvgs, NDArray[] expAvgSqs, long step,
                            double lr, double beta1, double beta2, double weightDecay, double eps) {
        try (NDArray stepTensor = params[0].getManager().create((float) step);
             IValue p = IValue.listFrom(pt(params)); IValue g = IValue.listFrom(pt(grads));
             IValue m = IValue.listFrom(pt(expAvgs)); IValue v = IValue.listFrom(pt(expAvgSqs));
             IValue s = IValue.from((PtNDArray) stepTensor); IValue l = IValue.from(lr);
             IValue b1 = IValue.from(beta1); IValue b2 = IValue.from(beta2);
             IValue w = IValue.from(weightDecay); IValue e = IValue.from(eps);
             IValue out = IValueUtils.runMethod(ADAM.block(), "forward", p, g, m, v, s, l, b1, b2, w, e)) {
            // the returned step tensor is not needed
        }
    }

    private static PtNDArray[] pt(NDArray[] arrays) {
        PtNDArray[] out = new PtNDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = (PtNDArray) arrays[i];
        }
        return out;
    }

    /** A TorchScript resource, loaded on first use and kept for the life of the process. */
    private static final class Module {
        private final String resource;
        private volatile PtSymbolBlock block;

        Module(String resource) {
            this.resource = resource;
        }

        PtSymbolBlock block() {
            PtSymbolBlock b = block;
            if (b == null) {
                synchronized (this) {
                    b = block;
                    if (b == null) {
                        block = b = load(resource);
                    }
                }
            }
            return b;
        }
    }

    private static PtSymbolBlock load(String resource) {
        // The manager (and with it the module, a few hundred bytes) is kept for the life of the process.
        NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        // A single operator gains nothing from the graph executor's profiling and fusion passes, which would
        // otherwise run (and re-specialise) on the first calls of every new input shape.
        JniUtils.setGraphExecutorOptimize(false);
        try (InputStream in = ScriptedOps.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " beside " + ScriptedOps.class);
            }
            // libtorch's reader of a module from a Java stream fails to seek in it (DJL 0.36, libtorch 2.7.1): a
            // file it can read, made for the load and gone after it
            Path file = Files.createTempFile("transfusion-" + resource, ".pt");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                return JniUtils.loadModule((PtNDManager) manager, file, false, new String[0], new String[0], false);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(resource, e);
        }
    }
}
