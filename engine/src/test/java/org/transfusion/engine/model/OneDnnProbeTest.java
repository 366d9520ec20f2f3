package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.model.OneDnnProbe.Verdict;
import org.transfusion.error.BadInputException;

/**
 * The once-per-machine question "does oneDNN crash on the 1x1 channel pairs it crashes on elsewhere?" — answered
 * by a child JVM, kept in the cache, and never trusted over a logged crash. The crash itself cannot be had on
 * demand here, so a child is made to die of a real SIGSEGV at the probe's start ({@code transfusion.fault}),
 * which is what the parent sees of a SIGFPE inside oneDNN: a JVM that aborted with exit 134.
 */
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class OneDnnProbeTest {
    @TempDir Path cache;

    @Test
    void theChildsExitIsReadAsTheIssueDescribesIt() {
        assertThat(OneDnnProbe.verdict(0, "probe ok\n")).isEqualTo(Verdict.SAFE);
        String report = "#\n# " + OneDnnProbe.FATAL + ":\n#\n#  SIGFPE (0x8) at pc=0x00007f5c1d66937c\n";
        assertThat(OneDnnProbe.verdict(1, report)).as("fatal error, no core dump: exit 1").isEqualTo(Verdict.CRASHES);
        assertThat(OneDnnProbe.verdict(134, report)).as("fatal error, abort").isEqualTo(Verdict.CRASHES);
        assertThat(OneDnnProbe.verdict(136, "")).as("killed by SIGFPE (128 + 8)").isEqualTo(Verdict.CRASHES);
        assertThat(OneDnnProbe.verdict(1, "Exception in thread main")).isEqualTo(Verdict.UNKNOWN);
        assertThat(OneDnnProbe.verdict(0, "")).as("exit 0 without finishing is no answer").isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void aCrashingChildIsRecordedOnceAndTheCrashingPairsAreSplit() throws Exception {
        assertThat(OneDnnProbe.decide(cache, List.of("-Dtransfusion.fault=onednn-probe:0:native-crash")))
                .as("a child that died on a signal means split").isTrue();
        Path dir = cache.resolve("probe");
        Path answer = dir.resolve("onednn-1x1-" + OneDnnProbe.machineKey() + ".txt");
        assertThat(Files.readString(answer)).startsWith("CRASHES\n").contains("cpu family");
        try (Stream<Path> logs = Files.list(dir)) {
            assertThat(logs.map(p -> p.getFileName().toString())).as("the expected crash's JVM log stays here")
                    .anyMatch(n -> n.startsWith("hs_err_probe_pid"));
        }
        // Asked again (no fault this time): the kept answer is used and no child runs.
        Path childLog = dir.resolve("last-child.log");
        Files.setLastModifiedTime(childLog, FileTime.fromMillis(0));
        assertThat(OneDnnProbe.ask(cache, List.of())).isEqualTo(Verdict.CRASHES);
        assertThat(Files.getLastModifiedTime(childLog).toMillis()).as("no second child").isZero();
    }

    /**
     * On this machine the child must give an answer (it starts, loads libtorch and runs every hazard shape or
     * dies on one), and the answer must hold in this very JVM: if it says SAFE, the same shapes run here — a wrong
     * SAFE would abort this test's JVM and fail the build, as the issue asks of a CPU where they crash.
     */
    @Test
    void thisMachinesAnswerHoldsHere() {
        Verdict v = OneDnnProbe.ask(cache, List.of());
        assertThat(v).isIn(Verdict.SAFE, Verdict.CRASHES);
        if (v == Verdict.SAFE) {
            OneDnnProbe.runHazardShapes();
            assertThat(OneDnnProbe.decide(cache, List.of())).isFalse();
        } else {
            assertThat(OneDnnProbe.decide(cache, List.of())).isTrue();
        }
    }

    @Test
    void aLoggedOneDnnCrashWinsOverAnyAnswer() throws Exception {
        Files.createDirectories(cache.resolve("probe"));
        Files.writeString(cache.resolve("probe").resolve("onednn-1x1-" + OneDnnProbe.machineKey() + ".txt"),
                "SAFE\n");
        assertThat(OneDnnProbe.decide(cache, List.of())).isFalse();
        Files.createDirectories(cache.resolve("crash"));
        Files.writeString(cache.resolve("crash").resolve(OneDnnProbe.CRASH_MARKER), "");
        assertThat(OneDnnProbe.decide(cache, List.of())).isTrue();
    }

    @Test
    void theKeyHashesTheCpuCachesAndLibtorch() {
        String d = OneDnnProbe.machineDescription();
        assertThat(d).contains("probe " + OneDnnProbe.VERSION).contains("libtorch 2.").contains("cpus ")
                .contains("cpu family").contains("flags").containsPattern("cache 1 Data \\d+K");
        assertThat(OneDnnProbe.machineKey()).hasSize(16).isEqualTo(OneDnnProbe.machineKey());
    }

    @Test
    void thePolicyIsNamedAndAutoIsTheDefault() {
        assertThat(SmallMapConv.Conv1x1.parse(null)).isEqualTo(SmallMapConv.Conv1x1.AUTO);
        assertThat(SmallMapConv.Conv1x1.parse(" Native ")).isEqualTo(SmallMapConv.Conv1x1.NATIVE);
        assertThat(SmallMapConv.Conv1x1.parse("onednn")).isEqualTo(SmallMapConv.Conv1x1.ONEDNN);
        assertThat(SmallMapConv.Conv1x1.ONEDNN.splitsCrashingPairs()).isTrue();
        assertThat(SmallMapConv.Conv1x1.NATIVE.splitsCrashingPairs()).isFalse();
        assertThatThrownBy(() -> SmallMapConv.Conv1x1.parse("fast")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("TRANSFUSION_CONV1X1").hasMessageContaining("auto, onednn, native or matmul");
    }
}
