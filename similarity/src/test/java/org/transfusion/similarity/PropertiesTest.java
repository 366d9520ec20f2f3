package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

/** Mathematical properties of the measures, on seeded random data (no reference values needed). */
class PropertiesTest {

    static double[][] gaussian(int n, int p, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][p];
        for (double[] row : x) {
            for (int j = 0; j < p; j++) {
                row[j] = r.nextGaussian();
            }
        }
        return x;
    }

    static double[][] multiply(double[][] x, double[][] m) {
        double[][] out = new double[x.length][m[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < m.length; k++) {
                for (int j = 0; j < m[0].length; j++) {
                    out[i][j] += x[i][k] * m[k][j];
                }
            }
        }
        return out;
    }

    /** A random orthogonal matrix: Gram-Schmidt on Gaussian columns. */
    static double[][] orthogonal(int p, long seed) {
        double[][] g = gaussian(p, p, seed);
        double[][] q = new double[p][p];
        for (int j = 0; j < p; j++) {
            double[] v = new double[p];
            for (int i = 0; i < p; i++) {
                v[i] = g[i][j];
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < p; i++) {
                    dot += v[i] * q[i][k];
                }
                for (int i = 0; i < p; i++) {
                    v[i] -= dot * q[i][k];
                }
            }
            double norm = 0;
            for (double e : v) {
                norm += e * e;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < p; i++) {
                q[i][j] = v[i] / norm;
            }
        }
        return q;
    }

    /** Invertible but far from orthogonal: identity plus a strong random part, columns scaled 0.01 to 100. */
    static double[][] anisotropic(int p, long seed) {
        double[][] m = gaussian(p, p, seed);
        for (int i = 0; i < p; i++) {
            m[i][i] += 3;
            for (int j = 0; j < p; j++) {
                m[i][j] *= Math.pow(10, -2 + 4.0 * j / (p - 1));
            }
        }
        return m;
    }

    static Activations act(double[][] x) {
        return Activations.of(x);
    }

    private final double[][] x = Fixtures.correlated(400, 12, 18, 6, 5)[0];
    private final double[][] y = Fixtures.correlated(400, 12, 18, 6, 5)[1];

    @Test
    void ccaOfDataWithAnInvertibleMapOfItselfIsAllOnes() {
        for (double[][] map : new double[][][] {orthogonal(12, 1), anisotropic(12, 2)}) {
            CcaResult r = Cca.compute(act(x), act(multiply(x, map)));
            double[] ones = new double[12];
            java.util.Arrays.fill(ones, 1.0);
            assertThat(r.coefficients()).containsExactly(ones, within(1e-9));
            assertThat(Svcca.compute(act(x), act(multiply(x, map)), 1.0).mean()).isCloseTo(1.0, within(1e-9));
            assertThat(Pwcca.compute(act(x), act(multiply(x, map))).value()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void everyMeasureOfASetWithItselfIsOne() {
        SimilarityReport r = Similarity.compute(act(x), act(x), EnumSet.allOf(Method.class), SimilarityOptions.defaults());
        assertThat(r.cca().orElseThrow().mean()).isCloseTo(1.0, within(1e-9));
        assertThat(r.svcca().orElseThrow().mean()).isCloseTo(1.0, within(1e-9));
        assertThat(r.pwcca().orElseThrow().value()).isCloseTo(1.0, within(1e-9));
        assertThat(r.ckaLinear().orElseThrow()).isCloseTo(1.0, within(1e-12));
        assertThat(r.ckaRbf().orElseThrow()).isCloseTo(1.0, within(1e-12));
        SimilarityReport d = Similarity.compute(act(x), act(x), EnumSet.of(Method.CKA_LINEAR, Method.CKA_RBF),
                SimilarityOptions.defaults().withDebiased(true));
        assertThat(d.ckaLinear().orElseThrow()).isCloseTo(1.0, within(1e-12));
        assertThat(d.ckaRbf().orElseThrow()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void ckaIsInvariantToOrthogonalMapsAndIsotropicScaling() {
        double linear = Cka.linear(act(x), act(y));
        double rbf = Cka.rbf(act(x), act(y), 0.5);
        double debiased = Cka.linearDebiased(act(x), act(y));
        double[][] qx = multiply(x, orthogonal(12, 3));
        double[][] scaledY = multiply(y, scalar(18, 7.5));
        assertThat(Cka.linear(act(qx), act(scaledY))).isCloseTo(linear, within(1e-10));
        assertThat(Cka.linearDebiased(act(qx), act(scaledY))).isCloseTo(debiased, within(1e-10));
        assertThat(Cka.rbf(act(qx), act(scaledY), 0.5)).isCloseTo(rbf, within(1e-10));
    }

    @Test
    void ckaIsNotInvariantToGeneralInvertibleMapsButCcaIs() {
        double[][] mx = multiply(x, anisotropic(12, 4));
        // measured: linear 0.64 -> 0.38, RBF 0.65 -> 0.31
        assertThat(Math.abs(Cka.linear(act(mx), act(y)) - Cka.linear(act(x), act(y)))).isGreaterThan(0.1);
        assertThat(Math.abs(Cka.rbf(act(mx), act(y), 0.5) - Cka.rbf(act(x), act(y), 0.5))).isGreaterThan(0.1);
        assertThat(Cca.compute(act(mx), act(y)).coefficients())
                .containsExactly(Cca.compute(act(x), act(y)).coefficients(), within(1e-9));
    }

    @Test
    void independentGaussianSetsGiveCorrelationsOnTheSqrtNeuronsOverPointsScale() {
        int n = 2000;
        int p = 20;
        int q = 30;
        double scale = Math.sqrt((double) p / n); // 0.1
        CcaResult r = Cca.compute(act(gaussian(n, p, 11)), act(gaussian(n, q, 12)));
        // Random-matrix theory (Wachter): the largest is near sqrt(p/n) + sqrt(q/n) = 0.22 and the mean near
        // 0.11 here; numpy on five other seeds gave means 0.108 to 0.114 and maxima 0.20 to 0.23.
        assertThat(r.mean()).isBetween(0.7 * scale, 1.5 * scale);
        assertThat(r.coefficients()[0]).isLessThan(Math.sqrt((double) p / n) + Math.sqrt((double) q / n) + 0.05);
        // linear CKA of independent sets is about sqrt(p q) / n = 0.012
        assertThat(Cka.linear(act(gaussian(n, p, 11)), act(gaussian(n, q, 12)))).isLessThan(0.03);
    }

    @Test
    void symmetricMeasuresAreSymmetric() {
        assertThat(Cca.compute(act(y), act(x)).coefficients())
                .containsExactly(Cca.compute(act(x), act(y)).coefficients(), within(1e-12));
        assertThat(Svcca.compute(act(y), act(x)).coefficients())
                .containsExactly(Svcca.compute(act(x), act(y)).coefficients(), within(1e-12));
        assertThat(Cka.linear(act(y), act(x))).isCloseTo(Cka.linear(act(x), act(y)), within(1e-14));
        assertThat(Cka.rbf(act(y), act(x), 0.5)).isCloseTo(Cka.rbf(act(x), act(y), 0.5), within(1e-14));
        // PWCCA weighs by the side with fewer neurons, so swapping the arguments does not change the side used
        assertThat(Pwcca.compute(act(y), act(x)).weightedByFirst()).isFalse();
        assertThat(Pwcca.compute(act(x), act(y)).weightedByFirst()).isTrue();
    }

    @Test
    void canonicalDirectionsGiveUnitVarianceVariatesCorrelatedByTheCoefficients() {
        CcaResult r = Cca.compute(act(x), act(y), true);
        double[] rho = r.coefficients();
        int k = rho.length;
        double[][] u = variates(x, r.xDirections());
        double[][] v = variates(y, r.yDirections());
        for (int i = 0; i < k; i++) {
            assertThat(covariance(u[i], u[i])).isCloseTo(1.0, within(1e-9));
            assertThat(covariance(v[i], v[i])).isCloseTo(1.0, within(1e-9));
            assertThat(covariance(u[i], v[i])).isCloseTo(rho[i], within(1e-9));
            for (int j = 0; j < i; j++) {
                assertThat(covariance(u[i], u[j])).isCloseTo(0.0, within(1e-9));
                assertThat(covariance(u[i], v[j])).isCloseTo(0.0, within(1e-9));
            }
        }
    }

    private static double[][] variates(double[][] data, double[][] directions) {
        double[][] out = new double[directions.length][data.length];
        for (int d = 0; d < directions.length; d++) {
            for (int i = 0; i < data.length; i++) {
                for (int j = 0; j < data[0].length; j++) {
                    out[d][i] += data[i][j] * directions[d][j];
                }
            }
        }
        return out;
    }

    private static double covariance(double[] a, double[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - ma) * (b[i] - mb);
        }
        return s / (a.length - 1);
    }

    private static double[][] scalar(int p, double s) {
        double[][] m = new double[p][p];
        for (int i = 0; i < p; i++) {
            m[i][i] = s;
        }
        return m;
    }

    @Test
    void duplicatedAndConstantNeuronsAreDroppedAndReportedWithoutChangingTheCorrelations() {
        double[] reference = Cca.compute(act(x), act(y)).coefficients();
        // append a copy of neuron 4, a sum of neurons 0 and 1, and a constant neuron to X
        double[][] wide = new double[x.length][15];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, wide[i], 0, 12);
            wide[i][12] = x[i][4];
            wide[i][13] = x[i][0] + x[i][1];
            wide[i][14] = 3.0;
        }
        CcaResult r = Cca.compute(act(wide), act(y));
        assertThat(r.coefficients()).containsExactly(reference, within(1e-9));
        assertThat(r.droppedX().constant()).containsExactly(14);
        // which member of a collinear group goes depends on pivoting; one of each group must
        assertThat(r.droppedX().collinear()).hasSize(2);
        for (int dropped : r.droppedX().collinear()) {
            assertThat(dropped).isIn(0, 1, 4, 12, 13);
        }
        assertThat(r.droppedY().count()).isZero();
        assertThat(Pwcca.compute(act(wide), act(y)).coefficients()).containsExactly(reference, within(1e-9));
    }

    @Test
    void ccaDoesNotCareAboutNeuronScalesEvenFarApart() {
        double[][] scaled = new double[x.length][12];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 12; j++) {
                scaled[i][j] = x[i][j] * Math.pow(10, j - 6); // 1e-6 .. 1e5
            }
        }
        assertThat(Cca.compute(act(scaled), act(y)).coefficients())
                .containsExactly(Cca.compute(act(x), act(y)).coefficients(), within(1e-9));
    }

    @Test
    void tooFewDataPointsForCcaIsAClearErrorNotOnes() {
        double[][] a = gaussian(30, 20, 1);
        double[][] b = gaussian(30, 15, 2);
        assertThatThrownBy(() -> Cca.compute(act(a).named("a.npy"), act(b).named("b.npy")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("a.npy has 20")
                .hasMessageContaining("b.npy has 15")
                .hasMessageContaining("only 30 data points");
        assertThatThrownBy(() -> Pwcca.compute(act(a), act(b))).isInstanceOf(BadInputException.class);
        // CKA is defined with more neurons than points
        assertThat(Cka.linear(act(a), act(b))).isBetween(0.0, 1.0);
        // SVCCA applies the rule to the reduced dimensions, which can make it possible
        assertThat(Svcca.compute(act(a), act(b), 0.5).dimsX()).isLessThan(20);
    }

    @Test
    void rbfSubsamplesDeterministicallyBeyondItsMaximum() {
        Activations ax = act(x);
        Activations ay = act(y);
        double sub = Cka.rbf(ax, ay, 0.5, false, 150, 42);
        assertThat(Cka.rbf(ax, ay, 0.5, false, 150, 42)).isEqualTo(sub);
        assertThat(Cka.rbf(ax.subsample(150, 42), ay.subsample(150, 42), 0.5)).isEqualTo(sub);
        assertThat(Cka.rbf(ax, ay, 0.5, false, 150, 43)).isNotEqualTo(sub);
    }
}
