package org.transfusion.engine.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Per-pixel metrics of a segmentation, inside the field of view: Dice (= F1 at 0.5), IoU, sensitivity, specificity
 * and accuracy at 0.5, pixel ROC AUC and PR AUC (average precision as scikit-learn defines it), per image and pooled
 * over a split's pixels, with percentile bootstrap intervals over <em>images</em> (the pixels of one image are not
 * independent samples).
 *
 * <p>Scores are taken at 16 bits, {@code q = round(p * 65535) / 65535}, which is exactly what {@code evaluate
 * --predictions} writes as a 16-bit PNG: the metrics of a run and those recomputed from its written maps are the
 * same numbers (scripts/check-segmentation-metrics.py). A pixel is called foreground when {@code q >= 0.5}, i.e.
 * {@code round(p * 65535) >= 32768}. Each image is kept as two histograms over the 65,536 levels (foreground and
 * background pixels), so pooling and resampling images is a sum of histograms: the AUC of a pooled split is exact
 * (Mann-Whitney, ties counted one half) and a bootstrap draw costs one pass over the levels.
 *
 * <p>For a task of several classes each foreground class is scored one-vs-rest on its own probability map and the
 * headline is the mean over the foreground classes.
 */
public final class SegmentationMetrics {
    /** Levels of the quantised score: a 16-bit grey value. */
    public static final int LEVELS = 65536;
    /** The first level called foreground: q = 32768 / 65535 >= 0.5. */
    public static final int HALF = 32768;
    public static final int RESAMPLES = 2000;

    private SegmentationMetrics() {}

    /** The 16-bit level of a probability (clamped to [0, 1]; NaN is refused). */
    public static int level(float p) {
        if (Float.isNaN(p)) {
            throw new IllegalArgumentException("a NaN probability");
        }
        return (int) Math.round(Math.min(1.0, Math.max(0.0, p)) * (LEVELS - 1));
    }

    /** One image's pixels of one class, inside its field of view, as histograms over the score levels. */
    public static final class ImageCounts {
        final String name;
        final long[] pos = new long[LEVELS];
        final long[] neg = new long[LEVELS];

        public ImageCounts(String name) {
            this.name = name;
        }

        /** Counts a pixel at 16-bit {@code level} whose truth is {@code foreground}. */
        public void add(int level, boolean foreground) {
            (foreground ? pos : neg)[level]++;
        }

        public String name() {
            return name;
        }

        /**
         * An image's counts for class {@code cls}: {@code probs} is its probability map (h*w), {@code mask} its
         * class ids, {@code fov} 1 inside the field of view (pixels outside count for nothing).
         */
        public static ImageCounts of(String name, float[] probs, byte[] mask, byte[] fov, int cls) {
            ImageCounts c = new ImageCounts(name);
            for (int i = 0; i < probs.length; i++) {
                if (fov == null || fov[i] != 0) {
                    c.add(level(probs[i]), (mask[i] & 0xff) == cls);
                }
            }
            return c;
        }
    }

    /** The metrics of a set of pixels (one image, or a split's pooled). NaN where undefined. */
    public record Scores(double dice, double iou, double auc, double averagePrecision, double sensitivity,
                         double specificity, double accuracy, long tp, long fp, long tn, long fn) {}

    /** A split's metrics for one class: pooled, per image, their mean, and bootstrap intervals over images. */
    public record Result(Scores pooled, List<Scores> perImage, List<String> names, double meanDice, double meanAuc,
                         double[] diceCi95, double[] aucCi95, int resamples) {}

    /** Scores of the pixels whose histograms are {@code pos} and {@code neg}. */
    public static Scores scores(long[] pos, long[] neg) {
        long p = 0;
        long n = 0;
        long tp = 0;
        long fp = 0;
        for (int b = 0; b < LEVELS; b++) {
            p += pos[b];
            n += neg[b];
            if (b >= HALF) {
                tp += pos[b];
                fp += neg[b];
            }
        }
        long fn = p - tp;
        long tn = n - fp;
        double dice = 2 * tp + fp + fn == 0 ? Double.NaN : 2.0 * tp / (2.0 * tp + fp + fn);
        double iou = tp + fp + fn == 0 ? Double.NaN : (double) tp / (tp + fp + fn);
        return new Scores(dice, iou, auc(pos, neg), averagePrecision(pos, neg), p == 0 ? Double.NaN : (double) tp / p,
                n == 0 ? Double.NaN : (double) tn / n, p + n == 0 ? Double.NaN : (double) (tp + tn) / (p + n), tp, fp,
                tn, fn);
    }

    /**
     * ROC AUC from the histograms: the chance that a foreground pixel scores above a background one, ties counting
     * one half (Mann-Whitney; what scikit-learn's trapezoidal roc_auc_score gives). NaN without both kinds.
     */
    public static double auc(long[] pos, long[] neg) {
        double p = 0;
        double n = 0;
        double wins = 0;
        // From the bottom level up: the positives at a level beat the negatives below it (n so far) and tie with
        // those at it.
        for (int b = 0; b < LEVELS; b++) {
            wins += pos[b] * (n + 0.5 * neg[b]);
            n += neg[b];
            p += pos[b];
        }
        return p == 0 || n == 0 ? Double.NaN : wins / (p * n);
    }

    /** Average precision (scikit-learn's): thresholds at each level from the top, no interpolation. */
    public static double averagePrecision(long[] pos, long[] neg) {
        long p = 0;
        for (long v : pos) {
            p += v;
        }
        if (p == 0) {
            return Double.NaN;
        }
        double ap = 0;
        double previousRecall = 0;
        long tp = 0;
        long fp = 0;
        for (int b = LEVELS - 1; b >= 0; b--) {
            if (pos[b] == 0 && neg[b] == 0) {
                continue;
            }
            tp += pos[b];
            fp += neg[b];
            double recall = (double) tp / p;
            ap += (recall - previousRecall) * ((double) tp / (tp + fp));
            previousRecall = recall;
        }
        return ap;
    }

    /** The split's metrics from its images' counts, with {@code resamples} bootstrap draws of images by {@code seed}. */
    public static Result of(List<ImageCounts> images, int resamples, long seed) {
        long[] pos = new long[LEVELS];
        long[] neg = new long[LEVELS];
        List<Scores> per = new ArrayList<>();
        List<String> names = new ArrayList<>();
        double diceSum = 0;
        double aucSum = 0;
        int diceN = 0;
        int aucN = 0;
        for (ImageCounts c : images) {
            add(pos, neg, c, 1);
            Scores s = scores(c.pos, c.neg);
            per.add(s);
            names.add(c.name);
            if (!Double.isNaN(s.dice())) {
                diceSum += s.dice();
                diceN++;
            }
            if (!Double.isNaN(s.auc())) {
                aucSum += s.auc();
                aucN++;
            }
        }
        Scores pooled = scores(pos, neg);
        double[] diceCi = {Double.NaN, Double.NaN};
        double[] aucCi = {Double.NaN, Double.NaN};
        int n = images.size();
        if (n >= 2 && resamples > 0) {
            double[] dice = new double[resamples];
            double[] auc = new double[resamples];
            SplittableRandom rng = new SplittableRandom(seed);
            int[] times = new int[n];
            long[] bp = new long[LEVELS];
            long[] bn = new long[LEVELS];
            for (int r = 0; r < resamples; r++) {
                Arrays.fill(times, 0);
                for (int i = 0; i < n; i++) {
                    times[rng.nextInt(n)]++;
                }
                Arrays.fill(bp, 0);
                Arrays.fill(bn, 0);
                for (int i = 0; i < n; i++) {
                    if (times[i] > 0) {
                        add(bp, bn, images.get(i), times[i]);
                    }
                }
                long tp = 0;
                long fp = 0;
                long p = 0;
                for (int b = 0; b < LEVELS; b++) {
                    p += bp[b];
                    if (b >= HALF) {
                        tp += bp[b];
                        fp += bn[b];
                    }
                }
                long fn = p - tp;
                dice[r] = 2 * tp + fp + fn == 0 ? Double.NaN : 2.0 * tp / (2.0 * tp + fp + fn);
                auc[r] = auc(bp, bn);
            }
            diceCi = percentiles(dice);
            aucCi = percentiles(auc);
        }
        return new Result(pooled, per, names, diceN == 0 ? Double.NaN : diceSum / diceN,
                aucN == 0 ? Double.NaN : aucSum / aucN, diceCi, aucCi, n >= 2 ? resamples : 0);
    }

    private static void add(long[] pos, long[] neg, ImageCounts c, int times) {
        for (int b = 0; b < LEVELS; b++) {
            pos[b] += times * c.pos[b];
            neg[b] += times * c.neg[b];
        }
    }

    /** The 2.5th and 97.5th percentiles of the defined values (linear between order statistics, numpy's default). */
    static double[] percentiles(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {quantile(v, 0.025), quantile(v, 0.975)};
    }

    private static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }
}
