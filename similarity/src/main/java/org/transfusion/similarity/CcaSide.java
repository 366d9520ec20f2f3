package org.transfusion.similarity;

import java.util.Arrays;
import org.transfusion.error.BadInputException;

/**
 * One side of a canonical correlation analysis: the neurons that enter it and a whitening transform for them.
 *
 * <p>Constant neurons are dropped first. The rest are standardised (correlation matrix) and factored by
 * Cholesky with complete pivoting, which takes neurons greedily by the variance not yet explained by those
 * already taken; it stops when every remaining neuron has less than {@link #COLLINEAR_TOLERANCE} of its
 * variance unexplained. Those neurons are collinear with the kept ones (duplicates, exact linear combinations,
 * or equal up to float32 rounding) and are dropped: they do not change the span, and keeping them is what
 * makes a covariance singular. The kept neurons' covariance is then well conditioned after scaling, and
 * {@code T = S^-1 U^-1} (S the neuron scales, U the Cholesky factor) satisfies {@code T^T C T = I}.
 */
final class CcaSide {

    /** Largest fraction of a neuron's variance left unexplained for it to count as collinear. */
    static final double COLLINEAR_TOLERANCE = 1e-10;

    final String label;
    /** Kept neurons in pivot order. */
    final int[] kept;
    /** sqrt(cxx[j][j]) of each kept neuron, pivot order. */
    final double[] scale;
    /** Upper triangular, rank x rank, column-major: correlation[kept][kept] = U^T U. */
    final double[] upper;
    final DroppedNeurons dropped;

    private CcaSide(String label, int[] kept, double[] scale, double[] upper, DroppedNeurons dropped) {
        this.label = label;
        this.kept = kept;
        this.scale = scale;
        this.upper = upper;
        this.dropped = dropped;
    }

    static CcaSide of(double[] c, int p, boolean[] constant, String label) {
        int[] varying = new int[p];
        int m = 0;
        for (int j = 0; j < p; j++) {
            if (!constant[j] && c[j + j * p] > 0) {
                varying[m++] = j;
            }
        }
        varying = Arrays.copyOf(varying, m);
        if (m == 0) {
            throw new BadInputException(label + ": every neuron is constant over the data points; "
                    + "canonical correlations need at least one neuron that varies");
        }
        double[] sd = new double[m];
        for (int a = 0; a < m; a++) {
            sd[a] = Math.sqrt(c[varying[a] + varying[a] * p]);
        }
        double[] corr = new double[m * m];
        for (int b = 0; b < m; b++) {
            for (int a = 0; a < m; a++) {
                corr[a + b * m] = c[varying[a] + varying[b] * p] / (sd[a] * sd[b]);
            }
        }
        Lapack.PivotedCholesky chol = Lapack.pivotedCholesky(corr, m, COLLINEAR_TOLERANCE);
        int r = chol.rank();
        int[] kept = new int[r];
        double[] scale = new double[r];
        for (int a = 0; a < r; a++) {
            kept[a] = varying[chol.pivots()[a]];
            scale[a] = sd[chol.pivots()[a]];
        }
        int[] collinear = new int[m - r];
        for (int a = r; a < m; a++) {
            collinear[a - r] = varying[chol.pivots()[a]];
        }
        Arrays.sort(collinear);
        int[] constants = new int[p - m];
        int k = 0;
        for (int j = 0, a = 0; j < p; j++) {
            if (a < m && varying[a] == j) {
                a++;
            } else {
                constants[k++] = j;
            }
        }
        return new CcaSide(label, kept, scale, chol.upper(), new DroppedNeurons(constants, collinear));
    }

    int rank() {
        return kept.length;
    }

    /** Kept neurons in ascending order of their column index. */
    int[] keptSorted() {
        int[] s = kept.clone();
        Arrays.sort(s);
        return s;
    }

    /** Whitened cross-covariance {@code Tx^T cxy Ty} of the kept neurons (x.rank x y.rank); its singular values are the canonical correlations. */
    static double[] whitenedCross(double[] cxy, int p, CcaSide x, CcaSide y) {
        int rx = x.rank();
        int ry = y.rank();
        double[] b = new double[rx * ry];
        for (int j = 0; j < ry; j++) {
            int col = y.kept[j] * p;
            double sy = y.scale[j];
            for (int i = 0; i < rx; i++) {
                b[i + j * rx] = cxy[x.kept[i] + col] / (x.scale[i] * sy);
            }
        }
        Lapack.solveUpperTransposedLeft(x.upper, rx, b, ry);
        Lapack.solveUpperRight(y.upper, ry, b, rx);
        return b;
    }

    /**
     * CCA and its relatives need more data points than the two sides have independent neurons together:
     * otherwise the two spans must intersect and some correlations are exactly 1 whatever the data.
     */
    static void requireEnoughPoints(String method, int n, int rx, String labelX, int ry, String labelY) {
        if (rx + ry >= n) {
            throw new BadInputException(method + " needs more data points than the two sides have neurons together: "
                    + labelX + " has " + rx + " and " + labelY + " has " + ry + " independent neurons but there are only "
                    + n + " data points (otherwise some correlations are 1 whatever the data); use more data points,"
                    + " --conv flatten, or CKA");
        }
    }
}
