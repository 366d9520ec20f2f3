package org.transfusion.engine.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.transfusion.engine.data.Task;

/**
 * Bootstrap intervals for the headline AUC of any task (binary, macro over classes, mean over labels), where
 * DeLong's closed form covers one output only: the test images are resampled with replacement, the AUC computed
 * again on each resample, and the 2.5th and 97.5th percentiles of those values taken. The paired version resamples
 * the same images for two models and judges their difference, with a two-sided p from the share of resamples on
 * either side of zero. Deterministic for a seed.
 */
public final class Bootstrap {
    /** Resamples by default: percentile intervals settle to about +-0.005 AUC at a few thousand. */
    public static final int RESAMPLES = 2000;

    /** Two models' AUCs on the same images, their difference (a - b), its percentile interval and two-sided p. */
    public record Paired(double aucA, double aucB, double difference, double low, double high, double p,
                         int resamples) {}

    private Bootstrap() {}

    /** The paired bootstrap of {@code a} against {@code b}: same task, the same images in the same order. */
    public static Paired paired(Task task, Evaluator.Scores a, Evaluator.Scores b, int resamples, long seed) {
        if (a.n() != b.n() || !Arrays.equals(a.targets(), b.targets())) {
            throw new IllegalArgumentException("paired bootstrap: the two scorings are not of the same images");
        }
        int n = a.n();
        int outputs = task.outputs();
        int tw = task.targetWidth();
        double aucA = Metrics.headlineAuc(task, a.probs(), a.targets(), n);
        double aucB = Metrics.headlineAuc(task, b.probs(), b.targets(), n);
        double[] d = new double[resamples];
        double[] pa = new double[n * outputs];
        double[] pb = new double[n * outputs];
        double[] t = new double[n * tw];
        SplittableRandom rng = new SplittableRandom(seed);
        int kept = 0;
        int below = 0;
        int above = 0;
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                int j = rng.nextInt(n);
                System.arraycopy(a.probs(), j * outputs, pa, i * outputs, outputs);
                System.arraycopy(b.probs(), j * outputs, pb, i * outputs, outputs);
                System.arraycopy(a.targets(), j * tw, t, i * tw, tw);
            }
            double diff = Metrics.headlineAuc(task, pa, t, n) - Metrics.headlineAuc(task, pb, t, n);
            if (Double.isNaN(diff)) {
                continue; // a resample with one class only: no AUC
            }
            d[kept++] = diff;
            below += diff <= 0 ? 1 : 0;
            above += diff >= 0 ? 1 : 0;
        }
        double[] v = Arrays.copyOf(d, kept);
        Arrays.sort(v);
        double p = kept == 0 ? Double.NaN : Math.min(1, 2.0 * Math.min(below, above) / kept);
        return new Paired(aucA, aucB, aucA - aucB, percentile(v, 0.025), percentile(v, 0.975), p, kept);
    }

    /** The {@code q} quantile of sorted values, linear between order statistics (NaN for none). */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
