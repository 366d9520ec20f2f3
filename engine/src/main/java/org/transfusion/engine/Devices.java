package org.transfusion.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import org.transfusion.error.BadInputException;

/**
 * Devices by name: {@code cpu} (the default) or {@code cuda[:N]}. A run is given its device in its
 * {@code run.RunContext} ({@code --device} on {@code train} and {@code study}, which hands it to each run, in this JVM
 * or a child's command line); {@link #chosen} is the environment's ({@code TRANSFUSION_DEVICE}), the default of a run
 * given none and of what is not a run (evaluating, comparing or probing finished runs, a study's analyses). Like the
 * thread count, the device is how a run executes, not what it is: run.json records it under provenance, and it is
 * not part of the run's identity.
 *
 * <p>The libtorch on Maven Central is the CPU build; CUDA needs an installed CUDA libtorch 2.7.x that DJL is
 * pointed at ({@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_FLAVOR}; see docs/scaling.md). Asking for CUDA where this
 * process's libtorch sees no GPU is one line and exit 2, never a silent fallback to the CPU.
 */
public final class Devices {
    private Devices() {}

    /** The environment's device, {@code TRANSFUSION_DEVICE} (checked: it exists here), else the CPU. */
    public static Device chosen() {
        String v = System.getenv("TRANSFUSION_DEVICE");
        return v == null || v.isBlank() ? Device.cpu() : available(parse(v));
    }

    /** {@code cpu}, {@code cuda} (= {@code cuda:0}) or {@code cuda:N}; anything else is a bad input. */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return Device.cpu();
        }
        if (t.equals("cuda") || t.equals("gpu")) {
            return Device.gpu(0);
        }
        if (t.matches("(cuda|gpu):\\d{1,3}")) {
            return Device.gpu(Integer.parseInt(t.substring(t.indexOf(':') + 1)));
        }
        throw new BadInputException("device '" + text + "': expected cpu, cuda or cuda:N (N = 0, 1, ... the GPU "
                + "index)");
    }

    /** {@code d} when this process's engine has it; otherwise a bad input saying what there is and what to do. */
    public static Device available(Device d) {
        if (!d.isGpu()) {
            return d;
        }
        int gpus = Engine.getInstance().getGpuCount();
        if (gpus == 0) {
            throw new BadInputException("device " + name(d) + ": this process's libtorch sees no CUDA GPU (the "
                    + "libtorch from Maven Central is the CPU build; for CUDA point DJL at an installed CUDA libtorch "
                    + "2.7.x with PYTORCH_LIBRARY_PATH and PYTORCH_FLAVOR, see docs/scaling.md), or use --device cpu");
        }
        if (d.getDeviceId() >= gpus) {
            throw new BadInputException("device " + name(d) + ": this machine has " + gpus + " CUDA GPU"
                    + (gpus == 1 ? "" : "s") + " (cuda:0" + (gpus > 1 ? " to cuda:" + (gpus - 1) : "") + ")");
        }
        return d;
    }

    /** The device as the options spell it: cpu or cuda:N. */
    public static String name(Device d) {
        return d.isGpu() ? "cuda:" + d.getDeviceId() : "cpu";
    }

    /** What this process can use, for --version: "cpu" or "cpu, cuda:0 .. cuda:N-1". */
    public static String describe() {
        int gpus = Engine.getInstance().getGpuCount();
        return gpus == 0 ? "cpu (no CUDA GPU visible to this libtorch)"
                : "cpu, cuda:0" + (gpus > 1 ? " to cuda:" + (gpus - 1) : "");
    }
}
