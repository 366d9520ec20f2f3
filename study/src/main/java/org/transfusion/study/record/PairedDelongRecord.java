package org.transfusion.study.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;
import org.transfusion.error.BadInputException;

/**
 * A study's {@code analysis/paired-delong.json}: transfer against random init of the same seed on the same test
 * images, one {@link Row} per model and seed. Version 2 is an object {@code {"format_version": 2, "rows": [...]}};
 * version 1 (the release before versions were recorded) was the array of rows itself, and still reads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PairedDelongRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("rows") List<Row> rows,
        @JsonProperty("means") List<Mean> means,
        @JsonProperty("contrasts") List<Mean> contrasts) {
    /**
     * The version this release writes: 4 adds {@code contrasts} (the test set's variance of the seed-averaged
     * differences between models that claims 2 and 4 judge); 3 {@code means} (the test set's variance of each
     * model's seed-averaged difference, issue 30.3); 2 the rows as an object; 1 the array of rows.
     */
    public static final int FORMAT = 4;

    /** Rows without the seed-averaged means (a record before version 3). */
    public PairedDelongRecord(Integer formatVersion, List<Row> rows) {
        this(formatVersion, rows, null, null);
    }

    /** Rows and means without contrasts (a record before version 4). */
    public PairedDelongRecord(Integer formatVersion, List<Row> rows, List<Mean> means) {
        this(formatVersion, rows, means, null);
    }

    /**
     * The contrast named {@code name} ({@link Mean#model} holds the name, e.g. {@code cbr-small - resnet50
     * (random)}), or null.
     */
    public Mean contrast(String name) {
        return contrasts == null ? null
                : contrasts.stream().filter(m -> name.equals(m.model())).findFirst().orElse(null);
    }

    /**
     * One model's difference averaged over its seeds (transfer minus random) with the variance the test set's
     * sampling gives that mean: the DeLong variance of the contrast sum_s (AUC_transfer,s - AUC_random,s) / n when
     * every seed scored the same test images ({@code method} "DeLong, shared test set"), else the sum of the seeds'
     * own variances over n^2 (independent test sets); null where a seed's variance is unknown (a macro AUC's
     * bootstrap, or test sets that differ between a seed's two runs).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Mean(
            @JsonProperty("model") String model,
            @JsonProperty("seeds") Integer seeds,
            @JsonProperty("difference") Double difference,
            @JsonProperty("test_variance") Double testVariance,
            @JsonProperty("method") String method) {}

    /** The model's seed-averaged row, or null. */
    public Mean mean(String model) {
        return means == null ? null : means.stream().filter(m -> model.equals(m.model())).findFirst().orElse(null);
    }

    /**
     * One model and seed: the test's method (DeLong's paired test, or the paired bootstrap for a macro AUC), both
     * AUCs, their difference (transfer minus random) with its 95% interval and two-sided p, and the test images; or,
     * where the two runs' test sets differ, a {@code note} saying so instead of the numbers.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(
            @JsonProperty("model") String model,
            @JsonProperty("seed") Long seed,
            @JsonProperty("note") String note,
            @JsonProperty("method") String method,
            @JsonProperty("auc_random") Double aucRandom,
            @JsonProperty("auc_transfer") Double aucTransfer,
            @JsonProperty("difference") Double difference,
            @JsonProperty("ci95") List<Double> ci95,
            @JsonProperty("p") Double p,
            @JsonProperty("images") Integer images) {
        /** An end of the interval ({@code 0} low, {@code 1} high); NaN where it is missing or undefined. */
        public double ci95(int end) {
            return ci95 == null || end >= ci95.size() ? Double.NaN : Records.orNaN(ci95.get(end));
        }
    }

    public static PairedDelongRecord read(Path file) {
        JsonNode tree = Json.read(file);
        if (tree.isArray()) { // version 1: the rows themselves
            return new PairedDelongRecord(1, List.of(Records.as(file, tree, Row[].class)), null, null);
        }
        if (!tree.isObject()) {
            throw new BadInputException(file + ": expected a JSON object with rows (or, as version 1 wrote it, "
                    + "an array of rows), got " + tree.getNodeType());
        }
        PairedDelongRecord r = Records.fromTree(file, tree, PairedDelongRecord.class, FORMAT);
        return new PairedDelongRecord(r.formatVersion(), r.rows() == null ? List.of() : r.rows(), r.means(),
                r.contrasts());
    }

    /** Writes the rows as this release writes them (version {@link #FORMAT}). */
    public void write(Path file) {
        Records.write(file, new PairedDelongRecord(FORMAT, rows, means, contrasts));
    }
}
