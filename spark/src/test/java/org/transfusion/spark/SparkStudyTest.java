package org.transfusion.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.cli.Main;
import org.transfusion.engine.io.Json;

/**
 * Studies on Spark in local mode with task retries ({@code local[2,3]}: two task slots, a task tried up to three
 * times; plain {@code local[N]} never retries): a run killed part way resumes on Spark's retry and ends as if never
 * interrupted; a run with bad input is reported once and not retried.
 */
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class SparkStudyTest {
    @TempDir Path dir;

    /** Two runs of cbr-tiny, long enough (~200 steps, a checkpoint every 10) to be killed between checkpoints. */
    static final String STUDY = """
            name: spark-two-runs
            data: synthetic:retina?n=400&size=16
            task: referable
            models: [cbr-tiny]
            seeds: [1, 2]
            training: {epochs: 8, batch_size: 8, lr: 0.01, eval_every: 10}
            pretrain: {data: "synthetic:natural?n=120&size=16", task: multiclass, epochs: 1}
            experiments:
              performance: {schemes: [random]}
            """;

    static int study(List<String> args, StringWriter err) {
        List<String> all = new ArrayList<>(List.of("study"));
        all.addAll(args);
        return Main.execute(all.toArray(String[]::new), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
    }

    static List<Path> runFolders(Path study) throws Exception {
        try (Stream<Path> runs = Files.list(study.resolve("runs"))) {
            return runs.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void aRunKilledPartWayIsRetriedByScheduleResumesAndEndsByteIdentical() throws Exception {
        Path yaml = Files.writeString(dir.resolve("study.yaml"), STUDY);
        Path whole = dir.resolve("whole");
        StringWriter err = new StringWriter();
        assertThat(study(List.of(yaml.toString(), "--out", whole.toString(), "--engine", "spark", "--master",
                "local[2]"), err)).as(err.toString()).isZero();

        Path killed = dir.resolve("killed");
        StringWriter err2 = new StringWriter();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> study(List.of(yaml.toString(),
                "--out", killed.toString(), "--engine", "spark", "--master", "local[2,3]"), err2));
        // Wait for the first run's first checkpoint, then kill -9 the run's JVM (its pid is in the lease), as a lost
        // node would end it: no chance to clean up.
        Path victim = null;
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (victim == null && System.nanoTime() < until && !running.isDone()) {
            if (Files.isDirectory(killed.resolve("runs"))) {
                for (Path r : runFolders(killed)) {
                    if (Files.exists(r.resolve("checkpoint.safetensors")) && Files.exists(r.resolve(".lease"))
                            && !Files.exists(r.resolve("metrics.json"))) {
                        victim = r;
                        break;
                    }
                }
            }
            Thread.sleep(20);
        }
        assertThat(victim).as("a run reached its first checkpoint while the study ran").isNotNull();
        long pid = Json.read(victim.resolve(".lease")).path("pid").asLong();
        assertThat(ProcessHandle.of(pid)).as("the run's JVM is alive").isPresent();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();

        assertThat(running.get(5, TimeUnit.MINUTES)).as(err2.toString()).isZero();
        List<String> attempts = Files.readAllLines(victim.resolve("attempts.jsonl"));
        assertThat(attempts).as("the first attempt and Spark's retry").hasSize(2);
        JsonNode retry = Json.parse(attempts.get(1));
        long total = Json.read(victim.resolve("run.json")).path("resolved").path("steps").asLong(200);
        assertThat(retry.path("attempt").asInt()).isEqualTo(1);
        assertThat(retry.path("from_step").asLong()).as("resumed from a checkpoint, not from the start").isPositive()
                .isLessThan(total);
        for (Path r : runFolders(whole)) {
            Path other = killed.resolve("runs").resolve(r.getFileName());
            assertThat(Files.readAllBytes(other.resolve("weights.safetensors"))).as(r.getFileName().toString())
                    .isEqualTo(Files.readAllBytes(r.resolve("weights.safetensors")));
        }
        assertThat(Files.readString(killed.resolve("report/runs.csv")))
                .isEqualTo(Files.readString(whole.resolve("report/runs.csv")));
    }

    @Test
    void aRunWithBadInputIsReportedOnceAndNotRetried() throws Exception {
        Path bad = Files.writeString(dir.resolve("broken.npz"), "not a zip archive");
        Path yaml = Files.writeString(dir.resolve("bad.yaml"), STUDY.replace("synthetic:retina?n=400&size=16",
                "npz:" + bad).replace("seeds: [1, 2]", "seeds: [1]"));
        Path out = dir.resolve("bad");
        StringWriter err = new StringWriter();
        int code = study(List.of(yaml.toString(), "--out", out.toString(), "--engine", "spark", "--master",
                "local[2,3]"), err);
        assertThat(code).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains("not retried");
        Path log;
        try (Stream<Path> logs = Files.list(out.resolve("runs"))) {
            log = logs.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        assertThat(Files.readAllLines(log).stream().filter(l -> l.startsWith("transfusion: error:")).count())
                .as("one attempt: %s", Files.readString(log)).isEqualTo(1);
    }
}
