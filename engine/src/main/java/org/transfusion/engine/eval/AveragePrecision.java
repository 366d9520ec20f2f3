package org.transfusion.engine.eval;

/**
 * Average precision, the area under the precision-recall curve as scikit-learn's {@code average_precision_score}
 * defines it: {@code AP = sum_n (R_n - R_{n-1}) P_n} over the distinct scores taken as thresholds from the highest
 * down (an image is called positive when its score is at least the threshold; tied scores enter together), with
 * {@code R_0 = 0} and no interpolation. Undefined (NaN) without positives.
 */
public final class AveragePrecision {
    private AveragePrecision() {}

    /**
     * @param scores higher = more likely positive
     * @param labels 1 positive, 0 negative, NaN ignored (masked)
     */
    public static double binary(double[] scores, double[] labels) {
        Ranked r = Ranked.of(scores, labels);
        if (r.positives() == 0) {
            return Double.NaN;
        }
        double ap = 0;
        double previousRecall = 0;
        long tp = 0;
        long fp = 0;
        for (int g = 0; g < r.groups(); g++) {
            tp += r.groupPositives(g);
            fp += r.groupNegatives(g);
            double recall = (double) tp / r.positives();
            double precision = (double) tp / (tp + fp);
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
        }
        return ap;
    }
}
