package org.transfusion.engine.eval;

import org.transfusion.engine.run.record.MetricsRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The confusion counts of one output at a threshold (positive when the score is at least it; masked labels left
 * out) and the rates a clinician reads from them. A rate whose denominator is zero (no predicted positives for
 * PPV, say) is NaN, written as null, where scikit-learn would give 0 with a warning.
 */
public record Confusion(double threshold, long tp, long fp, long tn, long fn) {

    public static Confusion at(double[] scores, double[] labels, double threshold) {
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < labels.length; i++) {
            if (Double.isNaN(labels[i])) {
                continue;
            }
            boolean predicted = scores[i] >= threshold;
            if (labels[i] > 0.5) {
                if (predicted) { tp++; } else { fn++; }
            } else {
                if (predicted) { fp++; } else { tn++; }
            }
        }
        return new Confusion(threshold, tp, fp, tn, fn);
    }

    /** Recall, true-positive rate: TP / (TP + FN). */
    public double sensitivity() {
        return ratio(tp, tp + fn);
    }

    /** True-negative rate: TN / (TN + FP). */
    public double specificity() {
        return ratio(tn, tn + fp);
    }

    /** Positive predictive value, precision: TP / (TP + FP). */
    public double ppv() {
        return ratio(tp, tp + fp);
    }

    /** Negative predictive value: TN / (TN + FN). */
    public double npv() {
        return ratio(tn, tn + fn);
    }

    /** F1, the harmonic mean of PPV and sensitivity: 2 TP / (2 TP + FP + FN). */
    public double f1() {
        return ratio(2 * tp, 2 * tp + fp + fn);
    }

    /** As metrics.json records it. */
    public MetricsRecord.Confusion toRecord() {
        return new MetricsRecord.Confusion(threshold, sensitivity(), specificity(), ppv(), npv(), f1(), tp, fp, tn, fn);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
