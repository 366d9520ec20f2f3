package org.transfusion.engine.run.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import org.transfusion.engine.io.Records;

/** A failed run's {@code failed.json}: why training diverged or collapsed, at which step, its lr and the rule. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FailureRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("reason") String reason,
        @JsonProperty("step") Long step,
        @JsonProperty("lr") Double lr,
        @JsonProperty("rule") String rule) {
    public static final int FORMAT = 2;

    public static FailureRecord read(Path file) {
        return Records.read(file, FailureRecord.class, FORMAT);
    }

    public void write(Path file) {
        Records.write(file, this);
    }

    /** "REASON (at step N)", as a study lists a failed run. */
    public String describe() {
        return (reason != null ? reason : "training diverged") + " (at step " + (step != null ? step : "?") + ")";
    }
}
