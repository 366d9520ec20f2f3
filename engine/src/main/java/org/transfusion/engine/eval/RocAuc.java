package org.transfusion.engine.eval;

import java.util.Arrays;

/**
 * Exact ROC AUC as the Mann-Whitney rank statistic, in float64: AUC = (sum of positive ranks - P(P+1)/2) /
 * (P N), with tied scores given their average rank (so a tie counts one half, as scikit-learn's
 * roc_auc_score). Undefined (NaN) when only one class is present; callers warn.
 */
public final class RocAuc {
    private RocAuc() {}

    /**
     * @param scores higher = more likely positive
     * @param labels 1 positive, 0 negative, NaN ignored (masked)
     */
    public static double binary(double[] scores, double[] labels) {
        int n = 0;
        for (double l : labels) {
            if (!Double.isNaN(l)) {
                n++;
            }
        }
        double[] s = new double[n];
        boolean[] pos = new boolean[n];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            if (!Double.isNaN(labels[i])) {
                s[k] = scores[i];
                pos[k] = labels[i] > 0.5;
                k++;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(s[a], s[b]));
        long positives = 0;
        double rankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && s[order[j + 1]] == s[order[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1; // ranks are 1-based
            for (int t = i; t <= j; t++) {
                if (pos[order[t]]) {
                    positives++;
                    rankSum += avgRank;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
