package org.transfusion.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.Devices;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.model.SmallMapConv;
import org.transfusion.error.BadInputException;

class RunContextTest {
    @Test
    void aNamedDeviceIsParsedCheckedAndGoesWithThisProcesssKernels() {
        RunContext cpu = RunContext.on(" CPU ");
        assertThat(cpu.device()).isEqualTo(Device.cpu());
        assertThat(cpu.deviceName()).isEqualTo("cpu");
        assertThat(cpu.memoryFormat()).isEqualTo(BatchArrays.defaultFormat());
        assertThat(cpu.conv1x1()).isEqualTo(SmallMapConv.Conv1x1.chosen());
        assertThat(RunContext.on(null)).as("none named: the environment's").isEqualTo(RunContext.fromEnvironment());
        assertThat(RunContext.on("")).isEqualTo(RunContext.fromEnvironment());
        assertThat(RunContext.fromEnvironment().device()).isEqualTo(Devices.chosen());
        assertThatThrownBy(() -> RunContext.on("cdua")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("device 'cdua': expected cpu, cuda or cuda:N");
        if (Engine.getInstance().getGpuCount() == 0) {
            assertThatThrownBy(() -> RunContext.on("cuda:0")).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("device cuda:0: this process's libtorch sees no CUDA GPU");
        }
    }

    /** The kernels read their settings once per process, so a context cannot claim others than they use. */
    @Test
    void kernelSettingsOtherThanThisProcesssAreRefused() {
        BatchArrays.MemoryFormat other = BatchArrays.defaultFormat() == BatchArrays.MemoryFormat.CHANNELS_LAST
                ? BatchArrays.MemoryFormat.CONTIGUOUS : BatchArrays.MemoryFormat.CHANNELS_LAST;
        assertThatThrownBy(() -> new RunContext(Device.cpu(), other, SmallMapConv.Conv1x1.chosen()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(other.setting());
        assertThat(new RunContext(Device.cpu(), BatchArrays.defaultFormat(), SmallMapConv.Conv1x1.chosen()))
                .isEqualTo(RunContext.process(Device.cpu()));
        assertThat(BatchArrays.MemoryFormat.CHANNELS_LAST.setting()).isEqualTo("channels-last");
        assertThat(SmallMapConv.Conv1x1.ONEDNN.setting()).isEqualTo("onednn");
    }
}
