package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.weights.SafeTensors;

/**
 * issue 18, full disks: when a write fails for lack of space, the run stops with one line naming the file (exit 2),
 * the last good checkpoint is intact, and --resume completes once space is there again. The failure is a real one
 * from the operating system: the run's shell limits the size of any file it writes ({@code ulimit -f}), so once
 * the checkpoint (whose metadata carries the growing learning curve) outgrows the limit, its write fails with
 * EFBIG ("File too large") exactly where ENOSPC would, while the smaller files still fit. The JVM ignores SIGXFSZ,
 * so the write returns the error instead of the process being killed. Where the test may mount a file system (as
 * root), a second case fills a small tmpfs of its own and the write fails with ENOSPC itself.
 */
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class FullDiskTest {
    @TempDir Path dir;

    private static List<String> train(Path out) {
        return List.of("train", "--data", "synthetic:retina?n=200&size=16", "--model", "cbr-small", "--steps", "80",
                "--batch-size", "8", "--eval-every", "2", "--threads", "1", "--out", out.toString());
    }

    @Test
    void aFullDiskStopsTheRunInOneLineAndResumeCompletesOnceThereIsSpace() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Path cache = dir.resolve("cache");
        // The first checkpoint's size X, from a run stopped right after it.
        Path probe = dir.resolve("probe");
        ChildCli.Proc stopped = ChildCli.run(cwd, cache, "-Dtransfusion.fault=checkpointed:2:halt", train(probe));
        assertThat(stopped.code()).isEqualTo(137);
        long first = Files.size(probe.resolve("checkpoint.safetensors"));
        // The smallest whole number of KiB (ulimit -f counts 1024-byte blocks) that holds it: later checkpoints
        // grow by one curve line (~50 bytes) per evaluation, 40 evaluations in all, so one of them outgrows it.
        long limitKb = (first + 1023) / 1024;
        assertThat(Files.size(probe.resolve("weights.safetensors"))).as("best weights still fit")
                .isLessThan(limitKb * 1024);

        Path run = dir.resolve("run");
        ChildCli.Proc full = ChildCli.run("ulimit -f " + limitKb + "; ", cwd, cache, "-XX:-UsePerfData", train(run));
        assertThat(full.code()).as(full.err()).isEqualTo(2);
        assertThat(full.err().strip().lines().filter(l -> !l.startsWith("step ") && !l.startsWith("training ")
                && !l.startsWith("[W")).toList()).singleElement().asString()
                .startsWith("transfusion: error: " + run.resolve("checkpoint.safetensors") + ": cannot write (")
                .contains("File too large");
        Path checkpoint = run.resolve("checkpoint.safetensors");
        assertThat(checkpoint).as("the last good checkpoint").exists();
        long step = Long.parseLong(SafeTensors.readWithMetadata(checkpoint).metadata().get("step"));
        assertThat(step).isBetween(2L, 78L);
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        resumeEndsAsAnUninterruptedRun(cwd, cache, run);
    }

    private static List<String> resume(Path run) {
        List<String> resume = new ArrayList<>(train(run));
        resume.add("--resume");
        return resume;
    }

    /** --resume completes, and its best weights equal those of the same run never interrupted. */
    private void resumeEndsAsAnUninterruptedRun(Path cwd, Path cache, Path run) throws Exception {
        ChildCli.Proc resumed = ChildCli.run(cwd, cache, null, resume(run));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        Path whole = dir.resolve("whole");
        ChildCli.Proc w = ChildCli.run(cwd, cache, null, train(whole));
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(Files.readAllBytes(run.resolve("weights.safetensors")))
                .isEqualTo(Files.readAllBytes(whole.resolve("weights.safetensors")));
    }

    /**
     * A real full file system: a 256 MiB tmpfs (a checkpoint of this run is about 25 MB, and the old one stays while the next is written) mounted by the test (root only; skipped with a message otherwise). The
     * run is stopped after its first checkpoint, the file system is filled to leave half a checkpoint free, and the
     * resumed run must stop at its next checkpoint with ENOSPC in one line (exit 2), its last checkpoint intact and
     * no temporary file left; once the filler is deleted, --resume completes to the uninterrupted run's weights.
     */
    @Test
    void aFullFileSystemStopsTheRunInOneLineAndResumeCompletesOnceSpaceIsFreed() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("small-fs"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String said = new String(m.getInputStream().readAllBytes()).strip();
        Assumptions.assumeTrue(m.waitFor(30, TimeUnit.SECONDS) && m.exitValue() == 0,
                "skipped: mounting a tmpfs needs root (mount said: " + said + "); the ulimit case still runs");
        try {
            Path cwd = Files.createDirectories(dir.resolve("cwd"));
            Path cache = dir.resolve("cache");
            Path run = mount.resolve("run");
            ChildCli.Proc stopped = ChildCli.run(cwd, cache, "-Dtransfusion.fault=checkpointed:2:halt", train(run));
            assertThat(stopped.code()).as(stopped.err()).isEqualTo(137);
            Path checkpoint = run.resolve("checkpoint.safetensors");
            long size = Files.size(checkpoint);

            // Fill with real bytes (a sparse file takes no tmpfs pages) until half a checkpoint is left.
            Path filler = mount.resolve("filler");
            long toWrite = Files.getFileStore(mount).getUsableSpace() - size / 2;
            byte[] chunk = new byte[1 << 16];
            try (OutputStream o = Files.newOutputStream(filler)) {
                for (long left = toWrite; left > 0; left -= chunk.length) {
                    o.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            assertThat(Files.getFileStore(mount).getUsableSpace()).isLessThan(size);

            ChildCli.Proc full = ChildCli.run(cwd, cache, "-XX:-UsePerfData", resume(run));
            assertThat(full.code()).as(full.err()).isEqualTo(2);
            assertThat(full.err().strip().lines().filter(l -> !l.startsWith("step ") && !l.startsWith("training ")
                    && !l.startsWith("resuming ") && !l.startsWith("[W")).toList()).singleElement().asString()
                    .startsWith("transfusion: error: " + run)
                    .contains("cannot write (").contains("No space left on device");
            long step = Long.parseLong(SafeTensors.readWithMetadata(checkpoint).metadata().get("step"));
            assertThat(step).as("the last good checkpoint").isBetween(2L, 78L);
            try (Stream<Path> files = Files.list(run)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }

            Files.delete(filler);
            resumeEndsAsAnUninterruptedRun(cwd, cache, run);
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
