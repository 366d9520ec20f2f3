package org.transfusion.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.record.AttemptRecord;
import org.transfusion.engine.run.record.LeaseRecord;
import org.transfusion.error.BadInputException;

@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class RunLeaseTest {
    @TempDir Path dir;

    private static final RunLease.Timing QUICK = new RunLease.Timing(Duration.ofMillis(200), Duration.ofMillis(1200),
            Duration.ofMillis(1500));

    private Map<String, Object> lease(String host, long pid, String started, long heartbeatAgoMs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("token", "someone-else");
        m.put("host", host);
        m.put("pid", pid);
        m.put("process_started", started);
        m.put("attempt", 0);
        m.put("heartbeat", System.currentTimeMillis() - heartbeatAgoMs);
        return m;
    }

    private void put(Map<String, Object> lease) {
        Json.write(RunLease.file(dir), lease);
    }

    @Test
    void aFreeFolderIsTakenAndReleasedOnClose() {
        try (RunLease l = RunLease.acquire(dir, QUICK)) {
            JsonNode h = Json.read(RunLease.file(dir));
            assertThat(h.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(h.path("released").asBoolean(false)).isFalse();
            l.verify(); // still ours: returns
        }
        assertThat(Json.read(RunLease.file(dir)).path("released").asBoolean()).isTrue();
        long t0 = System.nanoTime();
        RunLease.acquire(dir, QUICK).close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a released lease is taken without waiting")
                .isLessThan(QUICK.patience());
    }

    @Test
    void aLiveHolderOnThisHostKeepsItAndTheNewcomerSaysWho() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            String started = sleeper.info().startInstant().map(Instant::toString).orElse(null);
            put(lease(RunLease.host(), sleeper.pid(), started, 0));
            // Keep the holder's heartbeat fresh, as its renewing thread would.
            Thread beat = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    put(lease(RunLease.host(), sleeper.pid(), started, 0));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            beat.start();
            try {
                assertThatThrownBy(() -> RunLease.acquire(dir, QUICK)).isInstanceOf(RunLease.Busy.class)
                        .hasMessageContaining("attempt 0 (pid " + sleeper.pid() + " on " + RunLease.host());
            } finally {
                beat.interrupt();
                beat.join();
            }
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void aDeadHolderOnThisHostIsTakenOverAtOnce() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        put(lease(RunLease.host(), gone.pid(), null, 0));
        try (RunLease l = RunLease.acquire(dir, QUICK)) {
            assertThat(Json.read(RunLease.file(dir)).path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void aHolderElsewhereIsWaitedForUntilItsHeartbeatIsStale() {
        put(lease("another-node", 12345, null, 0));
        assertThat(RunLease.holding(LeaseRecord.read(RunLease.file(dir)).orElseThrow(), QUICK)).contains("pid 12345 on another-node");
        put(lease("another-node", 12345, null, QUICK.staleAfter().toMillis() + 100));
        assertThat(RunLease.holding(LeaseRecord.read(RunLease.file(dir)).orElseThrow(), QUICK)).as("silent longer than staleAfter")
                .isNull();
        try (RunLease l = RunLease.acquire(dir, QUICK)) {
            assertThat(Json.read(RunLease.file(dir)).path("host").asText()).isEqualTo(RunLease.host());
        }
    }

    /** A lease as the release before format_version wrote it (7eadd72: no version) is read and honoured. */
    @Test
    void aLeaseOfThePreviousReleaseStillReads() throws Exception {
        long beat = System.currentTimeMillis();
        Files.writeString(RunLease.file(dir), "{\n  \"token\" : \"old-token\",\n  \"host\" : \"another-node\",\n"
                + "  \"pid\" : 4242,\n  \"process_started\" : null,\n  \"attempt\" : 2,\n  \"heartbeat\" : " + beat
                + "\n}\n");
        LeaseRecord old = LeaseRecord.read(RunLease.file(dir)).orElseThrow();
        assertThat(old).isEqualTo(new LeaseRecord(null, "old-token", "another-node", 4242L, null, 2, beat, null));
        assertThat(RunLease.holding(old, QUICK)).contains("attempt 2 (pid 4242 on another-node");
        Files.writeString(RunLease.file(dir), "{\"token\": \"old-token\", \"host\": \"another-node\", \"pid\": 4242, "
                + "\"attempt\": 2, \"heartbeat\": " + beat + ", \"released\": true}");
        assertThat(RunLease.holding(LeaseRecord.read(RunLease.file(dir)).orElseThrow(), QUICK)).as("released").isNull();
    }

    @Test
    void aLeaseIsWrittenWithItsVersionAndANewerOneIsRefusedInOneLine() {
        try (RunLease l = RunLease.acquire(dir, QUICK)) {
            assertThat(Json.read(RunLease.file(dir)).get("format_version").asInt()).isEqualTo(LeaseRecord.FORMAT);
        }
        Map<String, Object> newer = lease("another-node", 12345, null, 0);
        newer.put("format_version", 99);
        put(newer);
        assertThatThrownBy(() -> RunLease.acquire(dir, QUICK)).isInstanceOf(BadInputException.class)
                .hasMessage(RunLease.file(dir) + ": format_version 99 is newer than this release reads (up to "
                        + LeaseRecord.FORMAT + "); update transfusion");
    }

    /** attempts.jsonl: lines as the previous release appended them read beside the lines this one appends. */
    @Test
    void attemptsOfThePreviousReleaseAndOfThisOneReadAlike() throws Exception {
        Path attempts = dir.resolve("attempts.jsonl");
        Files.writeString(attempts, "{\"attempt\":0,\"host\":\"node-a\",\"pid\":11,\"started\":"
                + "\"2025-01-02T03:04:05Z\",\"from_step\":0}\n{\"attempt\":1,\"host\":\"node-b\",\"pid\":12,\"started\":"
                + "\"2025-01-02T03:09:05Z\",\"from_step\":40,\"gpu_address\":\"1\",\"cuda_visible_devices\":\"1\"}\n");
        try (RunLease l = RunLease.acquire(dir, QUICK)) {
            l.record(dir, 80, null, null);
        }
        List<AttemptRecord> all = AttemptRecord.readAll(attempts);
        assertThat(all).hasSize(3);
        assertThat(all.get(0)).isEqualTo(new AttemptRecord(null, 0, "node-a", 11L, "2025-01-02T03:04:05Z", 0L, null,
                null));
        assertThat(all.get(1).fromStep()).isEqualTo(40);
        assertThat(all.get(1).gpuAddress()).isEqualTo("1");
        assertThat(all.get(2).formatVersion()).isEqualTo(AttemptRecord.FORMAT);
        assertThat(all.get(2).pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(all.get(2).fromStep()).isEqualTo(80);
        assertThat(Files.readAllLines(attempts).get(2)).startsWith("{\"format_version\":" + AttemptRecord.FORMAT
                + ",\"attempt\":").doesNotContain("gpu_address");
    }

    /**
     * A zombie attempt: a child JVM holds the lease and keeps "writing"; another attempt takes the lease over (here
     * the test writes the successor's lease, as a retry on another node would after the heartbeat went stale). The
     * child must stop within about one heartbeat, with exit 75, and say who took over.
     */
    @Test
    void anAttemptThatLostItsLeaseStopsWithoutWriting() throws Exception {
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LeaseHolder.class.getName(), dir.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("holding") && System.nanoTime() < until) {
                assertThat(child.isAlive()).as("the holder started; its output: %s", Files.readString(log)).isTrue();
                Thread.sleep(50);
            }
            Map<String, Object> successor = lease("another-node", 777, null, 0);
            successor.put("attempt", 1);
            put(successor);
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the zombie stopped").isTrue();
            assertThat(child.exitValue()).isEqualTo(RunLease.EXIT_LEASE);
            assertThat(Files.readString(log)).contains("attempt 1 (pid 777 on another-node) has taken over")
                    .doesNotContain("released");
            assertThat(Json.read(RunLease.file(dir)).path("token").asText()).as("the successor's lease stands")
                    .isEqualTo("someone-else");
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    /** The child of the zombie test: takes the lease with 100 ms heartbeats and waits to be stopped. */
    public static final class LeaseHolder {
        public static void main(String[] args) throws Exception {
            RunLease.Timing t = new RunLease.Timing(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(5));
            try (RunLease l = RunLease.acquire(Path.of(args[0]), t)) {
                System.out.println("holding");
                System.out.flush();
                Thread.sleep(20_000);
            }
            System.out.println("released");
        }
    }
}
