package org.transfusion.similarity;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas.cblas_dsyrk;

import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.transfusion.error.BadInputException;

/**
 * Centred second moments of a pair of activation matrices, the only pass over the data that the linear
 * methods need: CCA, SVCCA, PWCCA and linear CKA all work from these neurons x neurons matrices.
 *
 * <p>With Xc, Yc the column-centred data, {@code cxx = Xc^T Xc}, {@code cyy = Yc^T Yc}, {@code cxy = Xc^T Yc}
 * (not divided by n - 1; every measure here is invariant to that factor). They are computed by BLAS dsyrk and
 * dgemm on a native copy of the centred data; all matrices are column-major.
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
        columnStatistics(x, meanX, constantX);
        columnStatistics(y, meanY, constantY);
        try (DoublePointer xc = centred(x, meanX, rowNormsX);
                DoublePointer yc = centred(y, meanY, rowNormsY)) {
            Lapack.threadsForWork((double) n * (p + q) * (p + q));
            cxx = gram(xc, p, n);
            cyy = gram(yc, q, n);
            cxy = cross(xc, p, yc, q, n);
        }
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

    /** Native copy of the centred data: row-major n x p is column-major p x n with leading dimension p. */
    private static DoublePointer centred(Activations a, double[] mean, double[] rowNorms) {
        int n = a.points();
        int p = a.neurons();
        double[] v = a.values();
        DoublePointer out = new DoublePointer((long) n * p);
        DoubleBuffer buffer = out.asBuffer();
        double[] row = new double[p];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < p; j++) {
                double c = v[i * p + j] - mean[j];
                row[j] = c;
                norm += c * c;
            }
            rowNorms[i] = norm;
            buffer.put(row);
        }
        return out;
    }

    /** a a^T for a column-major p x n (= Xc^T Xc), full symmetric p x p. */
    private static double[] gram(DoublePointer a, int p, int n) {
        double[] c = new double[p * p];
        try (DoublePointer out = new DoublePointer((long) p * p)) {
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, p, n, 1.0, a, p, 0.0, out, p);
            out.get(c);
        }
        for (int j = 0; j < p; j++) {
            for (int i = j + 1; i < p; i++) {
                c[i + j * p] = c[j + i * p];
            }
        }
        return c;
    }

    /** a b^T for column-major a (p x n) and b (q x n) (= Xc^T Yc), p x q. */
    private static double[] cross(DoublePointer a, int p, DoublePointer b, int q, int n) {
        double[] c = new double[p * q];
        try (DoublePointer out = new DoublePointer((long) p * q)) {
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, p, q, n, 1.0, a, p, b, q, 0.0, out, p);
            out.get(c);
        }
        return c;
    }
}
