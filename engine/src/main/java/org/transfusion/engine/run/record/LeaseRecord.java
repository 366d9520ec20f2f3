package org.transfusion.engine.run.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.transfusion.engine.io.Records;

/**
 * A run folder's {@code .lease} ({@code RunLease}): the attempt that holds the folder (a random token, host, pid,
 * the process's start time, the scheduler's attempt number), its last heartbeat (ms since the epoch) and whether
 * it let the lease go. The holder rewrites it at every heartbeat, so it is small and written as it is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaseRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("token") String token,
        @JsonProperty("host") String host,
        @JsonProperty("pid") Long pid,
        @JsonProperty("process_started") @JsonInclude(JsonInclude.Include.ALWAYS) String processStarted,
        @JsonProperty("attempt") Integer attempt,
        @JsonProperty("heartbeat") Long heartbeat,
        @JsonProperty("released") Boolean released) {
    /** The version this release writes; 1: written before versions were recorded (the same keys). */
    public static final int FORMAT = 2;

    /** A new holder's lease, not yet beating. */
    public static LeaseRecord of(String token, String host, long pid, String processStarted, int attempt) {
        return new LeaseRecord(FORMAT, token, host, pid, processStarted, attempt, null, null);
    }

    /**
     * The lease in {@code file}; empty when there is none, or it is empty or unreadable (torn: writes are atomic
     * renames, so only a foreign file is). A lease of a newer version is refused in one line.
     */
    public static Optional<LeaseRecord> read(Path file) {
        JsonNode tree;
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                return Optional.empty();
            }
            tree = Records.MAPPER.readTree(text);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (!tree.isObject()) {
            return Optional.empty();
        }
        Records.version(file, tree, FORMAT);
        try {
            return Optional.of(Records.MAPPER.treeToValue(tree, LeaseRecord.class));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public void write(Path file) {
        Records.write(file, this);
    }

    /** This lease beating at {@code millis}. */
    public LeaseRecord beating(long millis) {
        return new LeaseRecord(formatVersion, token, host, pid, processStarted, attempt, millis, released);
    }

    /** This lease let go at {@code millis}. */
    public LeaseRecord releasedAt(long millis) {
        return new LeaseRecord(formatVersion, token, host, pid, processStarted, attempt, millis, true);
    }

    /** Whether its holder let it go (absent: no). */
    public boolean isReleased() {
        return Boolean.TRUE.equals(released);
    }
}
