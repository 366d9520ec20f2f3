package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunMetrics;

/**
 * issue 18: a run killed at any write of its folder resumes to what an uninterrupted run ends with. Each case
 * kills a real `train` JVM (exit 137, as kill -9) right after one write of the protocol — run.json before the
 * initial weights, the best weights before the checkpoint, the checkpoint before curve.csv, everything of a step —
 * then reruns the same command with --resume. Before the one-file checkpoint, a kill between the weights and the
 * step counter resumed 16 steps too many, and one after the counter lost a curve row (steps_to_auc wrong).
 */
class CheckpointProtocolTest {
    @TempDir static Path dir;
    private static Path whole;

    private static List<String> train(Path out) {
        return List.of("train", "--data", "synthetic:retina?n=200&size=16", "--model", "cbr-small", "--steps", "8",
                "--batch-size", "8", "--eval-every", "2", "--threads", "1", "--out", out.toString());
    }

    @BeforeAll
    static void uninterrupted() throws Exception {
        whole = dir.resolve("whole");
        ChildCli.Proc p = ChildCli.run(Files.createDirectories(dir.resolve("cwd")), dir.resolve("cache"), null,
                train(whole));
        assertThat(p.code()).as(p.err()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"run-json-written:0", "best-written:2", "checkpoint-written:4", "checkpointed:6"})
    void killedAfterAnyWriteResumesToTheUninterruptedResult(String point) throws Exception {
        Path run = dir.resolve(point.replace(':', '-'));
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        ChildCli.Proc killed = ChildCli.run(cwd, dir.resolve("cache"), "-Dtransfusion.fault=" + point + ":halt",
                train(run));
        assertThat(killed.code()).as("the fault fired: " + killed.err()).isEqualTo(137);
        assertThat(run.resolve("run.json")).exists();

        List<String> resume = new ArrayList<>(train(run));
        resume.add("--resume");
        ChildCli.Proc resumed = ChildCli.run(cwd, dir.resolve("cache"), null, resume);
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readAllBytes(run.resolve("weights.safetensors"))).as("best weights")
                .isEqualTo(Files.readAllBytes(whole.resolve("weights.safetensors")));
        assertThat(withoutTimes(run)).as("curve.csv").isEqualTo(withoutTimes(whole));
        assertThat(stepsToAuc(run)).isEqualTo(stepsToAuc(whole));
        try (var left = Files.list(run)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no checkpoint or temp file left")
                    .noneMatch(n -> n.startsWith("checkpoint") || n.endsWith(".tmp"));
        }
    }

    /**
     * issue 18: two `train` commands into one --out both printed done. The folder's lock is held here by another
     * JVM (as a running `train` holds it); `train` into it exits 2 naming that process, writes nothing, and once
     * the holder is gone (its lock released with it) the same command runs.
     */
    @Test
    void aSecondWriterInAnotherProcessIsRefused() throws Exception {
        Path run = dir.resolve("held");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), run.toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(new BufferedReader(new InputStreamReader(holder.getInputStream())).readLine())
                    .isEqualTo("locked");
            Path cwd = Files.createDirectories(dir.resolve("cwd"));
            ChildCli.Proc second = ChildCli.run(cwd, dir.resolve("cache"), null, train(run));
            assertThat(second.code()).as(second.err()).isEqualTo(2);
            assertThat(second.err().strip()).isEqualTo("transfusion: error: " + run + ": another process (pid "
                    + holder.pid() + ") is writing this run folder; wait for it to finish or choose a new --out");
            assertThat(run.resolve("run.json")).doesNotExist();
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        Path cwd = dir.resolve("cwd");
        ChildCli.Proc after = ChildCli.run(cwd, dir.resolve("cache"), null, train(run));
        assertThat(after.code()).as(after.err()).isZero();
    }

    /** curve.csv without train_seconds, which differs between any two runs. */
    private static List<String> withoutTimes(Path run) throws Exception {
        return Files.readAllLines(run.resolve("curve.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(',')))
                .toList();
    }

    /** What metrics.json says of convergence: steps to each threshold and the best step. */
    private static String stepsToAuc(Path run) {
        RunMetrics m = new RunFolder(run).metrics();
        return m.stepsToAuc() + " best " + m.bestStep();
    }
}
