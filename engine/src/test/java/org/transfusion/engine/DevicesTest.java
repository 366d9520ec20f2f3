package org.transfusion.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

/** The --device values, and CUDA refused in one line where this process's libtorch has no GPU. */
class DevicesTest {
    @Test
    void namesParse() {
        assertThat(Devices.parse(" CPU ")).isEqualTo(Device.cpu());
        assertThat(Devices.parse("cuda")).isEqualTo(Device.gpu(0));
        assertThat(Devices.parse("cuda:3")).isEqualTo(Device.gpu(3));
        assertThat(Devices.name(Devices.parse("gpu:1"))).isEqualTo("cuda:1");
        for (String bad : new String[] {"tpu", "cuda:", "cuda:-1", "cuda:x", ""}) {
            assertThatThrownBy(() -> Devices.parse(bad)).as(bad).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("expected cpu, cuda or cuda:N");
        }
    }

    @Test
    void cudaIsCheckedAgainstWhatThisLibtorchSees() {
        int gpus = Engine.getInstance().getGpuCount();
        assertThat(Devices.available(Device.cpu())).isEqualTo(Device.cpu());
        if (gpus == 0) {
            // the CPU build from Maven Central, as on every machine this project's CI runs on
            assertThatThrownBy(() -> Devices.available(Device.gpu(0))).isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("device cuda:0: this process's libtorch sees no CUDA GPU")
                    .hasMessageContaining("PYTORCH_LIBRARY_PATH");
            assertThat(Devices.describe()).isEqualTo("cpu (no CUDA GPU visible to this libtorch)");
        } else {
            assertThat(Devices.available(Device.gpu(gpus - 1))).isEqualTo(Device.gpu(gpus - 1));
            assertThatThrownBy(() -> Devices.available(Device.gpu(gpus))).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("this machine has " + gpus + " CUDA GPU");
        }
    }
}
