package org.transfusion.similarity;

/**
 * Canonical correlation analysis between two activation matrices (rows = data points, columns = neurons).
 *
 * <p>The canonical correlations are the singular values of {@code Tx^T Cxy Ty}, where C are the centred
 * (cross-)covariances and T whitening transforms ({@code T^T C T = I}). They match google/svcca
 * {@code cca_core.get_cca_similarity}'s {@code cca_coef1} on well-conditioned inputs. Unlike that code, this
 * one drops constant and collinear neurons (reported in the result) instead of inverting a singular
 * covariance, whitens with a pivoted Cholesky factor of the correlation matrix (so neurons on very different
 * scales are fine), and refuses inputs with too few data points (see
 * {@link CcaSide#requireEnoughPoints}) rather than returning correlations of 1 that say nothing about the data.
 * Coefficients are clamped to [0, 1] against rounding.
 */
public final class Cca {

    private Cca() {}

    public static CcaResult compute(Activations x, Activations y) {
        return compute(x, y, false);
    }

    /** With {@code directions}, the result also holds the canonical weight vectors of both sides. */
    public static CcaResult compute(Activations x, Activations y, boolean directions) {
        return compute(Moments.of(x, y), directions);
    }

    static CcaResult compute(Moments m, boolean directions) {
        CcaSide sx = CcaSide.of(m.cxx, m.p, m.constantX, m.labelX);
        CcaSide sy = CcaSide.of(m.cyy, m.q, m.constantY, m.labelY);
        CcaSide.requireEnoughPoints("CCA", m.n, sx.rank(), m.labelX, sy.rank(), m.labelY);
        double[] w = CcaSide.whitenedCross(m.cxy, m.p, sx, sy);
        int rx = sx.rank();
        int ry = sy.rank();
        if (!directions) {
            return new CcaResult(clamp(Lapack.singularValues(w, rx, ry)), sx.dropped, sy.dropped, null, null);
        }
        Lapack.Svd svd = Lapack.svd(w, rx, ry);
        int k = svd.s().length;
        double[] v = Moments.transpose(svd.vt(), k, ry); // ry x k
        double[][] dx = weights(sx, svd.u(), k, m.p, m.n);
        double[][] dy = weights(sy, v, k, m.q, m.n);
        for (int i = 0; i < k; i++) {
            if (dx[i][argMaxAbs(dx[i])] < 0) {
                negate(dx[i]);
                negate(dy[i]);
            }
        }
        return new CcaResult(clamp(svd.s()), sx.dropped, sy.dropped, dx, dy);
    }

    /** Neuron weights T u = S^-1 U^-1 u for the k columns of u (rank x k), scaled to unit variance. */
    private static double[][] weights(CcaSide side, double[] u, int k, int neurons, int n) {
        int r = side.rank();
        double[] t = u.clone();
        Lapack.solveUpperLeft(side.upper, r, t, k);
        double unitVariance = Math.sqrt(n - 1.0);
        double[][] out = new double[k][neurons];
        for (int i = 0; i < k; i++) {
            for (int a = 0; a < r; a++) {
                out[i][side.kept[a]] = t[a + i * r] / side.scale[a] * unitVariance;
            }
        }
        return out;
    }

    static double[] clamp(double[] s) {
        double[] out = s.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(1.0, Math.max(0.0, out[i]));
        }
        return out;
    }

    private static int argMaxAbs(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[best])) {
                best = i;
            }
        }
        return best;
    }

    private static void negate(double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = -v[i];
        }
    }
}
