package org.transfusion.study.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;
import org.transfusion.error.BadInputException;

/**
 * A study's {@code analysis/forgetting.json}: per model (the file's keys beside {@code format_version}) either why it
 * was skipped ({@code {"skipped": WHY}}) or, per scheme, one measurement per seed ({@link Seed}: what
 * {@code SourceForgetting} measured, its points with the original head's and each layer's probe accuracy).
 */
public record ForgettingRecord(Integer formatVersion, Map<String, Model> models) {
    /**
     * The version this release writes: 3, probes on draws stratified by class (with the classes they saw); 2 and 1
     * (before versions were recorded): probes on a split's first images, which a class-ordered source reduced to a
     * few classes, so a study measures those again.
     */
    public static final int FORMAT = 3;

    /** One model: {@code skipped} (why) or its schemes, each a list of one measurement per seed. */
    public record Model(String skipped, Map<String, List<Seed>> schemes) {
        public static Model skipped(String why) {
            return new Model(why, null);
        }

        public static Model of(Map<String, List<Seed>> schemes) {
            return new Model(null, schemes);
        }

        /** Its schemes (none when skipped). */
        public Map<String, List<Seed>> schemesOrNone() {
            return schemes == null ? Map.of() : schemes;
        }
    }

    /** One seed's measurement: how it was made, the layers probed, and the points along fine-tuning. */
    public record Seed(
            @JsonProperty("run") String run,
            @JsonProperty("init") String init,
            @JsonProperty("source") String source,
            @JsonProperty("source_task") String sourceTask,
            @JsonProperty("source_weights") String sourceWeights,
            @JsonProperty("head") String head,
            @JsonProperty("image_size") Integer imageSize,
            @JsonProperty("probe") String probe,
            @JsonProperty("train_images") Integer trainImages,
            @JsonProperty("test_images") Integer testImages,
            @JsonProperty("train_classes") @JsonInclude(JsonInclude.Include.NON_NULL) Integer trainClasses,
            @JsonProperty("test_classes") @JsonInclude(JsonInclude.Include.NON_NULL) Integer testClasses,
            @JsonProperty("classes") @JsonInclude(JsonInclude.Include.NON_NULL) Integer classes,
            @JsonProperty("l2") Double l2,
            @JsonProperty("snapshots") Integer snapshots,
            @JsonProperty("layers") List<String> layers,
            @JsonProperty("points") List<Point> points) {
        /** Its points, none when absent. */
        public List<Point> pointsOrNone() {
            return points == null ? List.of() : points;
        }

        /** Its probed layers, none when absent. */
        public List<String> layersOrNone() {
            return layers == null ? List.of() : layers;
        }
    }

    /**
     * One point: {@code at} is init, step-K (a snapshot) or best; the original head's source accuracy and each
     * layer's probe accuracy (NaN where not measurable, null on disk).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(
            @JsonProperty("at") String at,
            @JsonProperty("step") Long step,
            @JsonProperty("head_accuracy") @JsonInclude(JsonInclude.Include.ALWAYS) Double headAccuracy,
            @JsonProperty("probe_accuracy") @JsonInclude(content = JsonInclude.Include.ALWAYS)
            Map<String, Double> probeAccuracy) {
        /** The head's accuracy, NaN where not measured. */
        public double head() {
            return Records.orNaN(headAccuracy);
        }

        /** A layer's probe accuracy, NaN where not measured. */
        public double probe(String layer) {
            return probeAccuracy == null ? Double.NaN : Records.orNaN(probeAccuracy.get(layer));
        }
    }

    public static ForgettingRecord read(Path file) {
        JsonNode tree = Json.read(file);
        int version = Records.version(file, tree, FORMAT);
        if (!tree.isObject()) {
            throw new BadInputException(file + ": expected a JSON object of models");
        }
        Map<String, Model> models = new LinkedHashMap<>();
        tree.fields().forEachRemaining(e -> {
            if (e.getKey().equals(Records.FORMAT_VERSION)) {
                return;
            }
            String where = file + ": " + e.getKey();
            JsonNode m = e.getValue();
            if (!m.isObject()) {
                throw new BadInputException(where + ": expected an object of schemes or {\"skipped\": WHY}");
            }
            JsonNode skipped = m.get("skipped");
            if (skipped != null) {
                models.put(e.getKey(), Model.skipped(skipped.asText()));
                return;
            }
            Map<String, List<Seed>> schemes = new LinkedHashMap<>();
            m.fields().forEachRemaining(s -> schemes.put(s.getKey(), List.of(Records.as(where + ": " + s.getKey(),
                    s.getValue(), Seed[].class))));
            models.put(e.getKey(), Model.of(schemes));
        });
        return new ForgettingRecord(version, models);
    }

    /** Writes the models as this release writes them, {@code format_version} first. */
    public void write(Path file) {
        Map<String, Object> out = new LinkedHashMap<>();
        models.forEach((name, m) -> out.put(name, m.skipped() != null ? Map.of("skipped", m.skipped())
                : m.schemesOrNone()));
        ObjectNode tree = RepresentationsRecord.withModels(FORMAT, out);
        Records.write(file, tree);
    }
}
