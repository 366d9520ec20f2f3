package org.transfusion.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
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
 * made by {@code scripts/relu6_torchscript.py}; it has no parameters, so it runs on the input's device.
 */
public final class ScriptedOps {
    private static final String RELU6 = "relu6.pt";
    private static volatile PtSymbolBlock relu6;

    private ScriptedOps() {}

    /**
     * min(max(x, 0), 6), with libtorch's hardtanh gradient: 1 on (0, 6), 0 elsewhere (also at exactly 0 and 6, as
     * PyTorch's ReLU6). The result belongs to {@code x}'s manager.
     */
    public static NDArray relu6(NDArray x) {
        return IValueUtils.forward(relu6Module(), new NDList(x), true).singletonOrThrow();
    }

    private static PtSymbolBlock relu6Module() {
        PtSymbolBlock m = relu6;
        if (m == null) {
            synchronized (ScriptedOps.class) {
                m = relu6;
                if (m == null) {
                    relu6 = m = load(RELU6);
                }
            }
        }
        return m;
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
