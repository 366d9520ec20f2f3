package org.transfusion.similarity;

/**
 * How many directions a layer's representation really uses, from the singular values {@code s_i} of its centred
 * activation matrix (points x neurons, each neuron's mean over the points removed).
 *
 * <p>{@code entropy} is Roy &amp; Vetterli's effective rank (EUSIPCO 2007): {@code exp(-sum p_i ln p_i)} with
 * {@code p_i = s_i / sum_j s_j}, a continuous count between 1 (one direction) and {@code min(points, neurons)} (all
 * singular values equal). {@code variance99} is the number of leading directions that explain 99% of the variance
 * ({@code s_i^2}), the count SVCCA keeps by default. Both are NaN when every neuron is constant (no direction at
 * all). The singular values come from the eigenvalues of the smaller Gram matrix ({@link Lapack#singularValues}).
 */
public record EffectiveRank(double entropy, double variance99, int points, int neurons) {
    /** The variance fraction {@link #variance99} counts directions for. */
    public static final double VARIANCE = 0.99;

    public static EffectiveRank of(Activations x) {
        int n = x.points();
        int p = x.neurons();
        double[] v = x.values();
        double[] centred = new double[n * p]; // column-major n x p
        for (int j = 0; j < p; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += v[i * p + j];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                centred[i + j * n] = v[i * p + j] - mean;
            }
        }
        return fromSingularValues(Lapack.singularValues(centred, n, p), n, p);
    }

    /** Both measures from singular values in descending order. */
    static EffectiveRank fromSingularValues(double[] s, int points, int neurons) {
        double sum = 0;
        double squares = 0;
        for (double x : s) {
            sum += x;
            squares += x * x;
        }
        if (!(sum > 0)) {
            return new EffectiveRank(Double.NaN, Double.NaN, points, neurons);
        }
        double h = 0;
        for (double x : s) {
            double q = x / sum;
            if (q > 0) {
                h -= q * Math.log(q);
            }
        }
        int k = 0;
        double explained = 0;
        while (k < s.length && explained < VARIANCE * squares) {
            explained += s[k] * s[k];
            k++;
        }
        return new EffectiveRank(Math.exp(h), k, points, neurons);
    }
}
