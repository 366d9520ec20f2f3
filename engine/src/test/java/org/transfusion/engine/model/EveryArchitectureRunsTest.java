package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every registered architecture trains, evaluates and is probed on this CPU without crashing the process. oneDNN
 * 3.7 (inside libtorch 2.7.1) divides by zero in its 1x1-convolution blocking heuristic for some channel counts on
 * CPUs that report their caches in a certain way (AMD EPYC family 26 VMs: resnet50 aborted the JVM with SIGFPE);
 * {@link SmallMapConv} keeps those shapes away from it. The architectures run in a child JVM
 * ({@link ArchitectureSmoke}) so that a crash on some future CPU fails this test by name, with the crashing frame,
 * instead of taking the test JVM down. Sizes: 64 px (every stage's maps above 1x1 for resnet50: the 2x2 and 4x4
 * maps where oneDNN's 1x1 kernels run) and 32 px (the last stages on 1x1 maps: the small-map rewrites).
 */
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class EveryArchitectureRunsTest {
    @TempDir Path dir;

    @Test
    void everyArchitectureRunsForwardAndBackwardInAChildJvm() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"), "-XX:-CreateCoredumpOnCrash",
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                ArchitectureSmoke.class.getName(), "64", "32"));
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ended = p.waitFor(20, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        String log = Files.readString(out);
        List<String> started = log.lines().filter(l -> l.startsWith("start ")).map(l -> l.substring(6)).toList();
        List<String> ok = log.lines().filter(l -> l.startsWith("ok ")).map(l -> l.substring(3)).toList();
        String crash = "";
        try (var logs = Files.list(dir)) {
            for (Path f : logs.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList()) {
                crash = Files.readString(f).lines().filter(l -> l.startsWith("# C  ") || l.startsWith("#  SIG"))
                        .reduce("", (a, b) -> a + "\n" + b);
            }
        }
        String last = started.isEmpty() ? "(none)" : started.get(started.size() - 1);
        assertThat(ended).as("finished in time; last started: " + last).isTrue();
        assertThat(p.exitValue()).as("child JVM exit; died during: " + last + crash + "\n" + tail(log)).isZero();
        assertThat(ok).as("every case that started finished").isEqualTo(started);
        for (ModelCard info : ModelRegistry.all()) {
            assertThat(ok).as(info.name()).anyMatch(s -> s.startsWith(info.name() + " "));
        }
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
