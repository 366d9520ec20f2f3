package org.transfusion.study;

/**
 * A verdict's estimate with its sampling spread, as the interval rules read it (issue 30.4): a mean over seeds
 * whose variance has a seed part ({@code seedVariance}, the variance of the mean, Student's t with {@code df}
 * degrees of freedom) and a test-set part ({@code testVariance}, normal; 0 where not measured). The 95% interval
 * of the rules is one member of a family {@code mean -+ h(alpha)}, {@code h(alpha)^2 = t(1 - alpha/2, df)^2
 * seedVariance + z(1 - alpha/2)^2 testVariance} ({@link Stats#combinedInterval} at alpha 0.05); a rule "the interval
 * lies above L" holds at level alpha exactly when alpha is at least {@link #pAbove}, so these p-values make each
 * rule a test that Holm's procedure can adjust ({@link Family}). Quantiles from Student's t distribution
 * computed here (the regularised incomplete beta function), not the 3-decimal table of {@link Stats#t975}, so a
 * p-value at a verdict's boundary may differ from the table's interval in the fourth decimal.
 */
record Estimate(double mean, double seedVariance, int df, double testVariance) {

    /** Over per-seed values: their mean, the variance of the mean s^2 / n, n - 1 degrees of freedom. */
    static Estimate ofSeeds(double[] v) {
        return ofSeeds(v, 0);
    }

    /** {@link #ofSeeds(double[])} with the test set's variance of the mean (NaN: not measured, taken as 0). */
    static Estimate ofSeeds(double[] v, double testVariance) {
        int n = Stats.count(v);
        double sd = Stats.sd(v);
        return new Estimate(Stats.mean(v), n < 2 ? Double.NaN : sd * sd / n, n - 1,
                Double.isNaN(testVariance) ? 0 : testVariance);
    }

    /** Whether the estimate can be tested: a mean, at least one degree of freedom and a finite variance. */
    boolean testable() {
        return !Double.isNaN(mean) && df >= 1 && Double.isFinite(seedVariance) && Double.isFinite(testVariance)
                && seedVariance + testVariance > 0;
    }

    /** The interval's half-width at two-sided level {@code 1 - alpha}. */
    double halfWidth(double alpha) {
        double t = tQuantile(1 - alpha / 2, df);
        double z = zQuantile(1 - alpha / 2);
        return Math.sqrt(t * t * seedVariance + z * z * testVariance);
    }

    /**
     * The smallest two-sided alpha at which the interval lies wholly above {@code low} (the p-value of the rule
     * "the interval lies above low", on the scale of a two-sided interval: the rule at 95% holds when it is at most
     * 0.05); 1 when the mean is not above {@code low}; NaN when not testable.
     */
    double pAbove(double low) {
        if (!testable()) {
            return Double.NaN;
        }
        return mean <= low ? 1 : alphaAtHalfWidth(mean - low);
    }

    /** As {@link #pAbove}, for the interval lying wholly below {@code high}. */
    double pBelow(double high) {
        if (!testable()) {
            return Double.NaN;
        }
        return mean >= high ? 1 : alphaAtHalfWidth(high - mean);
    }

    /** The interval lying within [low, high] (both rules at once: the larger p, an intersection-union test). */
    double pWithin(double low, double high) {
        return Math.max(pAbove(low), pBelow(high));
    }

    /** The interval excluding 0 (a two-sided test of no difference). */
    double pNonZero() {
        return Math.min(pAbove(0), pBelow(0));
    }

    /**
     * The smallest true difference from zero that this design detects with 80% power at two-sided 5%: h(0.05) plus
     * the one-sided 80% point of the same spread (the usual (z_0.975 + z_0.8) sigma, with t for the seed part).
     * NaN when not testable.
     */
    double detectable() {
        if (!testable()) {
            return Double.NaN;
        }
        double t = tQuantile(0.8, df);
        double z = zQuantile(0.8);
        return halfWidth(0.05) + Math.sqrt(t * t * seedVariance + z * z * testVariance);
    }

    /** The alpha at which h(alpha) equals {@code distance} (h falls as alpha grows): bisection on log alpha. */
    private double alphaAtHalfWidth(double distance) {
        if (halfWidth(1e-12) <= distance) {
            return 1e-12;
        }
        double lo = Math.log(1e-12);
        double hi = 0; // alpha 1: h = 0 < distance
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (halfWidth(Math.exp(mid)) > distance) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp((lo + hi) / 2);
    }

    // ---- Student's t and the normal distribution -------------------------------------------------------------

    /** P(T <= t) for Student's t with {@code df} degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2) / 2 for t below 0. */
    static double tCdf(double t, int df) {
        double x = df / (df + t * t);
        double tail = 0.5 * regularisedBeta(x, df / 2.0, 0.5);
        return t < 0 ? tail : 1 - tail;
    }

    /** The {@code q} quantile of Student's t (q in (0, 1)), by bisection on {@link #tCdf}. */
    static double tQuantile(double q, int df) {
        double lo = -1e3;
        double hi = 1e3;
        for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
            double mid = (lo + hi) / 2;
            if (tCdf(mid, df) < q) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** The {@code q} quantile of the standard normal, by bisection on its distribution function. */
    static double zQuantile(double q) {
        double lo = -40;
        double hi = 40;
        for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
            double mid = (lo + hi) / 2;
            if (normalCdf(mid) < q) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Phi(z) = P(X^2 / 2 >= z^2 / 2) / 2 for z below 0: the regularised upper incomplete gamma Q(1/2, z^2/2). */
    static double normalCdf(double z) {
        double tail = 0.5 * upperGamma(0.5, z * z / 2);
        return z < 0 ? tail : 1 - tail;
    }

    /**
     * The regularised incomplete beta function I_x(a, b), from its continued fraction (evaluated by the modified
     * Lentz method), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
     */
    static double regularisedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        if (x > (a + 1) / (a + b + 2)) {
            return 1 - Math.exp(logFront) * betaFraction(1 - x, b, a) / b;
        }
        return Math.exp(logFront) * betaFraction(x, a, b) / a;
    }

    /** The continued fraction of I_x(a, b): 1 / (1 + d1 / (1 + d2 / (1 + ...))), d_{2m} and d_{2m+1} as usual. */
    private static double betaFraction(double x, double a, double b) {
        double tiny = 1e-300;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = Math.abs(d) < tiny ? tiny : d;
        d = 1 / d;
        double f = d;
        for (int m = 1; m < 10_000; m++) {
            double even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + even * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + even / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            f *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + odd * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + odd / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double step = d * c;
            f *= step;
            if (Math.abs(step - 1) < 1e-15) {
                break;
            }
        }
        return f;
    }

    /**
     * The regularised upper incomplete gamma Q(a, x): the series of P for x below a + 1, the continued fraction of
     * Q above it.
     */
    static double upperGamma(double a, double x) {
        if (x <= 0) {
            return 1;
        }
        double logFront = a * Math.log(x) - x - logGamma(a);
        if (x < a + 1) {
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n < 10_000; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-16) {
                    break;
                }
            }
            return 1 - sum * Math.exp(logFront);
        }
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.abs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < 1e-15) {
                break;
            }
        }
        return Math.exp(logFront) * h;
    }

    /** log Gamma(x) for x > 0: Lanczos' approximation (g = 7, nine terms), with the reflection-free shift. */
    static double logGamma(double x) {
        if (x < 0.5) {
            // Gamma(x) Gamma(1 - x) = pi / sin(pi x)
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        double y = x - 1;
        double sum = g[0];
        for (int i = 1; i < g.length; i++) {
            sum += g[i] / (y + i);
        }
        double t = y + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
