package org.transfusion.engine.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.OperatingPoint;

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
     * temperature scaling is not reported on it).
     */
    public static Map<String, Object> block(Task task, Evaluator.Scores s, Metrics metrics, Fitted fitted,
                                            boolean isValidation) {
        Map<String, Object> m = metrics.toMap();
        int outputs = task.outputs();
        double[] col = new double[s.n()];
        double[] y = new double[s.n()];
        Map<String, Object> ap = new LinkedHashMap<>();
        Map<String, Object> atHalf = new LinkedHashMap<>();
        Map<String, Object> atPoint = new LinkedHashMap<>();
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
            atHalf.put(task.outputName(o), Confusion.at(col, y, 0.5).toMap());
            double t = fitted.thresholds()[o];
            atPoint.put(task.outputName(o), Double.isNaN(t) ? null : Confusion.at(col, y, t).toMap());
        }
        m.put("average_precision", apDefined == 0 ? Double.NaN : apSum / apDefined);
        m.put("average_precision_per_output", ap);
        m.put("at_threshold_0.5", Map.of("per_output", atHalf));
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("rule", fitted.rule().spec());
        point.put("chosen_on", isValidation ? "val (this split: in-sample)" : "val");
        if (outputs == 1 && atPoint.values().iterator().next() instanceof Map<?, ?> only) {
            only.forEach((k, v) -> point.put((String) k, v));
        }
        point.put("per_output", atPoint);
        if (!fitted.warnings().isEmpty()) {
            point.put("warnings", fitted.warnings());
        }
        m.put("operating_point", point);
        Map<String, Object> calibration = calibration(task, s.probs(), s);
        if (s.logits() != null) {
            double[] ones = new double[outputs];
            Arrays.fill(ones, 1.0);
            calibration.put("nll", TemperatureScaling.nll(task, s.logits(), s.targets(), s.n(), ones));
        }
        if (fitted.temperatures() != null && !isValidation && s.logits() != null) {
            calibration.put("temperature_scaling", temperatureScaling(task, s, fitted.temperatures(), calibration));
        }
        m.put("calibration", calibration);
        return m;
    }

    /** ECE per output (one-vs-rest), their mean, the reliability tables; for multiclass also top-label ECE. */
    static Map<String, Object> calibration(Task task, double[] probs, Evaluator.Scores s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("bins", Reliability.BINS);
        c.put("binning", Reliability.BINNING);
        Map<String, Object> ece = new LinkedHashMap<>();
        Map<String, Object> tables = new LinkedHashMap<>();
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
        c.put("ece", defined == 0 ? Double.NaN : sum / defined);
        c.put("ece_per_output", ece);
        if (task.type() == Task.Type.MULTICLASS) {
            Reliability top = topLabel(probs, s.targets(), s.n(), task.outputs());
            c.put("ece_top_label", top.ece());
            c.put("reliability_top_label", top.table());
        }
        c.put("reliability_per_output", tables);
        return c;
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

    private static Map<String, Object> temperatureScaling(Task task, Evaluator.Scores s, double[] temperatures,
                                                          Map<String, Object> before) {
        double[] scaled = TemperatureScaling.probabilities(task, s.logits(), s.n(), temperatures);
        Map<String, Object> after = calibration(task, scaled, s);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("fitted_on", "val");
        t.put("objective", "validation NLL, golden-section search over ln T in [" + TemperatureScaling.MIN + ", "
                + TemperatureScaling.MAX + "]");
        if (task.type() == Task.Type.MULTICLASS) {
            t.put("temperature", temperatures[0]);
        } else {
            Map<String, Object> per = new LinkedHashMap<>();
            for (int o = 0; o < task.outputs(); o++) {
                per.put(task.outputName(o), temperatures[o]);
            }
            t.put("temperature_per_output", per);
        }
        t.put("nll_before", before.get("nll"));
        t.put("nll_after", TemperatureScaling.nll(task, s.logits(), s.targets(), s.n(), temperatures));
        t.put("ece_before", before.get("ece"));
        t.put("ece_after", after.get("ece"));
        if (after.containsKey("ece_top_label")) {
            t.put("ece_top_label_before", before.get("ece_top_label"));
            t.put("ece_top_label_after", after.get("ece_top_label"));
        }
        t.put("ece_per_output_after", after.get("ece_per_output"));
        t.put("reliability_per_output_after", after.get("reliability_per_output"));
        return t;
    }
}
