package org.transfusion.study.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;

/**
 * A study's {@code analysis/external.json}: every run's best weights scored on a second dataset (external
 * validation, issue 31.5), one {@link Row} per run.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExternalRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("data") String data,
        @JsonProperty("split") String split,
        @JsonProperty("rows") List<Row> rows) {
    /** The version this release writes (the first). */
    public static final int FORMAT = 1;

    /** One run: its id and what it stands for, its AUC on the external split and the images scored. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(
            @JsonProperty("id") String id,
            @JsonProperty("model") String model,
            @JsonProperty("arm") String arm,
            @JsonProperty("train_subset") Integer trainSubset,
            @JsonProperty("seed") Long seed,
            @JsonProperty("auc") Double auc,
            @JsonProperty("images") Integer images) {
        /** The AUC, NaN where undefined. */
        public double aucOrNaN() {
            return Records.orNaN(auc);
        }
    }

    /** The row of run {@code id}, or null. */
    public Row row(String id) {
        return rows.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }

    public static ExternalRecord read(Path file) {
        ExternalRecord r = Records.fromTree(file, Json.read(file), ExternalRecord.class, FORMAT);
        return new ExternalRecord(r.formatVersion(), r.data(), r.split(), r.rows() == null ? List.of() : r.rows());
    }

    public void write(Path file) {
        Records.write(file, new ExternalRecord(FORMAT, data, split, rows));
    }
}
