package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.weights.SafeTensors;

/**
 * issue 18, full disks: when a write fails for lack of space, the run stops with one line naming the file (exit 2),
 * the last good checkpoint is intact, and --resume completes once space is there again. The failure is a real one
 * from the operating system: the run's shell limits the size of any file it writes ({@code ulimit -f}), so once
 * the checkpoint (whose metadata carries the growing learning curve) outgrows the limit, its write fails with
 * EFBIG ("File too large") exactly where ENOSPC would, while the smaller files still fit. The JVM ignores SIGXFSZ,
 * so the write returns the error instead of the process being killed.
 */
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

        List<String> resume = new ArrayList<>(train(run));
        resume.add("--resume");
        ChildCli.Proc resumed = ChildCli.run(cwd, cache, null, resume);
        assertThat(resumed.code()).as(resumed.err()).isZero();
        Path whole = dir.resolve("whole");
        ChildCli.Proc w = ChildCli.run(cwd, cache, null, train(whole));
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(Files.readAllBytes(run.resolve("weights.safetensors")))
                .isEqualTo(Files.readAllBytes(whole.resolve("weights.safetensors")));
    }
}
