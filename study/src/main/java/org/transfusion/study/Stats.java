package org.transfusion.study;

/** Mean, sample standard deviation and t-interval over seeds, ignoring NaN (an undefined value is not a zero). */
public final class Stats {
    private Stats() {}

    public static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Sample standard deviation (n - 1); 0 for a single value, NaN for none. */
    public static double sd(double[] v) {
        double m = mean(v);
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += (x - m) * (x - m);
                n++;
            }
        }
        return n == 0 ? Double.NaN : n == 1 ? 0 : Math.sqrt(s / (n - 1));
    }

    /**
     * Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (standard tables, e.g. NIST/SEMATECH
     * e-Handbook 1.3.6.7.2); beyond 30 the normal 1.96 is within 2%.
     */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
        2.056, 2.052, 2.048, 2.045, 2.042};

    /**
     * The 95% t-interval of the mean over seeds, {low, high}: mean -+ t(0.975, n - 1) sd / sqrt(n); NaN bounds for
     * fewer than two values (one seed says nothing about the spread).
     */
    public static double[] tInterval(double[] v) {
        int n = count(v);
        if (n < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double half = t975(n - 1) * sd(v) / Math.sqrt(n);
        return new double[] {mean(v) - half, mean(v) + half};
    }

    /**
     * Issue 30.3: the 95% interval of the mean over seeds that carries both sources of uncertainty, {low, high}:
     * mean -+ sqrt(t(0.975, n - 1)^2 s^2 / n + 1.96^2 testVariance), where s^2 / n is the seed-to-seed part and
     * {@code testVariance} what the test set's sampling adds to the mean (the DeLong variance of the seed-averaged
     * difference on a shared test set; the seed spread cannot hold it, since every seed is scored on the same
     * images). Each part keeps its own quantile: the test-set variance comes from hundreds of images, not from n
     * seeds. Its coverage by simulation is in {@code CombinedIntervalCoverageTest}. NaN bounds for fewer than two
     * values; a NaN test variance gives the seed-only interval.
     */
    public static double[] combinedInterval(double[] v, double testVariance) {
        int n = count(v);
        if (n < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        if (Double.isNaN(testVariance)) {
            return tInterval(v);
        }
        double half = combinedHalfWidth(t975(n - 1), sd(v) * sd(v) / n, testVariance);
        return new double[] {mean(v) - half, mean(v) + half};
    }

    /** The normal distribution's 97.5% point. */
    static final double Z975 = 1.959963984540054;

    /**
     * The half-width of a 95% interval with a seed part ({@code seedVariance}, the variance of the mean, at Student's
     * quantile {@code t}) and a test-set part ({@code testVariance}, normal): sqrt(t^2 seedVariance + 1.96^2
     * testVariance).
     */
    static double combinedHalfWidth(double t, double seedVariance, double testVariance) {
        return Math.sqrt(t * t * seedVariance + Z975 * Z975 * testVariance);
    }

    /** The two-sided 95% quantile of Student's t with {@code df} (at least 1) degrees of freedom. */
    public static double t975(int df) {
        return df <= T975.length ? T975[df - 1] : 1.96;
    }

    public static int count(double[] v) {
        int n = 0;
        for (double x : v) {
            n += Double.isNaN(x) ? 0 : 1;
        }
        return n;
    }
}
