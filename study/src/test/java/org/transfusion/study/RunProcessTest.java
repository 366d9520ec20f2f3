package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child run's command line: its spec, threads, folder, and the study's device as {@code --device}, never a -D flag. */
class RunProcessTest {
    @Test
    void theStudysDeviceTravelsOnTheChildsCommandLine(@TempDir Path dir) {
        PlannedRun run = Plan.of(Presets.get("forgetting", "demo"), dir, null).runs().get(0);
        List<String> gpu = RunProcess.of(run, 2, "cp", "cuda:1").command(42);
        assertThat(gpu).containsSubsequence("train", "--spec", StudyFolder.specFile(run).toAbsolutePath().toString(),
                "--threads", "2").containsSubsequence("--device", "cuda:1");
        assertThat(gpu.subList(gpu.indexOf("--device"), gpu.indexOf("--device") + 2)).containsExactly("--device",
                "cuda:1");
        assertThat(gpu).noneMatch(a -> a.startsWith("-Dtransfusion.device"));
        assertThat(gpu).contains("-Dtransfusion.parent-pid=42");

        List<String> none = RunProcess.of(run, 2, "cp", null).command(42);
        assertThat(none).as("no device given: the child's environment decides").doesNotContain("--device")
                .noneMatch(a -> a.startsWith("-Dtransfusion.device"));
    }
}
