package org.transfusion.study;

import java.util.Random;
import org.transfusion.engine.eval.DeLong;

/**
 * Spearman's rank correlation with a two-sided permutation p-value: exact (every ordering of one side) up to
 * {@value #EXACT_UP_TO} points, else from {@value #SAMPLES} random orderings (seeded, so a report does not change
 * from one rebuild to the next). Ties get average ranks.
 */
final class RankCorrelation {
    static final int EXACT_UP_TO = 8;
    static final int SAMPLES = 20000;

    /** rho, its two-sided p-value, how many orderings it was judged over, and whether that was all of them. */
    record Result(double rho, double p, long orderings, boolean exact) {}

    private RankCorrelation() {}

    /** Spearman's rho: Pearson's correlation of the average ranks; NaN when either side is constant. */
    static double spearman(double[] x, double[] y) {
        return pearson(DeLong.midranks(x), DeLong.midranks(y));
    }

    /**
     * rho and the share of orderings of {@code y} against {@code x} whose |rho| is at least the observed one (the
     * observed ordering included, so p is never 0).
     */
    static Result test(double[] x, double[] y) {
        double[] rx = DeLong.midranks(x);
        double[] ry = DeLong.midranks(y);
        double rho = pearson(rx, ry);
        if (Double.isNaN(rho)) {
            return new Result(rho, Double.NaN, 0, true);
        }
        double observed = Math.abs(rho) - 1e-12;
        int n = x.length;
        if (n <= EXACT_UP_TO) {
            long[] counts = new long[2];
            permute(ry.clone(), 0, rx, observed, counts);
            return new Result(rho, (double) counts[0] / counts[1], counts[1], true);
        }
        Random random = new Random(0);
        double[] shuffled = ry.clone();
        long atLeast = 1;
        for (int s = 0; s < SAMPLES; s++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                double t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            atLeast += Math.abs(pearson(rx, shuffled)) >= observed ? 1 : 0;
        }
        return new Result(rho, (double) atLeast / (SAMPLES + 1), SAMPLES, false);
    }

    /** counts[0]: orderings with |rho| >= observed; counts[1]: all orderings (Heap-style swaps). */
    private static void permute(double[] y, int k, double[] x, double observed, long[] counts) {
        if (k == y.length) {
            counts[1]++;
            counts[0] += Math.abs(pearson(x, y)) >= observed ? 1 : 0;
            return;
        }
        for (int i = k; i < y.length; i++) {
            swap(y, k, i);
            permute(y, k + 1, x, observed, counts);
            swap(y, k, i);
        }
    }

    private static void swap(double[] v, int i, int j) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }

    private static double pearson(double[] x, double[] y) {
        double mx = Stats.mean(x);
        double my = Stats.mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }
}
