package org.transfusion.engine.run;

import ai.djl.Device;
import org.transfusion.engine.Devices;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.model.SmallMapConv;

/**
 * Where and how a run executes, handed to it explicitly (never through a system property set elsewhere): the device
 * every {@code NDManager} of the run is made on, and the kernel settings of this process, the batches' memory
 * layout ({@code TRANSFUSION_MEMORY_FORMAT}) and how 1x1 convolutions are computed ({@code TRANSFUSION_CONV1X1}).
 * None of them is part of the run's identity (a run resumes on another device); run.json records all three under
 * provenance ({@code device}, {@code memory_format}, {@code conv1x1}).
 *
 * <p>The kernel settings are the process's: the kernels read them once, from {@code -Dtransfusion.memory-format} /
 * {@code -Dtransfusion.conv1x1} on the JVM's command line or the environment, so a context names the ones in force
 * here and refuses others. The device is checked when the context is made: one this machine lacks is a bad input
 * before anything is written.
 */
public record RunContext(Device device, BatchArrays.MemoryFormat memoryFormat, SmallMapConv.Conv1x1 conv1x1) {
    public RunContext {
        if (device == null || memoryFormat == null || conv1x1 == null) {
            throw new IllegalArgumentException("a run context names a device and both kernel settings");
        }
        if (memoryFormat != BatchArrays.defaultFormat() || conv1x1 != SmallMapConv.Conv1x1.chosen()) {
            throw new IllegalArgumentException("the kernel settings are this process's ("
                    + BatchArrays.defaultFormat().setting() + ", conv1x1 " + SmallMapConv.Conv1x1.chosen().setting()
                    + "), not " + memoryFormat.setting() + ", conv1x1 " + conv1x1.setting());
        }
    }

    /** The environment's device ({@code TRANSFUSION_DEVICE}, else the CPU), checked, with this process's kernels. */
    public static RunContext fromEnvironment() {
        return process(Devices.chosen());
    }

    /**
     * The device {@code device} names (cpu, cuda, cuda:N; null or blank: the environment's), checked against this
     * machine, with this process's kernels.
     */
    public static RunContext on(String device) {
        return device == null || device.isBlank() ? fromEnvironment()
                : process(Devices.available(Devices.parse(device)));
    }

    /** {@code device} with this process's kernel settings. */
    public static RunContext process(Device device) {
        return new RunContext(device, BatchArrays.defaultFormat(), SmallMapConv.Conv1x1.chosen());
    }

    /** The device as options and run.json spell it: cpu or cuda:N. */
    public String deviceName() {
        return Devices.name(device);
    }
}
