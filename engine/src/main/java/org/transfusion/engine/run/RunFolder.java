package org.transfusion.engine.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.record.FailureRecord;
import org.transfusion.engine.run.record.MetricsRecord;
import org.transfusion.engine.run.record.RunRecord;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;

/**
 * A run's folder (docs/run-folder.md), each JSON file read and written as its record ({@code run.record}): run.json, metrics.json, curve.csv, init.safetensors, weights.safetensors, and
 * while training checkpoint.safetensors (weights, optimiser state, and the step, best-so-far and curve in its
 * metadata: one atomic unit; checkpoint.json is only read from folders of earlier versions); TensorBoard's event
 * files, one per training session, in tb/. Every file but the event files is written atomically (those are
 * append-only records that readers take up to a torn tail); the folder is held by one writer at a time
 * ({@link #lock}).
 */
public record RunFolder(Path dir) {
    /** The name of {@link #tensorboardDir()} inside the run folder, as run.json records it. */
    public static final String TENSORBOARD = "tb";
    private static final String EVENTS_PREFIX = "events.out.tfevents.";

    public Path runJson() { return dir.resolve("run.json"); }
    public Path metricsJson() { return dir.resolve("metrics.json"); }
    public Path curveCsv() { return dir.resolve("curve.csv"); }
    public Path initWeights() { return dir.resolve("init.safetensors"); }
    public Path bestWeights() { return dir.resolve("weights.safetensors"); }
    public Path checkpoint() { return dir.resolve("checkpoint.safetensors"); }
    public Path checkpointState() { return dir.resolve("checkpoint.json"); }
    /**
     * Written when training diverged or collapsed (exit 3): why and at which step. A folder holding it is a failed run,
     * final like a complete one: not trained again, kept out of a study's verdicts.
     */
    public Path failureJson() { return dir.resolve("failed.json"); }
    /** Weight snapshots along training ({@code --snapshots N}), one file per kept validation step. */
    public Path snapshotsDir() { return dir.resolve("snapshots"); }
    public Path snapshot(long step) { return snapshotsDir().resolve("step-" + step + ".safetensors"); }
    /** TensorBoard's event files of the run (a folder, so that run.json can name it before any file exists). */
    public Path tensorboardDir() { return dir.resolve(TENSORBOARD); }

    /** The file whose OS lock marks the folder's one writer (a hidden file: not counted as content). */
    public Path lockFile() { return dir.resolve(".lock"); }

    /**
     * A held run-folder lock; closing it releases it. The lock is the operating system's file lock, so it is
     * released when its holder dies however it dies (no stale lock to clear by hand), and it holds across processes
     * and, on NFSv4 and most cluster file systems, across machines.
     */
    public static final class Lock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Takes the folder for this process (creating it), or refuses with a bad input naming the holder's pid when
     * another writer has it: two runs into one folder would leave one of them, both reporting success.
     */
    public Lock lock() {
        return lock(Duration.ZERO);
    }

    /**
     * {@link #lock()}, waiting up to {@code patience} for a holder to let go first — e.g. a run of a killed study,
     * which stops within a second of its study (its lock going with it) while the rerun is already starting.
     */
    public Lock lock(Duration patience) {
        return lock(patience, message -> { });
    }

    /** {@link #lock(Duration)}, telling {@code waiting} once, with the holder's pid, when it has to wait. */
    public Lock lock(Duration patience, java.util.function.Consumer<String> waiting) {
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(lockFile(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long until = System.nanoTime() + patience.toNanos();
            boolean told = false;
            FileLock lock;
            while (true) {
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // held by this same process
                }
                if (lock != null || System.nanoTime() >= until) {
                    break;
                }
                if (!told) {
                    told = true;
                    String holder = Files.readString(lockFile()).strip();
                    waiting.accept("waiting for " + (holder.isEmpty() ? "another process" : "pid " + holder)
                            + " to finish writing " + dir);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (lock == null) {
                String holder = Files.readString(lockFile()).strip();
                ch.close();
                throw new BadInputException(dir + ": another process" + (holder.isEmpty() ? "" : " (pid " + holder
                        + ")") + " is writing this run folder; wait for it to finish or choose a new --out");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new Lock(ch, lock);
        } catch (IOException e) {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // the lock was not taken; nothing else to undo
            }
            throw new BadInputException(dir + ": cannot lock the run folder (" + e.getMessage() + ")");
        }
    }

    /**
     * A new event file for one training session: {@code tb/events.out.tfevents.SECONDS.HOST} (TensorFlow's naming),
     * SECONDS being the current time or, where an earlier session's file has that second or a later one (a resume
     * within the second, a clock set back), one more than the latest. TensorBoard reads a run's event files in the
     * order of their names, and the newest session's file has to come last for its points to win.
     */
    public Path newEventFile(long epochSeconds, String host) {
        long seconds = epochSeconds;
        Path tb = tensorboardDir();
        if (Files.isDirectory(tb)) {
            try (var files = Files.list(tb)) {
                for (Path p : files.toList()) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(EVENTS_PREFIX)) {
                        String[] parts = name.substring(EVENTS_PREFIX.length()).split("\\.", 2);
                        if (parts[0].matches("[0-9]{1,18}")) {
                            seconds = Math.max(seconds, Long.parseLong(parts[0]) + 1);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String safeHost = host.replaceAll("[^A-Za-z0-9.-]", "_");
        return tb.resolve(String.format(Locale.ROOT, "%s%010d.%s", EVENTS_PREFIX, seconds,
                safeHost.isEmpty() ? "localhost" : safeHost));
    }

    /** TensorBoard's event files of the run, in the order they were written (their names' order). */
    public List<Path> eventFiles() {
        Path tb = tensorboardDir();
        if (!Files.isDirectory(tb)) {
            return List.of();
        }
        try (var files = Files.list(tb)) {
            return files.filter(p -> p.getFileName().toString().startsWith(EVENTS_PREFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the hidden temp files an atomic write leaves behind when its process is killed mid-write. */
    public void removeLeftovers() {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isComplete() {
        return Files.isRegularFile(metricsJson()) && Files.isRegularFile(bestWeights());
    }

    /** Whether training ended as diverged or collapsed ({@link #failureJson()}). */
    public boolean isFailed() {
        return Files.isRegularFile(failureJson());
    }

    /** Why the run failed, as {@link #failureJson()} says, or null when it did not. */
    public String failure() {
        if (!isFailed()) {
            return null;
        }
        return FailureRecord.read(failureJson()).describe();
    }

    public boolean hasRun() {
        return Files.isRegularFile(runJson());
    }

    /**
     * Refuses a folder that holds another run: a run.json whose spec is not the same run as {@code wanted}, or
     * other files without a run.json. Returns true when the folder holds this same run.
     */
    public boolean checkReusable(RunSpec wanted) {
        if (!Files.exists(dir)) {
            return false;
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": exists and is not a folder");
        }
        if (!hasRun()) {
            try (var files = Files.list(dir)) {
                if (files.anyMatch(p -> !p.getFileName().toString().startsWith("."))) {
                    throw new BadInputException(dir + ": folder is not empty and holds no run.json; choose a new --out");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return false;
        }
        RunSpec saved = spec();
        if (saved.sameRunAs(wanted) || sameButWhereItsWeightsLie(saved, wanted)) {
            return true;
        }
        List<String> differences = Records.differences(saved.identity().toTree(), wanted.identity().toTree());
        throw new BadInputException(dir + ": holds a different run (" + String.join(", ",
                differences.subList(0, Math.min(3, differences.size()))) + "); choose a new --out");
    }

    /**
     * Whether {@code saved} and {@code wanted} are the same run with its pretrained weights at another path: the
     * weights are named by what they are, the SHA-256 run.json recorded, not by where they lay (a study folder
     * moved to another disk keeps its pretraining's weights inside it, at a new absolute path).
     */
    private boolean sameButWhereItsWeightsLie(RunSpec saved, RunSpec wanted) {
        if (saved.weights() == null || wanted.weights() == null || saved.weights().equals(wanted.weights())
                || !saved.toBuilder().weights(null).build().sameRunAs(wanted.toBuilder().weights(null).build())) {
            return false;
        }
        com.fasterxml.jackson.databind.JsonNode hash = runRecord().weightsHashTree();
        String recorded = hash != null && hash.isTextual() ? hash.asText() : "";
        if (recorded.isEmpty() || !Files.isRegularFile(wanted.weights())) {
            return false; // a Keras export folder records one hash per file: named by path, as before
        }
        try {
            return recorded.equalsIgnoreCase(org.transfusion.engine.data.FileIdentity.sha256(wanted.weights()));
        } catch (IOException e) {
            throw new BadInputException(wanted.weights() + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The folder of a run that exists (holds run.json): a bad input naming the folder otherwise. */
    public static RunFolder existing(Path dir) {
        RunFolder f = new RunFolder(dir);
        if (!f.hasRun()) {
            throw new BadInputException(dir + ": not a run folder (no run.json)");
        }
        return f;
    }

    /** The kept weight snapshots by training step, in step order (empty when the run kept none). */
    public SortedMap<Long, Path> snapshots() {
        SortedMap<Long, Path> out = new TreeMap<>();
        if (!Files.isDirectory(snapshotsDir())) {
            return out;
        }
        try (Stream<Path> files = Files.list(snapshotsDir())) {
            files.forEach(f -> {
                Matcher m = SNAPSHOT.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.put(Long.parseLong(m.group(1)), f);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static final Pattern SNAPSHOT = Pattern.compile("step-(\\d{1,18})\\.safetensors");

    /** The weights the run started from (init.safetensors). */
    public StateDict initialWeights() {
        return weights(initWeights(), " (runs from before init.safetensors was recorded cannot be compared before/after)");
    }

    /** The run's best weights by validation AUC (weights.safetensors). */
    public StateDict trainedWeights() {
        return weights(bestWeights(), " (the run has not validated yet)");
    }

    /** The weights file of {@code which}: {@code init} or {@code best}. */
    public Path weightsFile(String which) {
        return switch (which) {
            case "init" -> initWeights();
            case "best" -> bestWeights();
            default -> throw new BadInputException("--at must be init or best, got '" + which + "'");
        };
    }

    private StateDict weights(Path file, String why) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir + ": has no " + file.getFileName() + why);
        }
        return SafeTensors.read(file);
    }

    /**
     * The recorded spec, to evaluate or probe the run again, on another dataset ({@code data}; without the run's
     * training subset, which selected images of its own data) or with another data folder ({@code dataDir}) where
     * given.
     */
    public RunSpec specOn(String data, Path dataDir) {
        RunSpec o = spec();
        if (data == null && dataDir == null) {
            return o;
        }
        RunSpec.Builder b = o.toBuilder().data(data != null ? data : o.data()).dataDir(dataDir);
        if (data != null) {
            // the run's training subset was drawn from its own data's train split: another dataset's train split is
            // scored whole
            b.trainSubset(null);
        }
        return b.build();
    }

    /** The learning curve ({@code curve.csv}). */
    public List<CurvePoint> curve() {
        try {
            List<String> lines = Files.readAllLines(curveCsv());
            List<CurvePoint> out = new ArrayList<>();
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                out.add(CurvePoint.parse(line));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(curveCsv() + ": not a learning curve (" + e.getMessage() + ")");
        }
    }

    /** Writes the learning curve atomically. */
    public void writeCurve(List<CurvePoint> curve) {
        StringBuilder sb = new StringBuilder(CurvePoint.header(curve)).append('\n');
        curve.forEach(p -> sb.append(p.csv()).append('\n'));
        AtomicFiles.writeString(curveCsv(), sb.toString());
    }

    /** What a finished run's metrics.json says, as the study uses it. */
    public RunMetrics metrics() {
        return RunMetrics.of(metricsRecord());
    }

    /** The run's metrics.json. */
    public MetricsRecord metricsRecord() {
        return MetricsRecord.read(metricsJson());
    }

    /** The run's run.json. */
    public RunRecord runRecord() {
        return RunRecord.read(runJson());
    }

    /** The run spec recorded in run.json. */
    public RunSpec spec() {
        RunRecord r = runRecord();
        if (r.spec() == null) {
            throw new BadInputException(runJson() + ": spec: missing");
        }
        return RunSpec.fromJson(r.spec(), runJson() + ": spec");
    }
}
