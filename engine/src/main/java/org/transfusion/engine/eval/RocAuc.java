package org.transfusion.engine.eval;

/**
 * Exact ROC AUC as the Mann-Whitney statistic, in float64: the share of (positive, negative) pairs the positive
 * scores higher, tied pairs counting one half (as scikit-learn's roc_auc_score), counted in whole numbers over the
 * groups of equal score ({@link Ranked}) so that the one rounding is the final division. Undefined (NaN) when only
 * one class is present; callers warn.
 */
public final class RocAuc {
    private RocAuc() {}

    /**
     * @param scores higher = more likely positive
     * @param labels 1 positive, 0 negative, NaN ignored (masked)
     */
    public static double binary(double[] scores, double[] labels) {
        Ranked r = Ranked.of(scores, labels);
        long positives = r.positives();
        long negatives = r.negatives();
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        long twiceWins = 0;
        long negativesSeen = 0;
        for (int g = 0; g < r.groups(); g++) { // from the highest score down
            long gp = r.groupPositives(g);
            long gn = r.groupNegatives(g);
            negativesSeen += gn;
            twiceWins += 2 * gp * (negatives - negativesSeen) + gp * gn;
        }
        return twiceWins / 2.0 / ((double) positives * negatives);
    }
}
