package org.transfusion.engine.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DeLong, DeLong &amp; Clarke-Pearson (1988): the variance of an empirical ROC AUC from its structural components,
 * and the covariance of two AUCs measured on the same images, computed with midranks in O(N log N) (Sun &amp; Xu,
 * 2014). For positives X (m) and negatives Y (n), the components are V10(x_i), the fraction of negatives scored
 * below x_i (ties one half), and V01(y_j), the fraction of positives scored above y_j; AUC is the mean of either,
 * Var(AUC) = S10/m + S01/n with S the sample (co)variances of the components. The 95% interval is the normal one
 * pROC's {@code ci.auc(method = "delong")} reports, clipped to [0, 1]; the paired test is its {@code roc.test}
 * z-test of two correlated AUCs.
 */
public final class DeLong {
    /** An AUC, its standard error and its two-sided 95% interval. */
    public record Interval(double auc, double se, double low, double high) {}

    /** Two AUCs on the same images: their difference, its standard error, z and two-sided p. */
    public record Paired(double auc1, double auc2, double difference, double se, double z, double p) {
        /** Lower end of the difference's 95% interval. */
        public double low() {
            return difference - Z95 * se;
        }

        /** Upper end of the difference's 95% interval. */
        public double high() {
            return difference + Z95 * se;
        }
    }

    private static final double Z95 = 1.959963984540054;

    private DeLong() {}

    /** The AUC of {@code scores} against {@code labels} (1/0; NaN masked) with its DeLong 95% interval. */
    public static Interval interval(double[] scores, double[] labels) {
        Components c = components(scores, labels);
        if (c == null) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double se = Math.sqrt(c.variance(c));
        return new Interval(c.auc(), se, Math.max(0, c.auc() - Z95 * se), Math.min(1, c.auc() + Z95 * se));
    }

    /** The paired DeLong test of two scorings of the same images against the same labels. */
    public static Paired paired(double[] scores1, double[] scores2, double[] labels) {
        Components a = components(scores1, labels);
        Components b = components(scores2, labels);
        if (a == null || b == null) {
            return new Paired(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double var = a.variance(a) + b.variance(b) - 2 * a.variance(b);
        double diff = a.auc() - b.auc();
        double se = Math.sqrt(Math.max(0, var));
        double z = se > 0 ? diff / se : (diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff));
        // Two-sided p: exactly 1 at z = 0 (equal AUCs), and held to [0, 1] elsewhere, since the CDF's fractional error
        // (1.2e-7) put a z of about 0 at 1.0000000299... (a study reported it) and z = 0 at 0.99999997.
        double p = z == 0 ? 1 : Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
        return new Paired(a.auc(), b.auc(), diff, se, z, p);
    }

    /**
     * A weighted sum of AUCs measured on the same images, sum_k w_k AUC(scores_k), with its DeLong variance
     * w^T S w (S the AUCs' covariance from their structural components): e.g. the mean over seeds of transfer minus
     * random, weights +1/n and -1/n, whose variance is what the test set's sampling adds to a study's mean difference
     * (issue 30.3). NaN where an AUC is undefined.
     */
    public record Contrast(double value, double variance) {}

    /** {@link Contrast} of {@code scores} (each a scoring of the same images) with {@code weights}. */
    public static Contrast contrast(List<double[]> scores, double[] weights, double[] labels) {
        if (scores.size() != weights.length) {
            throw new IllegalArgumentException(scores.size() + " scorings for " + weights.length + " weights");
        }
        List<Components> c = new ArrayList<>();
        for (double[] s : scores) {
            Components k = components(s, labels);
            if (k == null) {
                return new Contrast(Double.NaN, Double.NaN);
            }
            c.add(k);
        }
        double value = 0;
        double variance = 0;
        for (int a = 0; a < c.size(); a++) {
            value += weights[a] * c.get(a).auc();
            for (int b = 0; b < c.size(); b++) {
                variance += weights[a] * weights[b] * c.get(a).variance(c.get(b));
            }
        }
        return new Contrast(value, Math.max(0, variance));
    }

    /** The structural components of one scoring: V10 per positive, V01 per negative (masked labels left out). */
    record Components(double[] v10, double[] v01) {
        double auc() {
            return mean(v10);
        }

        /** Cov(AUC_this, AUC_other) = S10/m + S01/n; with itself, the variance. */
        double variance(Components other) {
            return covariance(v10, other.v10) / v10.length + covariance(v01, other.v01) / v01.length;
        }
    }

    static Components components(double[] scores, double[] labels) {
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (Double.isNaN(labels[i])) {
                continue;
            }
            (labels[i] > 0.5 ? pos : neg).add(scores[i]);
        }
        int m = pos.size();
        int n = neg.size();
        if (m < 2 || n < 2) {
            return null; // undefined AUC, or no variance estimate from a single item of a class
        }
        double[] x = pos.stream().mapToDouble(Double::doubleValue).toArray();
        double[] y = neg.stream().mapToDouble(Double::doubleValue).toArray();
        double[] all = new double[m + n];
        System.arraycopy(x, 0, all, 0, m);
        System.arraycopy(y, 0, all, m, n);
        double[] rAll = midranks(all);
        double[] rx = midranks(x);
        double[] ry = midranks(y);
        double[] v10 = new double[m];
        double[] v01 = new double[n];
        for (int i = 0; i < m; i++) {
            v10[i] = (rAll[i] - rx[i]) / n; // negatives below x_i, ties one half
        }
        for (int j = 0; j < n; j++) {
            v01[j] = 1 - (rAll[m + j] - ry[j]) / m; // positives above y_j, ties one half
        }
        return new Components(v10, v01);
    }

    /** 1-based ranks with ties given the mean of the ranks they span (also Spearman's ranks in the study). */
    public static double[] midranks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] ranks = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample covariance (denominator length - 1). */
    private static double covariance(double[] a, double[] b) {
        double ma = mean(a);
        double mb = mean(b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - ma) * (b[i] - mb);
        }
        return s / (a.length - 1);
    }

    /**
     * The standard normal CDF through erfc, with the complementary error function of Numerical Recipes (Chebyshev
     * fit, fractional error below 1.2e-7 everywhere), enough for p-values.
     */
    static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    private static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
