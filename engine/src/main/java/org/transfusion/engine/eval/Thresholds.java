package org.transfusion.engine.eval;

import org.transfusion.engine.run.OperatingPoint;

/**
 * Chooses an output's decision threshold by an {@link OperatingPoint} rule from scores and labels (the validation
 * split's). Candidate thresholds are the distinct scores, as the points of scikit-learn's
 * {@code roc_curve(..., drop_intermediate=False)}; an image is positive when its score is at least the threshold.
 */
public final class Thresholds {
    private Thresholds() {}

    /**
     * The threshold {@code rule} picks; NaN when the rule cannot be met on these labels (Youden's J without both
     * classes; a sensitivity without positives).
     */
    public static double choose(OperatingPoint rule, double[] scores, double[] labels) {
        if (rule instanceof OperatingPoint.Threshold t) {
            return t.value();
        }
        Ranked r = Ranked.of(scores, labels);
        if (rule instanceof OperatingPoint.Sensitivity s) {
            return sensitivity(r, s.target());
        }
        return youden(r);
    }

    /** The threshold maximising TPR - FPR; of equal J, the highest threshold (numpy's argmax over roc_curve). */
    static double youden(Ranked r) {
        if (r.positives() == 0 || r.negatives() == 0) {
            return Double.NaN;
        }
        long tp = 0;
        long fp = 0;
        double best = Double.NEGATIVE_INFINITY;
        double threshold = Double.NaN;
        for (int g = 0; g < r.groups(); g++) {
            tp += r.groupPositives(g);
            fp += r.groupNegatives(g);
            double j = (double) tp / r.positives() - (double) fp / r.negatives();
            if (j > best) {
                best = j;
                threshold = r.groupScore()[g];
            }
        }
        return threshold;
    }

    /** The highest threshold whose sensitivity is at least {@code target}: of those, the most specific. */
    static double sensitivity(Ranked r, double target) {
        if (r.positives() == 0) {
            return Double.NaN;
        }
        long tp = 0;
        for (int g = 0; g < r.groups(); g++) {
            tp += r.groupPositives(g);
            // TP / P >= target, compared as counts so that 9 of 10 meets 0.9 despite rounding
            if (tp >= target * r.positives() - 1e-9) {
                return r.groupScore()[g];
            }
        }
        return r.groupScore()[r.groups() - 1];
    }
}
