package org.transfusion.engine.init;

/**
 * Moments of a sample by the two-pass formulas (the mean first, then central sums), and the large-sample
 * standard errors of those moments for n i.i.d. draws from a distribution with given standardised moments.
 *
 * <p>Standard errors by the delta method on the influence functions of the central moments (mean estimated):
 * with T standardised (mean 0, variance 1), {@code k_j = E[T^j]}, s = k3, kappa = k4,
 * <ul>
 *   <li>mean: {@code sd / sqrt(n)}; population variance: {@code var * sqrt((kappa - 1) / n)};</li>
 *   <li>skewness m3 / m2^1.5: {@code n Var = k6 - 6 kappa + 9 - s^2 - 3 s (k5 - 4 s) + 9/4 s^2 (kappa - 1)};</li>
 *   <li>kurtosis m4 / m2^2: {@code n Var = k8 - kappa^2 - 8 s k5 + 16 s^2 - 4 kappa (k6 - kappa - 4 s^2)
 *       + 4 kappa^2 (kappa - 1)}.</li>
 * </ul>
 * For the normal these give the textbook {@code 6 / n} and {@code 24 / n}. They are asymptotic: the sampling
 * distribution of a heavy-tailed sample's kurtosis is right-skewed, so tests use them where n is large or the tails
 * light, and allow several standard errors.
 */
record SampleMoments(double mean, double variance, double skewness, double kurtosis) {

    static SampleMoments of(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return of(d);
    }

    static SampleMoments of(double[] x) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (double v : x) {
            double c = v - mean;
            m2 += c * c;
            m3 += c * c * c;
            m4 += c * c * c * c;
        }
        m2 /= x.length;
        m3 /= x.length;
        m4 /= x.length;
        return new SampleMoments(mean, m2, m3 / Math.pow(m2, 1.5), m4 / (m2 * m2));
    }

    /**
     * Standard errors {mean, variance, skewness, kurtosis} of these moments for n draws from a distribution with
     * variance {@code variance} and standardised moments {@code k[j] = E[T^j]} for j up to 8.
     */
    static double[] standardErrors(int n, double variance, double[] k) {
        double s = k[3];
        double kappa = k[4];
        double varSkew = k[6] - 6 * kappa + 9 - s * s - 3 * s * (k[5] - 4 * s) + 2.25 * s * s * (kappa - 1);
        double varKurt = k[8] - kappa * kappa - 8 * s * k[5] + 16 * s * s - 4 * kappa * (k[6] - kappa - 4 * s * s)
                + 4 * kappa * kappa * (kappa - 1);
        return new double[] {Math.sqrt(variance / n), variance * Math.sqrt((kappa - 1) / n), Math.sqrt(varSkew / n),
                Math.sqrt(varKurt / n)};
    }

    /** The standardised moments E[T^j], j = 0..8, of a fitted distribution. */
    static double[] momentsOf(Johnson j) {
        double[] k = new double[9];
        for (int i = 0; i < k.length; i++) {
            k[i] = j.moment(i);
        }
        return k;
    }

    double get(int i) {
        return switch (i) {
            case 0 -> mean;
            case 1 -> variance;
            case 2 -> skewness;
            default -> kurtosis;
        };
    }
}
