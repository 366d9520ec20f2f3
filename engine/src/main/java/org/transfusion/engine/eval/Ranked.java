package org.transfusion.engine.eval;

import java.util.Arrays;

/**
 * Known-label scores sorted from the highest down and grouped by equal score: the thresholds at which a ROC or
 * precision-recall curve has its points, with the positives and negatives each threshold adds. Average precision
 * and the operating-point rules walk these groups.
 */
record Ranked(double[] groupScore, long[] positivesIn, long[] negativesIn, long positives, long negatives) {

    static Ranked of(double[] scores, double[] labels) {
        int n = 0;
        for (double l : labels) {
            n += Double.isNaN(l) ? 0 : 1;
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
        Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
        double[] gs = new double[n];
        long[] gp = new long[n];
        long[] gn = new long[n];
        int groups = 0;
        long p = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && s[order[j + 1]] == s[order[i]]) {
                j++;
            }
            gs[groups] = s[order[i]];
            for (int t = i; t <= j; t++) {
                if (pos[order[t]]) {
                    gp[groups]++;
                } else {
                    gn[groups]++;
                }
            }
            p += gp[groups];
            groups++;
            i = j + 1;
        }
        return new Ranked(Arrays.copyOf(gs, groups), Arrays.copyOf(gp, groups), Arrays.copyOf(gn, groups), p, n - p);
    }

    int groups() {
        return groupScore.length;
    }

    long groupPositives(int g) {
        return positivesIn[g];
    }

    long groupNegatives(int g) {
        return negativesIn[g];
    }
}
