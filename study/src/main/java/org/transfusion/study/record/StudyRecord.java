package org.transfusion.study.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;

/**
 * A study folder's {@code study.json}: the spec it runs (the study spec's own map form, read back through the spec
 * reader) and the data folder it ran with (null: the default), so that a rerun resumes the same study and
 * {@code transfusion report} can rebuild the report.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("spec") JsonNode spec,
        @JsonProperty("data_dir") @JsonInclude(JsonInclude.Include.ALWAYS) String dataDir) {
    public static final int FORMAT = 2;

    public static StudyRecord read(Path file) {
        return Records.read(file, StudyRecord.class, FORMAT);
    }

    public void write(Path file) {
        Records.write(file, this);
    }

    /** The spec as YAML/JSON text for the spec reader (JSON is YAML). */
    public String specText() {
        return Json.toString(spec == null ? Json.MAPPER.missingNode() : spec);
    }

    /** The recorded data folder, or null. */
    public Path dataDirPath() {
        return dataDir == null ? null : Path.of(dataDir);
    }
}
