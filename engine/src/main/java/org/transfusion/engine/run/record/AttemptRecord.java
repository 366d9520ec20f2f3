package org.transfusion.engine.run.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;
import org.transfusion.error.BadInputException;

/**
 * One line of a run folder's {@code attempts.jsonl}: which attempt of the run ran where (the scheduler's attempt
 * number, host, pid), when it started and from which step, and the GPU a cluster scheduler gave it
 * ({@code TRANSFUSION_GPU_ADDRESS}, with the {@code CUDA_VISIBLE_DEVICES} narrowed to it), when one did. Each line
 * carries its own {@code format_version}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AttemptRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("attempt") Integer attempt,
        @JsonProperty("host") String host,
        @JsonProperty("pid") Long pid,
        @JsonProperty("started") String started,
        @JsonProperty("from_step") Long fromStep,
        @JsonProperty("gpu_address") String gpuAddress,
        @JsonProperty("cuda_visible_devices") String cudaVisibleDevices) {
    /** The version this release writes; 1: written before versions were recorded (the same keys). */
    public static final int FORMAT = 2;

    /** Appends this attempt as one line of {@code file}. */
    public void append(Path file) {
        try {
            String json = Records.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
            Files.writeString(file, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every attempt {@code file} lists, in order (a blank line skipped); a line of a newer version is refused. */
    public static List<AttemptRecord> readAll(Path file) {
        List<AttemptRecord> out = new ArrayList<>();
        int n = 0;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ": line " + n;
                try {
                    out.add(Records.fromTree(where, Json.parse(line), AttemptRecord.class, FORMAT));
                } catch (UncheckedIOException e) {
                    throw new BadInputException(where + ": " + BadInputException.printable(e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
