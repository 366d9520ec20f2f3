package org.transfusion.study.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;

/**
 * A study's {@code analysis/size-sweep.json}: per model (the file's keys beside {@code format_version}) its trainable
 * parameters, probed layers, and per scheme the before-vs-after similarity, weight movement and effective rank and
 * directions for 99% of the variance at init and trained (per seed, per layer).
 */
public record SizeSweepRecord(Integer formatVersion, Map<String, Model> models) {
    public static final int FORMAT = 2;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(
            @JsonProperty("params") Long params,
            @JsonProperty("layers") List<String> layers,
            @JsonProperty("points") List<Integer> points,
            @JsonProperty("neurons") List<Integer> neurons,
            @JsonProperty("before_after") Map<String, RepresentationsRecord.Summary> beforeAfter,
            @JsonProperty("weight_movement") Map<String, Movement> weightMovement,
            @JsonProperty("effective_rank") Map<String, BeforeAfter> effectiveRank,
            @JsonProperty("variance99") Map<String, BeforeAfter> variance99) {}

    /** Per seed, the relative movement of each weight tensor ({@code keys} names them). */
    public record Movement(@JsonProperty("keys") List<String> keys,
                           @JsonProperty("values") List<List<Double>> values) {}

    /** Per seed and layer, a quantity at init ({@code before}) and trained ({@code after}). */
    public record BeforeAfter(@JsonProperty("before") List<List<Double>> before,
                              @JsonProperty("after") List<List<Double>> after) {}

    public static SizeSweepRecord read(Path file) {
        JsonNode tree = Json.read(file);
        return new SizeSweepRecord(Records.version(file, tree, FORMAT),
                RepresentationsRecord.models(file, tree, Model.class));
    }

    public void write(Path file) {
        Records.write(file, RepresentationsRecord.withModels(FORMAT, models));
    }
}
