package org.transfusion.engine.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.record.MetricsRecord;

/**
 * A split's block of metrics.json: {@link Metrics} (AUC with DeLong intervals, accuracy; sensitivity and
 * specificity at 0.5 for binary tasks) and, beyond AUC, for every output (one-vs-rest for a multiclass task, as the
 * AUC): average precision; sensitivity, specificity, PPV, NPV and F1 at 0.5 and at the operating point whose
 * threshold was chosen on validation; calibration (ECE and the reliability table of {@link Reliability}, NLL); and,
 * with temperature scaling fitted on validation, the calibration after it beside the one before.
 */
public final class MetricsReport {
    private MetricsReport() {}

    /**
     * What is chosen on validation and applied to every split: the threshold of each output (NaN where the rule
     * could not be met) and, when calibrating, the temperature of each output (else null).
     */
    public record Fitted(OperatingPoint rule, double[] thresholds, double[] temperatures, List<String> warnings) {}

    /** Chooses thresholds by {@code rule} and, for {@code temperature}, fits temperatures, on validation scores. */
    public static Fitted fit(Task task, Evaluator.Scores val, OperatingPoint rule, CalibrationKind calibrate) {
        int outputs = task.outputs();
        double[] thresholds = new double[outputs];
        List<String> warnings = new ArrayList<>();
        double[] s = new double[val.n()];
        double[] y = new double[val.n()];
        for (int o = 0; o < outputs; o++) {
            Metrics.column(task, val.probs(), val.targets(), o, s, y);
            thresholds[o] = Thresholds.choose(rule, s, y);
            if (Double.isNaN(thresholds[o])) {
                String lacks = rule instanceof OperatingPoint.Sensitivity ? "positives" : "one class";
                warnings.add("operating point " + rule.spec() + " of '" + task.outputName(o) + "' is undefined: "
                        + "validation lacks " + lacks);
            }
        }
        double[] temperatures = calibrate == CalibrationKind.TEMPERATURE && val.logits() != null
                ? TemperatureScaling.fit(task, val.logits(), val.targets(), val.n()) : null;
        return new Fitted(rule, thresholds, temperatures, warnings);
    }

    /** The headline metrics of {@code s} ({@link Metrics}, binary sensitivity and specificity at 0.5). */
    public static Metrics headline(Task task, Evaluator.Scores s) {
        return Metrics.compute(task, s.probs(), s.targets(), s.n(), s.loss(), 0.5);
    }

    /**
     * The block of a split scored as {@code s} with its {@code metrics} ({@link #headline}): {@code fitted} chosen
     * on validation; {@code isValidation} when {@code s} is that split (its operating point is then in-sample and
     * temperature scaling is not reported on it). As an ordered map (what {@code evaluate} prints).
     */
    public static Map<String, Object> block(Task task, Evaluator.Scores s, Metrics metrics, Fitted fitted,
                                            boolean isValidation) {
        return Records.toMap(split(task, s, metrics, fitted, isValidation));
    }

    /** {@link #block} as the record metrics.json holds. */
    public static MetricsRecord.Split split(Task task, Evaluator.Scores s, Metrics metrics, Fitted fitted,
                                            boolean isValidation) {
        int outputs = task.outputs();
        double[] col = new double[s.n()];
        double[] y = new double[s.n()];
        Map<String, Double> ap = new LinkedHashMap<>();
        Map<String, MetricsRecord.Confusion> atHalf = new LinkedHashMap<>();
        Map<String, MetricsRecord.Confusion> atPoint = new LinkedHashMap<>();
        double apSum = 0;
        int apDefined = 0;
        for (int o = 0; o < outputs; o++) {
            Metrics.column(task, s.probs(), s.targets(), o, col, y);
            double a = AveragePrecision.binary(col, y);
            ap.put(task.outputName(o), a);
            if (!Double.isNaN(a)) {
                apSum += a;
                apDefined++;
            }
            atHalf.put(task.outputName(o), Confusion.at(col, y, 0.5).toRecord());
            double t = fitted.thresholds()[o];
            atPoint.put(task.outputName(o), Double.isNaN(t) ? null : Confusion.at(col, y, t).toRecord());
        }
        MetricsRecord.OperatingPoint point = MetricsRecord.OperatingPoint.of(fitted.rule().spec(),
                isValidation ? "val (this split: in-sample)" : "val",
                outputs == 1 ? atPoint.values().iterator().next() : null, atPoint,
                fitted.warnings().isEmpty() ? null : fitted.warnings());
        MetricsRecord.Calibration calibration = calibration(task, s.probs(), s);
        if (s.logits() != null) {
            double[] ones = new double[outputs];
            Arrays.fill(ones, 1.0);
            calibration = calibration.withNll(TemperatureScaling.nll(task, s.logits(), s.targets(), s.n(), ones));
        }
        if (fitted.temperatures() != null && !isValidation && s.logits() != null) {
            calibration = calibration.withTemperatureScaling(temperatureScaling(task, s, fitted.temperatures(),
                    calibration));
        }
        // DeLong 95% intervals per output (for a binary task, of the headline AUC); a macro or mean AUC over
        // several outputs has none here.
        Map<String, List<Double>> intervals = new LinkedHashMap<>();
        metrics.perOutputCi().forEach((k, v) -> intervals.put(k, Double.isNaN(v.se()) ? null
                : List.of(v.low(), v.high())));
        boolean binaryRates = !Double.isNaN(metrics.sensitivity()) || !Double.isNaN(metrics.specificity());
        return new MetricsRecord.Split(metrics.auc(), metrics.perOutputAuc(), intervals,
                intervals.size() == 1 ? Records.MAPPER.valueToTree(intervals.values().iterator().next()) : null,
                metrics.accuracy(), binaryRates ? metrics.sensitivity() : null,
                binaryRates ? metrics.specificity() : null, metrics.loss(), metrics.count(),
                metrics.warnings().isEmpty() ? null : metrics.warnings(),
                apDefined == 0 ? Double.NaN : apSum / apDefined, ap, new MetricsRecord.PerOutput(atHalf), point,
                calibration);
    }

    /** ECE per output (one-vs-rest), their mean, the reliability tables; for multiclass also top-label ECE. */
    static MetricsRecord.Calibration calibration(Task task, double[] probs, Evaluator.Scores s) {
        Map<String, Double> ece = new LinkedHashMap<>();
        Map<String, List<MetricsRecord.Bin>> tables = new LinkedHashMap<>();
        double[] col = new double[s.n()];
        double[] y = new double[s.n()];
        double sum = 0;
        int defined = 0;
        for (int o = 0; o < task.outputs(); o++) {
            Metrics.column(task, probs, s.targets(), o, col, y);
            Reliability r = Reliability.of(col, y, Reliability.BINS);
            ece.put(task.outputName(o), r.ece());
            tables.put(task.outputName(o), r.table());
            if (!Double.isNaN(r.ece())) {
                sum += r.ece();
                defined++;
            }
        }
        Reliability top = task.type() == Task.Type.MULTICLASS ? topLabel(probs, s.targets(), s.n(), task.outputs())
                : null;
        return new MetricsRecord.Calibration(Reliability.BINS, Reliability.BINNING,
                defined == 0 ? Double.NaN : sum / defined, ece, top == null ? null : top.ece(),
                top == null ? null : top.table(), tables, null, null);
    }

    /**
     * Guo et al.'s multiclass calibration: the confidence (largest probability) against whether the class it names
     * is right.
     */
    static Reliability topLabel(double[] probs, double[] classes, int n, int outputs) {
        double[] confidence = new double[n];
        double[] correct = new double[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < outputs; k++) {
                if (probs[i * outputs + k] > probs[i * outputs + best]) {
                    best = k;
                }
            }
            confidence[i] = probs[i * outputs + best];
            correct[i] = Double.isNaN(classes[i]) ? Double.NaN : best == (int) classes[i] ? 1 : 0;
        }
        return Reliability.of(confidence, correct, Reliability.BINS);
    }

    private static MetricsRecord.TemperatureScaling temperatureScaling(Task task, Evaluator.Scores s,
                                                                       double[] temperatures,
                                                                       MetricsRecord.Calibration before) {
        double[] scaled = TemperatureScaling.probabilities(task, s.logits(), s.n(), temperatures);
        MetricsRecord.Calibration after = calibration(task, scaled, s);
        boolean multiclass = task.type() == Task.Type.MULTICLASS;
        Map<String, Double> per = null;
        if (!multiclass) {
            per = new LinkedHashMap<>();
            for (int o = 0; o < task.outputs(); o++) {
                per.put(task.outputName(o), temperatures[o]);
            }
        }
        boolean top = after.eceTopLabel() != null;
        return new MetricsRecord.TemperatureScaling("val", "validation NLL, golden-section search over ln T in ["
                + TemperatureScaling.MIN + ", " + TemperatureScaling.MAX + "]", multiclass ? temperatures[0] : null,
                per, before.nll(), TemperatureScaling.nll(task, s.logits(), s.targets(), s.n(), temperatures),
                before.ece(), after.ece(), top ? before.eceTopLabel() : null, top ? after.eceTopLabel() : null,
                after.ecePerOutput(), after.reliabilityPerOutput());
    }
}
