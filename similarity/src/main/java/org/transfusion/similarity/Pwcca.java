package org.transfusion.similarity;

import org.transfusion.error.BadInputException;

/**
 * Projection-weighted CCA (Morcos, Raghu & Bengio 2018), defined as google/svcca {@code pwcca.compute_pwcca}
 * computes it, so that values agree with that reference.
 *
 * <p>The weights come from the side with fewer (kept) neurons, the first on a tie. With u the singular
 * vectors of that side in the SVD of {@code Cxx^-1/2 Cxy Cyy^-1/2} (symmetric inverse square roots), the
 * reference forms directions {@code D = Xc u + 1 mean^T} (each neuron's mean is added to the direction with
 * the same index), orthonormalises them ({@code D = P R}) and weighs correlation i by
 * {@code sum_j |P_i . x_j|} over the neurons' uncentred activations x_j. Because of the added means, the
 * weights depend on the sign LAPACK gives each singular vector; we keep the reference's whitening and its
 * LAPACK routine (dgesdd) so those signs agree. For centred activations the signs do not matter.
 *
 * <p>Nothing of size n is formed after the covariances. With C = V L V^T the side's covariance, Xc has the
 * orthonormal basis {@code Q = Xc V L^-1/2} and the constant vector is orthogonal to it, so
 * {@code D = [Q, 1/sqrt(n)] E} with {@code E = [L^1/2 V^T u; sqrt(n) mean^T]} and
 * {@code [Q, 1/sqrt(n)]^T X = F = [L^1/2 V^T; sqrt(n) mean^T]}. A Householder QR of the small E gives
 * {@code P^T X} as the top rows of {@code Q_E^T F}.
 */
public final class Pwcca {

    /** Below this ratio to the largest eigenvalue a symmetric inverse square root loses all accuracy. */
    static final double CONDITION_LIMIT = 1e-13;

    private Pwcca() {}

    public static PwccaResult compute(Activations x, Activations y) {
        return compute(Moments.of(x, y));
    }

    static PwccaResult compute(Moments m) {
        CcaSide sx = CcaSide.of(m.cxx, m.p, m.constantX, m.labelX);
        CcaSide sy = CcaSide.of(m.cyy, m.q, m.constantY, m.labelY);
        CcaSide.requireEnoughPoints("PWCCA", m.n, sx.rank(), m.labelX, sy.rank(), m.labelY);
        int[] kx = sx.keptSorted();
        int[] ky = sy.keptSorted();
        int rx = kx.length;
        int ry = ky.length;
        Lapack.SymmetricEigen ex = rx == m.p ? m.eigenX() : Lapack.eigen(submatrix(m.cxx, m.p, kx, kx), rx);
        Lapack.SymmetricEigen ey = ry == m.q ? m.eigenY() : Lapack.eigen(submatrix(m.cyy, m.q, ky, ky), ry);
        double[] wx = inverseSqrt(ex, m.labelX);
        double[] wy = inverseSqrt(ey, m.labelY);
        double[] cross = submatrix(m.cxy, m.p, kx, ky);
        double[] whitened = Lapack.multiply(wx, false, Lapack.multiply(cross, false, wy, false, rx, ry, ry), false, rx, ry, rx);
        Lapack.Svd svd = Lapack.svd(whitened, rx, ry);
        double[] coefficients = Cca.clamp(svd.s());
        boolean first = rx <= ry;
        double[] directions = first ? svd.u() : Moments.transpose(svd.vt(), svd.s().length, ry);
        double[] weights = first
                ? weights(ex, directions, select(m.meanX, kx), m.n)
                : weights(ey, directions, select(m.meanY, ky), m.n);
        double value = 0;
        for (int i = 0; i < weights.length; i++) {
            value += weights[i] * coefficients[i];
        }
        return new PwccaResult(value, first, weights, coefficients, sx.dropped, sy.dropped);
    }

    /**
     * Normalised projection weights for the r directions u (r x r, columns) of a side with covariance
     * eigen-decomposition eig and neuron means mean.
     */
    private static double[] weights(Lapack.SymmetricEigen eig, double[] u, double[] mean, int n) {
        int r = eig.n();
        double[] rootVt = new double[r * r]; // L^1/2 V^T
        for (int j = 0; j < r; j++) {
            for (int i = 0; i < r; i++) {
                rootVt[i + j * r] = Math.sqrt(eig.values()[i]) * eig.vectors()[j + i * r];
            }
        }
        double[] top = Lapack.multiply(rootVt, false, u, false, r, r, r);
        double[] e = new double[(r + 1) * r];
        double[] f = new double[(r + 1) * r];
        double sqrtN = Math.sqrt(n);
        for (int j = 0; j < r; j++) {
            System.arraycopy(top, j * r, e, j * (r + 1), r);
            System.arraycopy(rootVt, j * r, f, j * (r + 1), r);
            e[r + j * (r + 1)] = sqrtN * mean[j];
            f[r + j * (r + 1)] = sqrtN * mean[j];
        }
        double[] projections = Lapack.projectOntoColumnSpace(e, r + 1, r, f, r); // r x r: P^T X
        double[] w = new double[r];
        double total = 0;
        for (int i = 0; i < r; i++) {
            double s = 0;
            for (int j = 0; j < r; j++) {
                s += Math.abs(projections[i + j * r]);
            }
            w[i] = s;
            total += s;
        }
        for (int i = 0; i < r; i++) {
            w[i] /= total;
        }
        return w;
    }

    /** V L^-1/2 V^T, as (V L^-1/4)(V L^-1/4)^T. */
    private static double[] inverseSqrt(Lapack.SymmetricEigen eig, String label) {
        int r = eig.n();
        double[] values = eig.values();
        if (!(values[0] > CONDITION_LIMIT * values[r - 1])) {
            throw new BadInputException(label + ": covariance too ill-conditioned for PWCCA's symmetric whitening "
                    + "(eigenvalues span more than 1e13, e.g. neurons on very different scales); standardise the neurons");
        }
        double[] scaled = new double[r * r];
        for (int c = 0; c < r; c++) {
            double s = Math.pow(values[c], -0.25);
            for (int i = 0; i < r; i++) {
                scaled[i + c * r] = eig.vectors()[i + c * r] * s;
            }
        }
        return Lapack.outerGram(scaled, r, r);
    }

    private static double[] submatrix(double[] a, int lda, int[] rows, int[] cols) {
        double[] out = new double[rows.length * cols.length];
        for (int j = 0; j < cols.length; j++) {
            for (int i = 0; i < rows.length; i++) {
                out[i + j * rows.length] = a[rows[i] + cols[j] * lda];
            }
        }
        return out;
    }

    private static double[] select(double[] v, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = v[idx[i]];
        }
        return out;
    }
}
