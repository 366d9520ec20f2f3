package org.transfusion.similarity;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.cblas_dsyrk;

import java.nio.DoubleBuffer;
import java.util.concurrent.CompletableFuture;
import org.bytedeco.javacpp.DoublePointer;
import org.transfusion.error.BadInputException;

/**
 * Centred second moments of a pair of activation matrices, the only pass over the data that the linear
 * methods need: CCA, SVCCA, PWCCA and linear CKA all work from these neurons x neurons matrices.
 *
 * <p>With Xc, Yc the column-centred data, {@code cxx = Xc^T Xc}, {@code cyy = Yc^T Yc}, {@code cxy = Xc^T Yc}
 * (not divided by n - 1; every measure here is invariant to that factor). They are computed by one BLAS dsyrk
 * on a native copy of the centred data; all matrices are column-major.
 */
final class Moments {

    final int n;
    final int p;
    final int q;
    final String labelX;
    final String labelY;
    final double[] meanX;
    final double[] meanY;
    /** Neurons whose value is the same on every data point. */
    final boolean[] constantX;
    final boolean[] constantY;
    final double[] cxx;
    final double[] cyy;
    final double[] cxy;
    /** Squared norm of each centred data point (row), for debiased CKA. */
    final double[] rowNormsX;
    final double[] rowNormsY;

    private Lapack.SymmetricEigen eigenX;
    private Lapack.SymmetricEigen eigenY;

    private Moments(Activations x, Activations y) {
        checkPair(x, y);
        n = x.points();
        p = x.neurons();
        q = y.neurons();
        labelX = x.label();
        labelY = y.label();
        meanX = new double[p];
        meanY = new double[q];
        constantX = new boolean[p];
        constantY = new boolean[q];
        rowNormsX = new double[n];
        rowNormsY = new double[n];
        // One dsyrk on the stacked centred data [Xc Yc] gives all three blocks; a single call with twice the
        // width runs 20-30% faster than two dsyrk and a dgemm on tall data (measured at 50,000 x 256).
        int s = p + q;
        if ((long) n * s > Integer.MAX_VALUE - 8 || (long) s * s > Integer.MAX_VALUE - 8) {
            throw new BadInputException(labelX + " and " + labelY + " together hold " + n + " x " + s
                    + " values, more than one buffer takes; use fewer data points (max points)");
        }
        double[] stacked;
        try (DoublePointer data = new DoublePointer((long) n * s);
                DoublePointer out = new DoublePointer((long) s * s)) {
            // the two sides are independent passes over their own data: Y's runs beside X's
            DoubleBuffer buffer = data.asBuffer();
            CompletableFuture<Void> sideY = CompletableFuture.runAsync(
                    () -> centreInto(y, meanY, constantY, rowNormsY, buffer, s, p));
            centreInto(x, meanX, constantX, rowNormsX, buffer, s, 0);
            sideY.join();
            Lapack.threadsForWork((double) n * s * s);
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, s, n, 1.0, data, s, 0.0, out, s);
            stacked = new double[s * s];
            out.get(stacked);
        }
        cxx = block(stacked, s, 0, 0, p, p);
        cyy = block(stacked, s, p, p, q, q);
        cxy = block(stacked, s, 0, p, p, q);
        mirrorUpper(cxx, p);
        mirrorUpper(cyy, q);
    }

    static Moments of(Activations x, Activations y) {
        return new Moments(x, y);
    }

    /** Both matrices must describe the same data points, in the same order. */
    static void checkPair(Activations x, Activations y) {
        if (x.sourcePoints() != y.sourcePoints() || x.points() != y.points()) {
            throw new BadInputException(x.label() + " has " + x.sourcePoints() + " data points but " + y.label()
                    + " has " + y.sourcePoints() + "; rows must be the same data points in the same order"
                    + " (for conv activations with different spatial sizes use --conv pool)");
        }
    }

    /** Eigen-decomposition of cxx, computed once and shared by the measures that need it. */
    Lapack.SymmetricEigen eigenX() {
        if (eigenX == null) {
            eigenX = Lapack.eigen(cxx, p);
        }
        return eigenX;
    }

    Lapack.SymmetricEigen eigenY() {
        if (eigenY == null) {
            eigenY = Lapack.eigen(cyy, q);
        }
        return eigenY;
    }

    /** The same moments with the roles of X and Y exchanged (cxy transposed). */
    Moments swapped() {
        return new Moments(this);
    }

    private Moments(Moments m) {
        n = m.n;
        p = m.q;
        q = m.p;
        labelX = m.labelY;
        labelY = m.labelX;
        meanX = m.meanY;
        meanY = m.meanX;
        constantX = m.constantY;
        constantY = m.constantX;
        cxx = m.cyy;
        cyy = m.cxx;
        cxy = transpose(m.cxy, m.p, m.q);
        rowNormsX = m.rowNormsY;
        rowNormsY = m.rowNormsX;
        eigenX = m.eigenY;
        eigenY = m.eigenX;
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                t[j + i * cols] = a[i + j * rows];
            }
        }
        return t;
    }

    private static void columnStatistics(Activations a, double[] mean, boolean[] constant) {
        int n = a.points();
        int p = a.neurons();
        double[] v = a.values();
        double[] min = new double[p];
        double[] max = new double[p];
        System.arraycopy(v, 0, min, 0, p);
        System.arraycopy(v, 0, max, 0, p);
        for (int i = 0; i < n; i++) {
            int row = i * p;
            for (int j = 0; j < p; j++) {
                double x = v[row + j];
                mean[j] += x;
                if (x < min[j]) {
                    min[j] = x;
                } else if (x > max[j]) {
                    max[j] = x;
                }
            }
        }
        for (int j = 0; j < p; j++) {
            mean[j] /= n;
            constant[j] = min[j] == max[j];
        }
    }

    /**
     * Column statistics of one side, then its centred rows into the native stacked matrix at column
     * {@code offset}: row i of the row-major n x stride matrix holds X's centred row then Y's, i.e. the
     * column-major (p + q) x n matrix with leading dimension p + q that dsyrk takes. Each side writes only its
     * own columns, so both sides can fill the buffer at once.
     */
    private static void centreInto(Activations a, double[] mean, boolean[] constant, double[] norms,
            DoubleBuffer stacked, int stride, int offset) {
        columnStatistics(a, mean, constant);
        int p = a.neurons();
        double[] v = a.values();
        double[] row = new double[p];
        for (int i = 0; i < norms.length; i++) {
            int from = i * p;
            double norm = 0;
            for (int j = 0; j < p; j++) {
                double c = v[from + j] - mean[j];
                row[j] = c;
                norm += c * c;
            }
            norms[i] = norm;
            stacked.put(i * stride + offset, row, 0, p);
        }
    }

    /** The rows x cols block at (row0, col0) of a column-major matrix with leading dimension ld. */
    private static double[] block(double[] a, int ld, int row0, int col0, int rows, int cols) {
        double[] b = new double[rows * cols];
        for (int j = 0; j < cols; j++) {
            System.arraycopy(a, row0 + (col0 + j) * ld, b, j * rows, rows);
        }
        return b;
    }

    /** Copies the upper triangle of a symmetric column-major p x p matrix onto its lower triangle. */
    private static void mirrorUpper(double[] c, int p) {
        for (int j = 0; j < p; j++) {
            for (int i = j + 1; i < p; i++) {
                c[i + j * p] = c[j + i * p];
            }
        }
    }
}
