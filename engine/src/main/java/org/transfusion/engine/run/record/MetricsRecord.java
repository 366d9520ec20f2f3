package org.transfusion.engine.run.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.io.Records;

/**
 * A finished run's {@code metrics.json}: the best weights' validation and test blocks ({@link Split}), the step
 * they came from, the run's length and speed, and the first step at which each validation-AUC threshold was
 * reached (null: never). Undefined numbers are written as null and read as NaN.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetricsRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("val") Split val,
        @JsonProperty("test") Split test,
        @JsonProperty("best_step") Long bestStep,
        @JsonProperty("steps") Long steps,
        @JsonProperty("train_seconds") Double trainSeconds,
        @JsonProperty("images_per_second") Double imagesPerSecond,
        @JsonProperty("loader_wait_fraction") Double loaderWaitFraction,
        @JsonProperty("steps_to_auc") @JsonInclude(content = JsonInclude.Include.ALWAYS) Map<String, Long> stepsToAuc) {
    /** The version this release writes; 1: written before versions were recorded (the same keys). */
    public static final int FORMAT = 2;

    public static MetricsRecord read(Path file) {
        return Records.read(file, MetricsRecord.class, FORMAT);
    }

    public void write(Path file) {
        Records.write(file, this);
    }

    /** The thresholds of {@link #stepsToAuc} as numbers, in the file's order (a null step: never reached). */
    public Map<Double, Long> stepsToAucByThreshold() {
        Map<Double, Long> out = new LinkedHashMap<>();
        if (stepsToAuc != null) {
            stepsToAuc.forEach((k, v) -> out.put(Double.parseDouble(k), v));
        }
        return out;
    }

    /**
     * One split's block: headline metrics (AUC, per output, DeLong intervals, accuracy, sensitivity and specificity
     * at 0.5 for a binary task, loss, count), average precision, the confusion at 0.5 and at the operating point
     * chosen on validation, and calibration.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Split(
            @JsonProperty("auc") Double auc,
            @JsonProperty("auc_per_output") Map<String, Double> aucPerOutput,
            @JsonProperty("auc_ci95_per_output") @JsonInclude(content = JsonInclude.Include.ALWAYS)
            Map<String, List<Double>> aucCi95PerOutput,
            /** The one output's interval: a list of two, a JSON null (undefined), or absent (several outputs). */
            @JsonProperty("auc_ci95") JsonNode aucCi95,
            @JsonProperty("accuracy") Double accuracy,
            @JsonProperty("sensitivity") Double sensitivity,
            @JsonProperty("specificity") Double specificity,
            @JsonProperty("loss") Double loss,
            @JsonProperty("count") Integer count,
            @JsonProperty("warnings") List<String> warnings,
            @JsonProperty("average_precision") Double averagePrecision,
            @JsonProperty("average_precision_per_output") Map<String, Double> averagePrecisionPerOutput,
            @JsonProperty("at_threshold_0.5") PerOutput atHalf,
            @JsonProperty("operating_point") OperatingPoint operatingPoint,
            @JsonProperty("calibration") Calibration calibration,
            /* a segmentation's: Dice (F1 at 0.5) and IoU pooled over the split's pixels in the field of view */
            @JsonProperty("dice") Double dice,
            @JsonProperty("iou") Double iou,
            /* percentile bootstrap over images (2.5, 97.5) of the pooled Dice; auc_ci95 is then the AUC's */
            @JsonProperty("dice_ci95") List<Double> diceCi95,
            @JsonProperty("dice_mean_per_image") Double diceMeanPerImage,
            @JsonProperty("auc_mean_per_image") Double aucMeanPerImage,
            @JsonProperty("per_image") List<ImageScores> perImage,
            @JsonProperty("per_class") Map<String, ClassScores> perClass,
            @JsonProperty("scope") String scope) {

        /** A classification split's block (no segmentation fields). */
        public Split(Double auc, Map<String, Double> aucPerOutput, Map<String, List<Double>> aucCi95PerOutput,
                     JsonNode aucCi95, Double accuracy, Double sensitivity, Double specificity, Double loss,
                     Integer count, List<String> warnings, Double averagePrecision,
                     Map<String, Double> averagePrecisionPerOutput, PerOutput atHalf, OperatingPoint operatingPoint,
                     Calibration calibration) {
            this(auc, aucPerOutput, aucCi95PerOutput, aucCi95, accuracy, sensitivity, specificity, loss, count,
                    warnings, averagePrecision, averagePrecisionPerOutput, atHalf, operatingPoint, calibration, null,
                    null, null, null, null, null, null, null);
        }

        /** The pooled Dice, NaN when absent (a classification run). */
        public double diceOrNaN() {
            return dice == null ? Double.NaN : dice;
        }

        /** The lower end of the one output's DeLong 95% interval (NaN when undefined or several outputs). */
        public double aucCi95Low() {
            return ciEnd(0);
        }

        public double aucCi95High() {
            return ciEnd(1);
        }

        private double ciEnd(int i) {
            JsonNode n = aucCi95 == null ? null : aucCi95.get(i);
            return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
        }
    }

    /** One image's segmentation metrics inside its field of view (at 0.5; AUC and AP over its pixels). */
    public record ImageScores(
            @JsonProperty("image") String image,
            @JsonProperty("dice") Double dice,
            @JsonProperty("iou") Double iou,
            @JsonProperty("auc") Double auc,
            @JsonProperty("average_precision") Double averagePrecision,
            @JsonProperty("sensitivity") Double sensitivity,
            @JsonProperty("specificity") Double specificity,
            @JsonProperty("accuracy") Double accuracy,
            @JsonProperty("pixels") Long pixels) {}

    /** One foreground class's pooled metrics (a segmentation of several classes). */
    public record ClassScores(
            @JsonProperty("dice") Double dice,
            @JsonProperty("iou") Double iou,
            @JsonProperty("auc") Double auc,
            @JsonProperty("average_precision") Double averagePrecision,
            @JsonProperty("sensitivity") Double sensitivity,
            @JsonProperty("specificity") Double specificity) {}

    /** The confusion of each output at one threshold. */
    public record PerOutput(
            @JsonProperty("per_output") @JsonInclude(content = JsonInclude.Include.ALWAYS)
            Map<String, Confusion> perOutput) {}

    /** Counts and rates at a threshold. */
    public record Confusion(
            @JsonProperty("threshold") Double threshold,
            @JsonProperty("sensitivity") Double sensitivity,
            @JsonProperty("specificity") Double specificity,
            @JsonProperty("ppv") Double ppv,
            @JsonProperty("npv") Double npv,
            @JsonProperty("f1") Double f1,
            @JsonProperty("tp") Long tp,
            @JsonProperty("fp") Long fp,
            @JsonProperty("tn") Long tn,
            @JsonProperty("fn") Long fn) {}

    /**
     * The operating point chosen on validation: its rule, where it was chosen, for a task of one output that
     * output's confusion at its threshold (when defined), each output's (null where the rule could not be met),
     * and the warnings of outputs where it is undefined.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OperatingPoint(
            @JsonProperty("rule") String rule,
            @JsonProperty("chosen_on") String chosenOn,
            @JsonProperty("threshold") Double threshold,
            @JsonProperty("sensitivity") Double sensitivity,
            @JsonProperty("specificity") Double specificity,
            @JsonProperty("ppv") Double ppv,
            @JsonProperty("npv") Double npv,
            @JsonProperty("f1") Double f1,
            @JsonProperty("tp") Long tp,
            @JsonProperty("fp") Long fp,
            @JsonProperty("tn") Long tn,
            @JsonProperty("fn") Long fn,
            @JsonProperty("per_output") @JsonInclude(content = JsonInclude.Include.ALWAYS)
            Map<String, Confusion> perOutput,
            @JsonProperty("warnings") List<String> warnings) {
        /** The point of {@code rule} with the one output's confusion {@code only} (null: none) spelled out. */
        public static OperatingPoint of(String rule, String chosenOn, Confusion only, Map<String, Confusion> perOutput,
                                        List<String> warnings) {
            return only == null
                    ? new OperatingPoint(rule, chosenOn, null, null, null, null, null, null, null, null, null, null,
                            perOutput, warnings)
                    : new OperatingPoint(rule, chosenOn, only.threshold(), only.sensitivity(), only.specificity(),
                            only.ppv(), only.npv(), only.f1(), only.tp(), only.fp(), only.tn(), only.fn(), perOutput,
                            warnings);
        }
    }

    /** One bin of a reliability table. */
    public record Bin(
            @JsonProperty("lower") Double lower,
            @JsonProperty("upper") Double upper,
            @JsonProperty("count") Long count,
            @JsonProperty("mean_probability") Double meanProbability,
            @JsonProperty("fraction_positive") Double fractionPositive) {}

    /**
     * Calibration: the binning, ECE per output and their mean, for a multiclass task top-label ECE, the reliability
     * tables, the NLL (when logits were kept) and, when a temperature was fitted on validation, the calibration after
     * it ({@link TemperatureScaling}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Calibration(
            @JsonProperty("bins") Integer bins,
            @JsonProperty("binning") String binning,
            @JsonProperty("ece") Double ece,
            @JsonProperty("ece_per_output") Map<String, Double> ecePerOutput,
            @JsonProperty("ece_top_label") Double eceTopLabel,
            @JsonProperty("reliability_top_label") List<Bin> reliabilityTopLabel,
            @JsonProperty("reliability_per_output") Map<String, List<Bin>> reliabilityPerOutput,
            @JsonProperty("nll") Double nll,
            @JsonProperty("temperature_scaling") TemperatureScaling temperatureScaling) {
        public Calibration withNll(Double nll) {
            return new Calibration(bins, binning, ece, ecePerOutput, eceTopLabel, reliabilityTopLabel,
                    reliabilityPerOutput, nll, temperatureScaling);
        }

        public Calibration withTemperatureScaling(TemperatureScaling t) {
            return new Calibration(bins, binning, ece, ecePerOutput, eceTopLabel, reliabilityTopLabel,
                    reliabilityPerOutput, nll, t);
        }
    }

    /** Temperature scaling fitted on validation and the calibration before and after it on this split. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TemperatureScaling(
            @JsonProperty("fitted_on") String fittedOn,
            @JsonProperty("objective") String objective,
            @JsonProperty("temperature") Double temperature,
            @JsonProperty("temperature_per_output") Map<String, Double> temperaturePerOutput,
            @JsonProperty("nll_before") Double nllBefore,
            @JsonProperty("nll_after") Double nllAfter,
            @JsonProperty("ece_before") Double eceBefore,
            @JsonProperty("ece_after") Double eceAfter,
            @JsonProperty("ece_top_label_before") Double eceTopLabelBefore,
            @JsonProperty("ece_top_label_after") Double eceTopLabelAfter,
            @JsonProperty("ece_per_output_after") Map<String, Double> ecePerOutputAfter,
            @JsonProperty("reliability_per_output_after") Map<String, List<Bin>> reliabilityPerOutputAfter) {}
}
