package org.transfusion.engine.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.Task;

/**
 * The metrics of one evaluation, from predicted probabilities and targets: the headline {@code auc} (binary
 * AUC; macro one-vs-rest over classes for multiclass; mean over labels for multi-label, masked labels left
 * out), per-output AUCs with their DeLong 95% intervals ({@link DeLong}), accuracy, and sensitivity/specificity at the threshold for binary tasks. Outputs whose
 * AUC is undefined (one class present) are NaN, left out of the mean, and named in {@code warnings}.
 */
public record Metrics(double auc, Map<String, Double> perOutputAuc, Map<String, DeLong.Interval> perOutputCi,
                      double accuracy, double sensitivity, double specificity, double loss, int count,
                      List<String> warnings) {

    /**
     * Output {@code o} as a binary problem: its scores into {@code s} and its 1/0 labels (NaN masked; one-vs-rest
     * for multiclass) into {@code y}, both of length n.
     */
    static void column(Task task, double[] probs, double[] targets, int o, double[] s, double[] y) {
        int outputs = task.outputs();
        int tw = task.targetWidth();
        for (int i = 0; i < s.length; i++) {
            s[i] = probs[i * outputs + o];
            if (task.type() == Task.Type.MULTICLASS) {
                double t = targets[i * tw];
                y[i] = Double.isNaN(t) ? Double.NaN : (t == o ? 1 : 0);
            } else {
                y[i] = targets[i * tw + o];
            }
        }
    }

    /** The headline AUC only ({@link #compute}'s {@code auc}): the mean of the outputs' defined AUCs. */
    public static double headlineAuc(Task task, double[] probs, double[] targets, int n) {
        double sum = 0;
        int defined = 0;
        double[] s = new double[n];
        double[] y = new double[n];
        for (int o = 0; o < task.outputs(); o++) {
            column(task, probs, targets, o, s, y);
            double auc = RocAuc.binary(s, y);
            if (!Double.isNaN(auc)) {
                sum += auc;
                defined++;
            }
        }
        return defined == 0 ? Double.NaN : sum / defined;
    }

    /**
     * @param probs   n x outputs probabilities (sigmoid for binary/multi-label, softmax for multiclass), row-major
     * @param targets n x task.targetWidth(), row-major (NaN masked)
     */
    public static Metrics compute(Task task, double[] probs, double[] targets, int n, double loss, double threshold) {
        int outputs = task.outputs();
        int tw = task.targetWidth();
        Map<String, Double> per = new LinkedHashMap<>();
        Map<String, DeLong.Interval> ci = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        double sum = 0;
        int defined = 0;
        for (int o = 0; o < outputs; o++) {
            double[] s = new double[n];
            double[] y = new double[n];
            column(task, probs, targets, o, s, y);
            double auc = RocAuc.binary(s, y);
            String name = task.outputName(o);
            per.put(name, auc);
            ci.put(name, DeLong.interval(s, y));
            if (Double.isNaN(auc)) {
                warnings.add("AUC of '" + name + "' is undefined: only one class present among " + n + " images");
            } else {
                sum += auc;
                defined++;
            }
        }
        double auc = defined == 0 ? Double.NaN : sum / defined;

        int correct = 0;
        int counted = 0;
        long tp = 0;
        long fn = 0;
        long tn = 0;
        long fp = 0;
        for (int i = 0; i < n; i++) {
            if (task.type() == Task.Type.MULTICLASS) {
                int best = 0;
                for (int o = 1; o < outputs; o++) {
                    if (probs[i * outputs + o] > probs[i * outputs + best]) {
                        best = o;
                    }
                }
                if (!Double.isNaN(targets[i * tw])) {
                    counted++;
                    correct += best == (int) targets[i * tw] ? 1 : 0;
                }
            } else {
                for (int o = 0; o < outputs; o++) {
                    double t = targets[i * tw + o];
                    if (Double.isNaN(t)) {
                        continue;
                    }
                    boolean predicted = probs[i * outputs + o] >= threshold;
                    boolean actual = t > 0.5;
                    counted++;
                    correct += predicted == actual ? 1 : 0;
                    if (actual) {
                        if (predicted) { tp++; } else { fn++; }
                    } else {
                        if (predicted) { fp++; } else { tn++; }
                    }
                }
            }
        }
        double accuracy = counted == 0 ? Double.NaN : (double) correct / counted;
        double sens = task.type() == Task.Type.BINARY && tp + fn > 0 ? (double) tp / (tp + fn) : Double.NaN;
        double spec = task.type() == Task.Type.BINARY && tn + fp > 0 ? (double) tn / (tn + fp) : Double.NaN;
        return new Metrics(auc, per, ci, accuracy, sens, spec, loss, n, warnings);
    }
}
