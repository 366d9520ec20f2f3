package org.transfusion.similarity;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasLeft;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasNonUnit;
import static org.bytedeco.openblas.global.openblas.CblasRight;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dgeqrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dgesdd;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dormqr;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dpstrf;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dsyevd;
import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;
import static org.bytedeco.openblas.global.openblas.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas.cblas_dsyrk;
import static org.bytedeco.openblas.global.openblas.cblas_dtrsm;

/**
 * The few dense LAPACK/BLAS operations the similarity measures need, on small column-major {@code double[]}
 * matrices (neurons x neurons), and the OpenBLAS thread policy.
 *
 * <p>Threads: the products over data points ({@link Moments}, RBF kernels) are long BLAS-3 calls that split
 * well, so they use {@link #DATA_THREADS} (system property {@code transfusion.similarity.threads}, else
 * {@code OPENBLAS_NUM_THREADS}, else one per core). The neurons x neurons LAPACK work (eigen-decompositions,
 * SVDs, factorisations) synchronises its threads thousands of times; on a machine shared with other jobs one
 * descheduled thread stalls the rest, and we measured PWCCA on 10,000 x 2048 at 76 s with two threads against
 * 11 s with one on this project's 2-core machine while other builds ran. So it uses {@link #MATRIX_THREADS}
 * threads, 1 unless {@code transfusion.similarity.lapackThreads} says otherwise (2 is faster on an idle
 * machine). The setting is process-wide in OpenBLAS; concurrent callers only affect each other's speed.
 *
 * <p>Inputs are never modified: every call works on a copy. A LAPACK failure (no convergence) is an
 * {@link ArithmeticException}, never a NaN result.
 */
final class Lapack {

    static final int DATA_THREADS = threads("transfusion.similarity.threads",
            System.getenv("OPENBLAS_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
    static final int MATRIX_THREADS = threads("transfusion.similarity.lapackThreads", null, 1);

    private static int currentThreads = -1;

    private Lapack() {}

    private static int threads(String property, String fallback, int otherwise) {
        for (String v : new String[] {System.getProperty(property), fallback}) {
            if (v != null && !v.isBlank()) {
                try {
                    return Math.max(1, Integer.parseInt(v.strip()));
                } catch (NumberFormatException e) {
                    // an unparsable setting falls through to the default, as OpenBLAS itself does
                }
            }
        }
        return Math.max(1, otherwise);
    }

    /** Threads for a product over data points of about {@code flops} operations: short ones stay on one thread. */
    static int dataThreads(double flops) {
        return flops < 1e9 ? 1 : DATA_THREADS;
    }

    /** Sets OpenBLAS's thread count for the calls that follow (only when it changes: the call is not free). */
    static synchronized void useThreads(int threads) {
        if (threads != currentThreads) {
            org.bytedeco.openblas.global.openblas.blas_set_num_threads(threads);
            currentThreads = threads;
        }
    }

    /** Eigenvalues (ascending) and eigenvectors (columns of a column-major n x n matrix). */
    record SymmetricEigen(double[] values, double[] vectors, int n) {}

    /** Thin SVD a = u diag(s) vt with u m x k, vt k x n, k = min(m, n); s descending. */
    record Svd(double[] u, double[] s, double[] vt, int m, int n) {}

    /** P^T A P = U^T U for the leading {@code rank} pivots; {@code pivots} are 0-based, in pivot order. */
    record PivotedCholesky(double[] upper, int[] pivots, int rank) {}

    static SymmetricEigen eigen(double[] sym, int n) {
        useThreads(MATRIX_THREADS);
        double[] a = sym.clone();
        double[] w = new double[n];
        check(LAPACKE_dsyevd(LAPACK_COL_MAJOR, (byte) 'V', (byte) 'U', n, a, n, w), "dsyevd");
        return new SymmetricEigen(w, a, n);
    }

    /**
     * Singular values, descending, as square roots of the eigenvalues of the smaller Gram matrix (a a^T or
     * a^T a): about four times faster than a bidiagonal SVD at 2048 x 2048. For matrices whose singular values
     * are at most about 1 (whitened cross-covariances) the absolute error stays below about 1e-12 for values
     * above 0.01 and below 3e-8 near 0.
     */
    static double[] singularValues(double[] matrix, int m, int n) {
        useThreads(MATRIX_THREADS);
        int k = Math.min(m, n);
        double[] gram = new double[k * k];
        // a a^T (m x m) when m <= n, else a^T a (n x n); a is column-major m x n
        cblas_dsyrk(CblasColMajor, CblasUpper, m <= n ? CblasNoTrans : CblasTrans, k, m <= n ? n : m, 1.0, matrix, m,
                0.0, gram, k);
        double[] w = new double[k];
        check(LAPACKE_dsyevd(LAPACK_COL_MAJOR, (byte) 'N', (byte) 'U', k, gram, k, w), "dsyevd");
        double[] s = new double[k];
        for (int i = 0; i < k; i++) {
            s[i] = Math.sqrt(Math.max(0, w[k - 1 - i]));
        }
        return s;
    }

    static Svd svd(double[] matrix, int m, int n) {
        useThreads(MATRIX_THREADS);
        int k = Math.min(m, n);
        double[] a = matrix.clone();
        double[] s = new double[k];
        double[] u = new double[m * k];
        double[] vt = new double[k * n];
        check(LAPACKE_dgesdd(LAPACK_COL_MAJOR, (byte) 'S', m, n, a, m, s, u, m, vt, k), "dgesdd");
        return new Svd(u, s, vt, m, n);
    }

    /** Cholesky with complete pivoting; stops when the largest remaining pivot is at most {@code tolerance}. */
    static PivotedCholesky pivotedCholesky(double[] sym, int n, double tolerance) {
        useThreads(MATRIX_THREADS);
        double[] a = sym.clone();
        int[] piv = new int[n];
        int[] rank = new int[1];
        int info = LAPACKE_dpstrf(LAPACK_COL_MAJOR, (byte) 'U', n, a, n, piv, rank, tolerance);
        if (info < 0) {
            check(info, "dpstrf");
        }
        int r = rank[0];
        double[] u = new double[r * r];
        for (int j = 0; j < r; j++) {
            System.arraycopy(a, j * n, u, j * r, j + 1);
        }
        int[] pivots = new int[n];
        for (int i = 0; i < n; i++) {
            pivots[i] = piv[i] - 1;
        }
        return new PivotedCholesky(u, pivots, r);
    }

    /** Overwrites b (m x n) with u^-T b, u upper triangular m x m. */
    static void solveUpperTransposedLeft(double[] u, int m, double[] b, int n) {
        useThreads(MATRIX_THREADS);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, m, n, 1.0, u, m, b, m);
    }

    /** Overwrites b (m x n) with u^-1 b, u upper triangular m x m. */
    static void solveUpperLeft(double[] u, int m, double[] b, int n) {
        useThreads(MATRIX_THREADS);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, m, n, 1.0, u, m, b, m);
    }

    /** Overwrites b (m x n) with b u^-1, u upper triangular n x n. */
    static void solveUpperRight(double[] u, int n, double[] b, int m) {
        useThreads(MATRIX_THREADS);
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, m, n, 1.0, u, n, b, m);
    }

    /** op(a) op(b) with op(a) m x k and op(b) k x n; returns m x n. */
    static double[] multiply(double[] a, boolean transA, double[] b, boolean transB, int m, int n, int k) {
        useThreads(MATRIX_THREADS);
        double[] c = new double[m * n];
        if (m == 0 || n == 0) {
            return c;
        }
        cblas_dgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, 1.0, a, transA ? k : m, b, transB ? n : k, 0.0, c, m);
        return c;
    }

    /**
     * Householder QR of e (m x n, m > n) and q^T f for f (m x nf); returns the first n rows of q^T f (n x nf),
     * i.e. the coordinates of f's columns in the orthonormal basis of e's column space.
     */
    static double[] projectOntoColumnSpace(double[] e, int m, int n, double[] f, int nf) {
        useThreads(MATRIX_THREADS);
        double[] a = e.clone();
        double[] tau = new double[n];
        check(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, m, n, a, m, tau), "dgeqrf");
        double[] c = f.clone();
        check(LAPACKE_dormqr(LAPACK_COL_MAJOR, (byte) 'L', (byte) 'T', m, nf, n, a, m, tau, c, m), "dormqr");
        double[] out = new double[n * nf];
        for (int j = 0; j < nf; j++) {
            System.arraycopy(c, j * m, out, j * n, n);
        }
        return out;
    }

    private static void check(int info, String routine) {
        if (info != 0) {
            throw new ArithmeticException("LAPACK " + routine + " failed (info " + info + ")"
                    + (info > 0 ? ": no convergence" : ": bad argument"));
        }
    }
}
