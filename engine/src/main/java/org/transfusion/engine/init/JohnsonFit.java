package org.transfusion.engine.init;

import java.util.function.DoubleUnaryOperator;

/**
 * Finds the {@link Johnson} distribution with a given skewness s and kurtosis k by nested bisection, fitting
 * |s| and reflecting for s &lt; 0.
 *
 * <p>Each family has a shape parameter (SU: {@code w = exp(1 / delta^2)}; SB: {@code delta}) and an asymmetry
 * parameter (SU: {@code W = -gamma / delta}; SB: {@code gamma}). For a fixed shape, raising the asymmetry from 0
 * traces a curve in the (s^2, k) plane from the symmetric member up to the lognormal of the same {@code w}, with
 * both s^2 and k increasing. At the target k, the inner bisection finds the asymmetry on the curve with that
 * kurtosis; the outer bisection moves the shape until that point has the target skewness. The outer bracket runs
 * from the shape whose curve meets k at the lognormal line (largest skewness at that kurtosis) to the one that
 * meets it at skewness 0 (SU, and SB below kurtosis 3), or, for SB, to {@code delta = 0.01}, whose curve hugs the
 * bound. SU's skewness and kurtosis are Johnson's closed forms; SB's are integrals, done by the trapezoid rule
 * over the normal density (accurate to double precision for these analytic integrands at the steps used).
 */
final class JohnsonFit {
    private JohnsonFit() {}

    /** Largest SU asymmetry tried: at W = 40 the curve is the lognormal to within exp(-80). */
    private static final double SU_MAX_ASYMMETRY = 40;
    /** Smallest SB shape: its curves pass within about delta of the bound; closer targets are two-point. */
    static final double SB_MIN_DELTA = 0.01;
    private static final double SB_MAX_DELTA = 1000;
    /** SB integrals run over |z| &lt;= 12 (the normal density there is 5e-32); the draws are bounded. */
    static final double SB_RANGE = 12;
    /** How far the fitted moments may miss the target before the fit counts as approximate. */
    static final double TOLERANCE = 1e-6;

    static Johnson fit(double skewness, double kurtosis) {
        double s = Math.abs(skewness);
        double sign = skewness < 0 ? -1 : 1;
        double b1 = s * s;
        if (!(kurtosis > b1 + 1)) {
            return Johnson.TwoPoint.ofSkewness(skewness);
        }
        double lineW = lognormalW(b1);
        double lineKurtosis = lognormalKurtosis(lineW);
        Johnson limit = b1 == 0 ? new Johnson.Normal() : new Johnson.LogNormal(Math.sqrt(Math.log(lineW)), sign);
        if (Math.abs(kurtosis - lineKurtosis) <= 1e-9 * lineKurtosis) {
            return limit;
        }
        Johnson fitted = kurtosis > lineKurtosis ? su(s, kurtosis, sign) : sb(s, kurtosis, sign);
        double miss = miss(fitted, skewness, kurtosis);
        if (miss <= TOLERANCE) {
            return fitted;
        }
        return new Johnson.Approximate(miss(limit, skewness, kurtosis) < miss ? limit : fitted);
    }

    private static double miss(Johnson j, double skewness, double kurtosis) {
        return Math.max(Math.abs(j.moment(3) - skewness), Math.abs(j.moment(4) - kurtosis) / Math.max(1, kurtosis));
    }

    // ---- SU ---------------------------------------------------------------------------------------------

    private static Johnson su(double s, double k, double sign) {
        double wLine = bisect(w -> lognormalKurtosis(w) - k, 1, 2 + Math.pow(k, 0.25));
        double wSymmetric = bisect(w -> suKurtosis(w, 0) - k, 1, 2 + Math.pow(2 * k, 0.25));
        double w = bisect(x -> suSkewness(x, suAsymmetry(x, k)) - s, wLine, wSymmetric);
        double delta = 1 / Math.sqrt(Math.log(w));
        return Johnson.Su.of(-suAsymmetry(w, k) * delta, delta, sign);
    }

    /** The asymmetry W &gt;= 0 at which SU of shape w has kurtosis k (0 or the cap where the curve misses k). */
    private static double suAsymmetry(double w, double k) {
        if (suKurtosis(w, 0) >= k) {
            return 0;
        }
        if (suKurtosis(w, SU_MAX_ASYMMETRY) <= k) {
            return SU_MAX_ASYMMETRY;
        }
        return bisect(o -> suKurtosis(w, o) - k, 0, SU_MAX_ASYMMETRY);
    }

    /** |skewness| of SU with {@code w = exp(1/delta^2)}, {@code W = |gamma| / delta} (Johnson 1949). */
    static double suSkewness(double w, double o) {
        double c = w * Math.cosh(2 * o) + 1;
        return Math.sqrt(w * (w - 1) / 2) * (w * (w + 2) * Math.sinh(3 * o) + 3 * Math.sinh(o)) / Math.pow(c, 1.5);
    }

    /** Kurtosis of SU (Johnson 1949), the {@code (w - 1)^2} of moment and variance cancelled. */
    static double suKurtosis(double w, double o) {
        double c = w * Math.cosh(2 * o) + 1;
        return (w * w * (w * w * w * w + 2 * w * w * w + 3 * w * w - 3) * Math.cosh(4 * o)
                + 4 * w * w * (w + 2) * Math.cosh(2 * o) + 3 * (2 * w + 1)) / (2 * c * c);
    }

    // ---- SB ---------------------------------------------------------------------------------------------

    private static Johnson sb(double s, double k, double sign) {
        double deltaMax;
        if (k < 3) {
            if (sbMoments(0, SB_MIN_DELTA)[1] >= k) {
                return Johnson.TwoPoint.ofSkewness(sign * s);
            }
            deltaMax = sbMoments(0, SB_MAX_DELTA)[1] <= k ? SB_MAX_DELTA
                    : bisect(d -> sbMoments(0, d)[1] - k, SB_MIN_DELTA, SB_MAX_DELTA);
        } else {
            deltaMax = 1 / Math.sqrt(Math.log(bisect(w -> lognormalKurtosis(w) - k, 1, 2 + Math.pow(k, 0.25))));
        }
        if (sbMoments(sbGamma(SB_MIN_DELTA, k), SB_MIN_DELTA)[0] <= s) {
            return Johnson.TwoPoint.ofSkewness(sign * s);
        }
        double delta = bisect(d -> sbMoments(sbGamma(d, k), d)[0] - s, SB_MIN_DELTA, deltaMax);
        return Johnson.Sb.of(sbGamma(delta, k), delta, sign);
    }

    /**
     * The gamma &gt;= 0 at which SB of shape delta has kurtosis k. Its cap grows with delta: a wide SB reaches the
     * lognormal regime only once {@code gamma / delta} is large.
     */
    private static double sbGamma(double delta, double k) {
        double cap = SB_RANGE + 40 * delta;
        if (sbMoments(0, delta)[1] >= k) {
            return 0;
        }
        if (sbMoments(cap, delta)[1] <= k) {
            return cap;
        }
        return bisect(g -> sbMoments(g, delta)[1] - k, 0, cap);
    }

    /**
     * {skewness, kurtosis} of SB(gamma, delta). The logistic values are divided by their largest one before the
     * powers, and a result that still under- or overflows (only deep in the lognormal regime, where both are
     * astronomically large) counts as infinite, which keeps the bisections moving the right way.
     */
    static double[] sbMoments(double gamma, double delta) {
        double h = sbStep(delta);
        int n = (int) Math.ceil(SB_RANGE / h);
        double top = Johnson.logistic((n * h - gamma) / delta);
        double sw = 0;
        double sy = 0;
        double[] y = new double[2 * n + 1];
        double[] wt = new double[2 * n + 1];
        for (int i = -n; i <= n; i++) {
            double z = i * h;
            wt[i + n] = Math.exp(-z * z / 2);
            y[i + n] = Johnson.logistic((z - gamma) / delta) / top;
            sw += wt[i + n];
            sy += wt[i + n] * y[i + n];
        }
        double mean = sy / sw;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (int i = 0; i < y.length; i++) {
            double c = y[i] - mean;
            double c2 = c * c;
            m2 += wt[i] * c2;
            m3 += wt[i] * c2 * c;
            m4 += wt[i] * c2 * c2;
        }
        double skew = (m3 / sw) / Math.pow(m2 / sw, 1.5);
        double kurt = (m4 / sw) / Math.pow(m2 / sw, 2);
        if (!(m2 > 0) || !Double.isFinite(skew) || !Double.isFinite(kurt) || kurt <= 0) {
            return new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        }
        return new double[] {skew, kurt};
    }

    /** The trapezoid step for SB: the logistic's poles lie pi * delta off the real axis. */
    static double sbStep(double delta) {
        return Math.min(1, delta) / 3;
    }

    // ---- the lognormal line and shared numerics ---------------------------------------------------------

    /** The w of the lognormal with squared skewness b1: {@code (w - 1)(w + 2)^2 = b1}. */
    static double lognormalW(double b1) {
        return b1 == 0 ? 1 : bisect(w -> (w - 1) * (w + 2) * (w + 2) - b1, 1, 1 + Math.cbrt(b1));
    }

    /** Kurtosis of the lognormal with {@code w = exp(sigma^2)}. */
    static double lognormalKurtosis(double w) {
        return w * w * w * w + 2 * w * w * w + 3 * w * w - 3;
    }

    /** E[f(Z)] for a standard normal Z: trapezoid rule on [-range, range] with step h, weights normalised. */
    static double normalExpectation(DoubleUnaryOperator f, double range, double h) {
        int n = (int) Math.ceil(range / h);
        double sw = 0;
        double s = 0;
        for (int i = -n; i <= n; i++) {
            double z = i * h;
            double w = Math.exp(-z * z / 2);
            sw += w;
            s += w * f.applyAsDouble(z);
        }
        return s / sw;
    }

    /** A root of f between lo and hi, where f changes sign (bisection to the last representable midpoint). */
    static double bisect(DoubleUnaryOperator f, double lo, double hi) {
        boolean loPositive = f.applyAsDouble(lo) > 0;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if ((f.applyAsDouble(mid) > 0) == loPositive) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
}
