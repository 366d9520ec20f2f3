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

/**
 * A study's {@code analysis/representations.json}: per model (the file's keys beside {@code format_version}), its
 * probed layers with their points and neurons, the per-layer similarity of random-init networks of different seeds
 * and of random-init vs transferred ones, each network before vs after training, and the weight movement.
 */
public record RepresentationsRecord(Integer formatVersion, Map<String, Model> models) {
    public static final int FORMAT = 2;

    /** One model's analysis. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(
            @JsonProperty("layers") List<String> layers,
            @JsonProperty("points") List<Integer> points,
            @JsonProperty("neurons") List<Integer> neurons,
            @JsonProperty("random_vs_random") Summary randomVsRandom,
            @JsonProperty("random_vs_pretrained") Summary randomVsPretrained,
            @JsonProperty("before_after") Map<String, Summary> beforeAfter,
            @JsonProperty("weight_movement") Map<String, Map<String, Double>> weightMovement) {
        /** The before-vs-after summary of {@code scheme}, or null. */
        public Summary beforeAfter(String scheme) {
            return beforeAfter == null ? null : beforeAfter.get(scheme);
        }

        /** The mean weight movement per tensor of {@code scheme} (empty when not recorded). */
        public Map<String, Double> movement(String scheme) {
            Map<String, Double> m = weightMovement == null ? null : weightMovement.get(scheme);
            return m == null ? Map.of() : m;
        }
    }

    /**
     * Per measure: per-layer mean and standard deviation over the comparisons, and each comparison's per-layer
     * values; {@code comparisons} counts them (no measures when there were none).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(
            @JsonProperty("comparisons") Integer comparisons,
            @JsonProperty("svcca") Measure svcca,
            @JsonProperty("pwcca") Measure pwcca,
            @JsonProperty("cka_linear") Measure ckaLinear,
            @JsonProperty("svcca_equal_width") Measure svccaEqualWidth,
            @JsonProperty("cka_linear_equal_width") Measure ckaEqualWidth,
            @JsonProperty("cka_linear_debiased") Measure ckaDebiased) {
        /** The three measures every analysis records (the width-corrected ones absent). */
        public Summary(Integer comparisons, Measure svcca, Measure pwcca, Measure ckaLinear) {
            this(comparisons, svcca, pwcca, ckaLinear, null, null, null);
        }

        /**
         * The measure named as the analysis names it (svcca, pwcca, cka_linear; before vs after also
         * svcca_equal_width, cka_linear_equal_width, cka_linear_debiased where the analysis measured them), or null.
         */
        public Measure measure(String name) {
            return switch (name) {
                case "svcca" -> svcca;
                case "pwcca" -> pwcca;
                case "cka_linear" -> ckaLinear;
                case "svcca_equal_width" -> svccaEqualWidth;
                case "cka_linear_equal_width" -> ckaEqualWidth;
                case "cka_linear_debiased" -> ckaDebiased;
                default -> null;
            };
        }
    }

    /** One measure's per-layer mean and sd, and per comparison its per-layer values. */
    public record Measure(
            @JsonProperty("mean") List<Double> mean,
            @JsonProperty("sd") List<Double> sd,
            @JsonProperty("values") List<List<Double>> values) {}

    /** The element {@code i} of a per-layer list: NaN where it is missing or undefined. */
    public static double at(List<Double> list, int i) {
        return list == null || i >= list.size() ? Double.NaN : Records.orNaN(list.get(i));
    }

    public static RepresentationsRecord read(Path file) {
        JsonNode tree = Json.read(file);
        return new RepresentationsRecord(Records.version(file, tree, FORMAT), models(file, tree, Model.class));
    }

    public void write(Path file) {
        Records.write(file, withModels(FORMAT, models));
    }

    /** A file of models keyed by name, {@code format_version} first. */
    static ObjectNode withModels(int version, Map<String, ?> models) {
        ObjectNode out = Records.MAPPER.createObjectNode();
        out.put(Records.FORMAT_VERSION, version);
        models.forEach((k, v) -> out.set(k, Records.MAPPER.valueToTree(v)));
        return out;
    }

    /** The models of a file keyed by model name (every key but {@code format_version}), in the file's order. */
    static <T> Map<String, T> models(Path file, JsonNode tree, Class<T> type) {
        Map<String, T> out = new LinkedHashMap<>();
        if (!tree.isObject()) {
            throw new org.transfusion.error.BadInputException(file + ": expected a JSON object of models");
        }
        tree.fields().forEachRemaining(e -> {
            if (!e.getKey().equals(Records.FORMAT_VERSION)) {
                out.put(e.getKey(), Records.as(file + ": " + e.getKey(), e.getValue(), type));
            }
        });
        return out;
    }
}
