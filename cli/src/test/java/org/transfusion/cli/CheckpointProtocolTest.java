package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
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
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
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
            // No patience: the holder never lets go while the second writer runs (the default waits 10 s first).
            ChildCli.Proc second = ChildCli.run(cwd, dir.resolve("cache"), "-Dtransfusion.lock-patience=0", train(run));
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

    /**
     * issue 27: a second `train` into a folder overwrote a finished run. Its check of the folder ran before it took
     * the folder: it found the folder empty while the first run was starting, waited for the first run's lease, and
     * once that run had finished trained another seed over it; both exited 0. Two real processes, ordered by events
     * (no clock): A (seed 0) stops right after taking the lease and lock (fault point lock-taken); B (seed 1) starts,
     * finds nothing written yet and says it waits for A; A goes on and finishes; B, now holding the folder, exits 2
     * naming the run that is there, and A's run is left as it finished.
     */
    @Test
    void aRunThatFinishedWhileASecondWriterWaitedIsNotOverwritten() throws Exception {
        Path run = dir.resolve("raced");
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        List<String> seed1 = new ArrayList<>(train(run));
        seed1.addAll(List.of("--seed", "1"));
        Process a = ChildCli.startWatched(cwd, dir.resolve("cache"), List.of("-Dtransfusion.fault=lock-taken:0:wait"),
                train(run));
        Watched wa = new Watched(a);
        Process b = null;
        try {
            wa.await("fault: waiting at lock-taken");
            // B's patience for A's lease: 9 heartbeats of 60 s, so that only A's end lets B in.
            b = ChildCli.startWatched(cwd, dir.resolve("cache"), List.of("-Dtransfusion.lease.heartbeat-ms=60000",
                    "-Dtransfusion.lock-patience=600"), seed1);
            Watched wb = new Watched(b);
            wb.await("waiting for the run's lease: attempt 0 (pid " + a.pid());
            a.getOutputStream().close();
            assertThat(a.waitFor()).as(wa.text()).isZero();
            byte[] runJson = Files.readAllBytes(run.resolve("run.json"));
            byte[] metrics = Files.readAllBytes(run.resolve("metrics.json"));
            assertThat(b.waitFor()).as(wb.text()).isEqualTo(2);
            assertThat(wb.text()).contains("transfusion: error: " + run + ": holds a different run (seed 0 vs 1); "
                    + "choose a new --out");
            assertThat(Files.readAllBytes(run.resolve("run.json"))).as("run.json untouched").isEqualTo(runJson);
            assertThat(Files.readAllBytes(run.resolve("metrics.json"))).as("metrics untouched").isEqualTo(metrics);
            assertThat(new RunFolder(run).spec().seed()).isZero();
        } finally {
            a.destroyForcibly();
            if (b != null) {
                b.destroyForcibly();
            }
        }
    }

    /** A child's merged output, read as it comes; {@link #await} blocks until a line holding the text has come. */
    private static final class Watched {
        private final StringBuffer text = new StringBuffer();
        private final Thread reader;

        Watched(Process p) {
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (text) {
                            text.append(line).append('\n');
                            text.notifyAll();
                        }
                    }
                } catch (java.io.IOException e) {
                    // the process ended
                }
                synchronized (text) {
                    text.notifyAll();
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for {@code fragment} in the output; fails if the process's output ends without it. */
        void await(String fragment) throws InterruptedException {
            synchronized (text) {
                while (!text.toString().contains(fragment)) {
                    if (!reader.isAlive()) {
                        throw new AssertionError("the process ended without printing '" + fragment + "':\n" + text);
                    }
                    text.wait(1000);
                }
            }
        }

        String text() throws InterruptedException {
            reader.join(60_000);
            return text.toString();
        }
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
