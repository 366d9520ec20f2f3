package org.transfusion.engine.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.transfusion.engine.Versions;
import org.transfusion.engine.run.record.AttemptRecord;
import org.transfusion.engine.run.record.LeaseRecord;

/**
 * Which attempt of a run may write its folder, when attempts can run on different machines over a shared file
 * system (a study on a cluster: a retry of a task whose executor was lost while its run was still going). The
 * operating system's lock ({@link RunFolder#lock}) settles that on one machine; across machines a lost executor's
 * run may still be writing, so the folder also carries a lease: {@code .lease}, naming the attempt that holds it
 * (a random token, host, pid, attempt number) and a heartbeat the holder renews every {@code heartbeat}.
 *
 * <p>A new attempt takes the lease when there is none, when its holder let it go, when the holder is a process of
 * this host that is no longer alive, or when its heartbeat is older than {@code staleAfter}; otherwise it waits up to
 * {@code patience} and then fails with {@link Busy} (a retryable failure, not bad input). The holder reads the lease
 * at every heartbeat and before every write of the run ({@link #verify}); if another attempt has taken it over, the
 * holder stops at once without writing (exit 75), so a zombie attempt cannot write beside its retry. Taking over
 * is a write-then-read-back: of two attempts racing for a stale lease, the one whose token is read back holds it.
 */
public final class RunLease implements AutoCloseable {
    /** Exit status of an attempt that lost its lease or found the folder busy: EX_TEMPFAIL, retried by a scheduler. */
    public static final int EXIT_LEASE = org.transfusion.error.ExitCode.LEASE_LOST.code();

    /** Another live attempt holds the run folder; try again later (a scheduler's retry will). */
    public static final class Busy extends RuntimeException {
        public Busy(String message) {
            super(message);
        }
    }

    /** How often the holder renews, after how long a silent holder counts as gone, how long a newcomer waits. */
    public record Timing(Duration heartbeat, Duration staleAfter, Duration patience) {
        /** 10 s heartbeats, stale after 60 s, wait up to 90 s; {@code transfusion.lease.heartbeat-ms} scales all. */
        public static Timing fromSystem() {
            long beat = Long.getLong("transfusion.lease.heartbeat-ms", 10_000);
            return new Timing(Duration.ofMillis(beat), Duration.ofMillis(6 * beat), Duration.ofMillis(9 * beat));
        }
    }

    private final Path file;
    private final String token;
    private final ScheduledExecutorService beat;
    private LeaseRecord mine;
    private volatile boolean closed;

    private RunLease(Path file, LeaseRecord mine, Duration heartbeat) {
        this.file = file;
        this.mine = mine;
        this.token = mine.token();
        this.beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "run-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long ms = heartbeat.toMillis();
        beat.scheduleAtFixedRate(this::renew, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The lease file of a run folder. */
    public static Path file(Path runDir) {
        return runDir.resolve(".lease");
    }

    /** Takes the lease of {@code runDir} for this process (attempt number from {@code TRANSFUSION_ATTEMPT}). */
    public static RunLease acquire(Path runDir, Timing timing) {
        return acquire(runDir, timing, message -> { });
    }

    /** {@link #acquire(Path, Timing)}, telling {@code waiting} once, with who holds the run, when it has to wait. */
    public static RunLease acquire(Path runDir, Timing timing, java.util.function.Consumer<String> waiting) {
        boolean told = false;
        Path file = file(runDir);
        LeaseRecord mine = LeaseRecord.of(UUID.randomUUID().toString(), host(), ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(null), attempt());
        long until = System.nanoTime() + timing.patience().toNanos();
        while (true) {
            Optional<LeaseRecord> held = LeaseRecord.read(file);
            String why = held.map(h -> holding(h, timing)).orElse(null);
            if (why == null) {
                mine = mine.beating(System.currentTimeMillis());
                write(file, mine);
                sleep(Math.min(50, timing.heartbeat().toMillis() / 4));
                // Read back: another attempt may have written in the same instant; the last rename wins.
                String token = mine.token();
                if (LeaseRecord.read(file).map(h -> token.equals(h.token())).orElse(false)) {
                    return new RunLease(file, mine, timing.heartbeat());
                }
                continue;
            }
            if (!told) {
                told = true;
                waiting.accept("waiting for the run's lease: " + why);
            }
            if (System.nanoTime() >= until) {
                throw new Busy(runDir + ": " + why + "; this attempt waited " + timing.patience().toSeconds()
                        + " s and stops (a retry takes over once that attempt has stopped)");
            }
            sleep(Math.min(1000, timing.heartbeat().toMillis()));
        }
    }

    /**
     * Why the lease in {@code h} is still held, or null when it may be taken: released, held by a dead process of
     * this host, or silent for longer than {@code staleAfter}.
     */
    static String holding(LeaseRecord h, Timing timing) {
        if (h.isReleased() || h.token() == null) {
            return null;
        }
        long age = System.currentTimeMillis() - (h.heartbeat() == null ? 0 : h.heartbeat());
        if (age > timing.staleAfter().toMillis()) {
            return null;
        }
        long pid = h.pid() == null ? 0 : h.pid();
        String who = "attempt " + (h.attempt() == null ? 0 : h.attempt()) + " (pid " + pid + " on " + h.host()
                + ", heartbeat " + Math.max(0, age / 1000) + " s ago) holds the run";
        if (host().equals(h.host())) {
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || !p.get().isAlive()) {
                return null;
            }
            String started = p.get().info().startInstant().map(Instant::toString).orElse(null);
            if (started != null && h.processStarted() != null && !started.equals(h.processStarted())) {
                return null; // the pid was reused by another process
            }
        }
        return who;
    }

    /**
     * Stops this process at once (exit {@link #EXIT_LEASE}) if another attempt has taken the lease: called before
     * each write of the run, so that a zombie attempt never overwrites its successor's files.
     */
    public void verify() {
        if (closed) {
            return;
        }
        Optional<LeaseRecord> now = LeaseRecord.read(file);
        if (now.isPresent() && !token.equals(now.get().token())) {
            LeaseRecord h = now.get();
            System.err.println("transfusion: attempt " + h.attempt() + " (pid " + h.pid() + " on " + h.host()
                    + ") has taken over " + file.getParent()
                    + "; this attempt stops without writing");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_LEASE);
        }
    }

    private synchronized void renew() {
        if (closed) {
            return;
        }
        verify();
        mine = mine.beating(System.currentTimeMillis());
        try {
            write(file, mine);
        } catch (UncheckedIOException e) {
            // A missed heartbeat is retried at the next one; only a long silence lets another attempt in.
        }
    }

    /** Lets the lease go: it is marked released, so the next attempt (or a rerun) takes it without waiting. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        beat.shutdownNow();
        Optional<LeaseRecord> now = LeaseRecord.read(file);
        if (now.isPresent() && token.equals(now.get().token())) {
            mine = mine.releasedAt(System.currentTimeMillis());
            write(file, mine);
        }
        closed = true;
    }

    /** The attempt number a scheduler gave this process ({@code TRANSFUSION_ATTEMPT}), 0 when none did. */
    public static int attempt() {
        String a = System.getenv("TRANSFUSION_ATTEMPT");
        try {
            return a == null ? 0 : Integer.parseInt(a.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** This machine's name as the lease and run.json record it. */
    public static String host() {
        return Versions.host();
    }

    private static void write(Path file, LeaseRecord lease) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lease.write(file);
    }

    /**
     * Appends this attempt to {@code attempts.jsonl} of the run: which attempt ran where and from which step, and the
     * GPU a cluster scheduler gave it ({@code gpuAddress}, {@code cudaVisibleDevices}; null when none did).
     */
    public void record(Path runDir, long fromStep, String gpuAddress, String cudaVisibleDevices) {
        new AttemptRecord(AttemptRecord.FORMAT, mine.attempt(), mine.host(), mine.pid(), Instant.now().toString(),
                fromStep, gpuAddress, cudaVisibleDevices).append(runDir.resolve("attempts.jsonl"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Busy("interrupted while waiting for the run folder's lease");
        }
    }
}
