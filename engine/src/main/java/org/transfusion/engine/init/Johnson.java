package org.transfusion.engine.init;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * A distribution with a given skewness and kurtosis, from Johnson's system (N. L. Johnson, Biometrika 1949): a
 * standard normal Z pushed through a monotone transform, standardised to mean 0 and variance 1. The {@code moments}
 * scheme scales its draws to each pretrained tensor's mean and standard deviation.
 * <ul>
 *   <li>SU, {@code sinh((Z - gamma) / delta)}: unbounded, for kurtosis above the lognormal line (every
 *       leptokurtic symmetric shape, which is what most trained conv layers have);</li>
 *   <li>SB, {@code 1 / (1 + exp(-(Z - gamma) / delta))}: bounded, for kurtosis between the lognormal line and the
 *       bound {@code kurtosis = skewness^2 + 1} (the flat, platykurtic layers, e.g. some depthwise kernels);</li>
 *   <li>SL, {@code exp(Z / delta)}: the lognormal line itself, the limit both others approach; the normal at
 *       skewness 0, kurtosis 3;</li>
 *   <li>two-point: on the bound itself (a two-valued tensor), and next to it, closer than SB with
 *       {@code delta >= 0.01} reaches (within about 0.01 of it in kurtosis at skewness 0): the two-point
 *       distribution with the skewness, whose kurtosis is then {@code skewness^2 + 1}.</li>
 * </ul>
 * No distribution has kurtosis below {@code skewness^2 + 1}, and the sample moments of any tensor satisfy it, so
 * every tensor gets one of these. How the parameters are found: {@link JohnsonFit}.
 */
public sealed interface Johnson {

    /** One draw: mean 0, variance 1, the fitted skewness and kurtosis. */
    double draw(SplittableRandom rng);

    /** The standardised central moment {@code E[T^k]} of the draws T (3: skewness, 4: kurtosis). */
    double moment(int k);

    /** The family as the init report names it. */
    String label();

    /**
     * The distribution with this skewness and kurtosis (the fourth standardised moment, 3 for the normal).
     * Where the fit cannot match both to 1e-6 (only next to the bound or on a line between families), the closest
     * candidate, its label marked "approximate".
     */
    static Johnson fit(double skewness, double kurtosis) {
        return JohnsonFit.fit(skewness, kurtosis);
    }

    /** The standard normal. */
    record Normal() implements Johnson {
        public double draw(SplittableRandom rng) {
            return rng.nextGaussian();
        }

        public double moment(int k) {
            double m = k % 2 == 1 ? 0 : 1;
            for (int j = k - 1; j > 1; j -= 2) {
                m *= j;
            }
            return m;
        }

        public String label() {
            return "normal";
        }
    }

    /**
     * Johnson SU: {@code sign * (sinh((Z - gamma) / delta) - mean) / sd}, with the mean and standard deviation of
     * the sinh term ({@code sqrt(w) sinh(-gamma/delta)} and {@code sqrt((w - 1)(w cosh(2 gamma/delta) + 1) / 2)},
     * {@code w = exp(1 / delta^2)}).
     */
    record Su(double gamma, double delta, double sign, double mean, double sd) implements Johnson {
        static Su of(double gamma, double delta, double sign) {
            double w = Math.exp(1 / (delta * delta));
            double o = -gamma / delta;
            return new Su(gamma, delta, sign, Math.sqrt(w) * Math.sinh(o),
                    Math.sqrt((w - 1) * (w * Math.cosh(2 * o) + 1) / 2));
        }

        double transform(double z) {
            return sign * (Math.sinh((z - gamma) / delta) - mean) / sd;
        }

        public double draw(SplittableRandom rng) {
            return transform(rng.nextGaussian());
        }

        /** By quadrature over z; the k-th power of sinh peaks near z = +-k / delta. */
        public double moment(int k) {
            return JohnsonFit.normalExpectation(z -> Math.pow(transform(z), k), 12 + k / delta,
                    Math.min(1, delta) / 4);
        }

        public String label() {
            return "johnson-su";
        }
    }

    /** Johnson SB: {@code sign * (1 / (1 + exp(-(Z - gamma) / delta)) - mean) / sd}, mean and sd by quadrature. */
    record Sb(double gamma, double delta, double sign, double mean, double sd) implements Johnson {
        static Sb of(double gamma, double delta, double sign) {
            DoubleUnaryOperator g = z -> logistic((z - gamma) / delta);
            double h = JohnsonFit.sbStep(delta);
            double mean = JohnsonFit.normalExpectation(g, JohnsonFit.SB_RANGE, h);
            double var = JohnsonFit.normalExpectation(z -> Math.pow(g.applyAsDouble(z) - mean, 2), JohnsonFit.SB_RANGE, h);
            return new Sb(gamma, delta, sign, mean, Math.sqrt(var));
        }

        double transform(double z) {
            return sign * (logistic((z - gamma) / delta) - mean) / sd;
        }

        public double draw(SplittableRandom rng) {
            return transform(rng.nextGaussian());
        }

        public double moment(int k) {
            return JohnsonFit.normalExpectation(z -> Math.pow(transform(z), k), JohnsonFit.SB_RANGE,
                    JohnsonFit.sbStep(delta));
        }

        public String label() {
            return "johnson-sb";
        }
    }

    /** The lognormal {@code sign * (exp(sigma Z) - sqrt(w)) / sqrt(w (w - 1))}, {@code w = exp(sigma^2)}. */
    record LogNormal(double sigma, double sign) implements Johnson {
        double transform(double z) {
            double w = Math.exp(sigma * sigma);
            return sign * (Math.exp(sigma * z) - Math.sqrt(w)) / Math.sqrt(w * (w - 1));
        }

        public double draw(SplittableRandom rng) {
            return transform(rng.nextGaussian());
        }

        public double moment(int k) {
            return JohnsonFit.normalExpectation(z -> Math.pow(transform(z), k), 12 + k * sigma,
                    Math.min(1, 1 / sigma) / 4);
        }

        public String label() {
            return "lognormal";
        }
    }

    /**
     * Two values, the upper one with probability p: {@code sqrt((1 - p) / p)} and {@code -sqrt(p / (1 - p))}
     * (mean 0, variance 1, skewness {@code (1 - 2p) / sqrt(p (1 - p))}), reflected by {@code sign}.
     */
    record TwoPoint(double p, double sign) implements Johnson {
        static TwoPoint ofSkewness(double skewness) {
            double s = Math.abs(skewness);
            return new TwoPoint((1 - s / Math.sqrt(s * s + 4)) / 2, skewness < 0 ? -1 : 1);
        }

        public double draw(SplittableRandom rng) {
            return sign * (rng.nextDouble() < p ? Math.sqrt((1 - p) / p) : -Math.sqrt(p / (1 - p)));
        }

        public double moment(int k) {
            return Math.pow(sign, k) * (p * Math.pow(Math.sqrt((1 - p) / p), k)
                    + (1 - p) * Math.pow(-Math.sqrt(p / (1 - p)), k));
        }

        public String label() {
            return "two-point";
        }
    }

    /** A fit that misses the target moments by more than 1e-6: the closest candidate, labelled as such. */
    record Approximate(Johnson closest) implements Johnson {
        public double draw(SplittableRandom rng) {
            return closest.draw(rng);
        }

        public double moment(int k) {
            return closest.moment(k);
        }

        public String label() {
            return closest.label() + " (approximate)";
        }
    }

    /** {@code 1 / (1 + exp(-u))} without overflow for large negative u. */
    static double logistic(double u) {
        return u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
    }
}
