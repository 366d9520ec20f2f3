package org.transfusion.similarity;

import org.transfusion.error.BadInputException;

/**
 * SVCCA (Raghu et al. 2017): reduce each side to the top singular directions of its centred activations that
 * explain a fraction of the variance (default 0.99), then CCA between the reduced sides.
 *
 * <p>The singular directions are eigenvectors of the covariance, so the reduced covariance is diagonal and
 * the canonical correlations are the singular values of {@code L_x^-1/2 V_x^T Cxy V_y L_y^-1/2}. As in the
 * SVCCA paper the reduction is not scale invariant: neurons with larger activations weigh more. Directions
 * with an eigenvalue below 1e-10 of the largest are never kept, even with a fraction of 1.
 */
public final class Svcca {

    public static final double DEFAULT_KEEP_VARIANCE = 0.99;
    static final double EIGEN_TOLERANCE = 1e-10;

    private Svcca() {}

    public static SvccaResult compute(Activations x, Activations y) {
        return compute(x, y, DEFAULT_KEEP_VARIANCE);
    }

    public static SvccaResult compute(Activations x, Activations y, double keepVariance) {
        checkKeepVariance(keepVariance);
        return compute(Moments.of(x, y), keepVariance);
    }

    static void checkKeepVariance(double keepVariance) {
        if (!(keepVariance > 0 && keepVariance <= 1)) {
            throw new BadInputException("keep-variance: expected a fraction in (0, 1], got " + keepVariance);
        }
    }

    static SvccaResult compute(Moments m, double keepVariance) {
        checkKeepVariance(keepVariance);
        double[] px = reduction(m.eigenX(), keepVariance, m.labelX);
        double[] py = reduction(m.eigenY(), keepVariance, m.labelY);
        int kx = px.length / m.p;
        int ky = py.length / m.q;
        CcaSide.requireEnoughPoints("SVCCA", m.n, kx, m.labelX, ky, m.labelY);
        double[] t = Lapack.multiply(m.cxy, false, py, false, m.p, ky, m.q);
        double[] w = Lapack.multiply(px, true, t, false, kx, ky, m.p);
        return new SvccaResult(kx, ky, keepVariance, Cca.clamp(Lapack.singularValues(w, kx, ky)));
    }

    /** p x k matrix of the top k eigenvectors, each divided by the square root of its eigenvalue. */
    private static double[] reduction(Lapack.SymmetricEigen eig, double keepVariance, String label) {
        int p = eig.n();
        double[] values = eig.values(); // ascending
        double total = 0;
        for (double v : values) {
            total += Math.max(v, 0);
        }
        double largest = values[p - 1];
        if (!(largest > 0)) {
            throw new BadInputException(label + ": every neuron is constant over the data points; SVCCA needs variance");
        }
        int k = 0;
        double explained = 0;
        while (k < p && explained < keepVariance * total && values[p - 1 - k] > EIGEN_TOLERANCE * largest) {
            explained += values[p - 1 - k];
            k++;
        }
        double[] out = new double[p * k];
        for (int c = 0; c < k; c++) {
            int src = p - 1 - c;
            double inv = 1 / Math.sqrt(values[src]);
            for (int i = 0; i < p; i++) {
                out[i + c * p] = eig.vectors()[i + src * p] * inv;
            }
        }
        return out;
    }
}
