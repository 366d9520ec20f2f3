package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A native crash (a signal inside libtorch, as oneDNN's SIGFPE on AMD family-26 CPUs was) is not the user's
 * problem to decode: started as the launcher starts it (sourcing {@code scripts/native-env.sh}, then java with its
 * flags), the JVM exits with 134 (SIGABRT after its report), its log goes to
 * the cache's crash folder instead of the working directory, one line on stderr says what happened, where the log
 * is and what to try, and the run folder resumes from its last checkpoint to the same weights as a run that was
 * never interrupted. The crash is a real SIGSEGV injected right after a checkpoint ({@code transfusion.fault}).
 */
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class NativeCrashTest {
    @TempDir Path dir;

    private static final Path ROOT = ChildCli.ROOT;

    @Test
    void crashIsLoggedInTheCrashFolderExplainedInOneLineAndTheRunResumes() throws Exception {
        Path cache = dir.resolve("cache");
        Path cwd = Files.createDirectories(dir.resolve("cwd"));

        ChildCli.Proc crashed = java(cwd, cache, "-Dtransfusion.fault=checkpointed:4:native-crash",
                train(dir.resolve("run")));
        assertThat(crashed.code()).as(crashed.err()).isEqualTo(134);
        Path log = cache.resolve("crash").resolve("hs_err_pid" + crashed.pid() + ".log");
        assertThat(log).exists();
        try (Stream<Path> left = Files.list(cwd)) {
            assertThat(left).as("nothing dropped into the working directory").isEmpty();
        }
        String note = crashed.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertThat(note).startsWith("transfusion: the process died on a native crash (SIGSEGV)")
                .contains("JVM log: " + log).contains("--resume");
        assertThat(dir.resolve("run").resolve("checkpoint.safetensors")).exists();

        List<String> resume = new ArrayList<>(train(dir.resolve("run")));
        resume.add("--resume");
        ChildCli.Proc resumed = java(cwd, cache, null, resume);
        assertThat(resumed.code()).as(resumed.err()).isZero();

        ChildCli.Proc whole = java(cwd, cache, null, train(dir.resolve("whole")));
        assertThat(whole.code()).as(whole.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("run").resolve("weights.safetensors")))
                .as("resumed weights equal an uninterrupted run's")
                .isEqualTo(Files.readAllBytes(dir.resolve("whole").resolve("weights.safetensors")));
    }

    /**
     * A crash inside oneDNN's 1x1 blocking heuristic (the frame the issue reported, in a JVM log written here as
     * the JVM writes one) leaves the marker that makes later runs split those convolutions, and says so.
     */
    @Test
    void aOneDnnOneByOneCrashLeavesTheMarkerThatAvoidsItNextTime() throws Exception {
        Path crash = Files.createDirectories(dir.resolve("crash"));
        Files.writeString(crash.resolve("hs_err_pid4242.log"), String.join("\n",
                "#", "# A fatal error has been detected by the Java Runtime Environment:", "#",
                "#  SIGFPE (0x8) at pc=0x00007f5c1d66937c, pid=4242, tid=4243", "#",
                "# Problematic frame:",
                "# C  [libtorch_cpu.so+0x1166937c]  dnnl::impl::cpu::x64::brgemm_convolution_utils::brg_blocking_t"
                        + "::est_eff_1x1()+0xa5c", "#", ""));
        Process p = new ProcessBuilder("sh", ROOT.resolve("scripts").resolve("crash-note.sh").toString(), "4242",
                crash.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        assertThat(crash.resolve("onednn-1x1-crashed")).exists();
        assertThat(said).contains("(SIGFPE)").contains("est_eff_1x1").contains("later runs now avoid it");

        // Any other crash leaves no marker.
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("hs_err_pid7.log"), "#  SIGSEGV (0xb)\n# C  [libc.so.6+0x1234]  memcpy+0x1\n");
        Process q = new ProcessBuilder("sh", ROOT.resolve("scripts").resolve("crash-note.sh").toString(), "7",
                other.toString()).redirectErrorStream(true).start();
        assertThat(new String(q.getInputStream().readAllBytes())).contains("(SIGSEGV)").contains("--threads 1");
        assertThat(q.waitFor()).isZero();
        assertThat(other.resolve("onednn-1x1-crashed")).doesNotExist();
    }

    private static List<String> train(Path out) {
        return List.of("train", "--data", "synthetic:retina?n=200&size=16", "--model", "cbr-small", "--steps", "8",
                "--batch-size", "8", "--eval-every", "2", "--threads", "1", "--out", out.toString());
    }

    private static ChildCli.Proc java(Path cwd, Path cache, String extra, List<String> args) throws Exception {
        return ChildCli.run(cwd, cache, extra, args);
    }
}
