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

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;

/**
 * The few dense LAPACK/BLAS operations the similarity measures need, on small column-major {@code double[]}
 * matrices (neurons x neurons), and the OpenBLAS thread policy.
 *
 * <p>Threads: a call of less than about 1e9 floating-point operations runs on one thread (threads cannot pay
 * for their synchronisation there). A longer call uses as many threads as there are idle cores just before
 * it ({@link CpuAvailability}), at least one. The reason is this project's machine, shared with training
 * jobs: with another job on one of its two cores, two OpenBLAS threads made the covariance products at
 * 50,000 x 256 take 6-8 s instead of 0.7 s with one, and PWCCA at 10,000 x 2048 76 s instead of 11 s. An
 * explicit count (system property {@code transfusion.similarity.threads}, else {@code OPENBLAS_NUM_THREADS})
 * replaces the policy for long calls. The setting is process-wide in OpenBLAS; concurrent callers only
 * affect each other's speed.
 *
 * <p>Inputs are never modified: every call works on a copy. A LAPACK failure (no convergence) is an
 * {@link ArithmeticException}, never a NaN result.
 */
final class Lapack {

    /** Explicit thread count for long calls, or 0 to follow the idle cores. */
    static final int EXPLICIT_THREADS = explicitThreads();
    /** Below this many operations a call stays on one thread. */
    static final double PARALLEL_WORK = 1e9;

    private static int currentThreads = -1;

    private Lapack() {}

    /** The load of OpenBLAS once started ({@link #startLoading}); guarded by the class. */
    private static CompletableFuture<Void> loading;
    /** The first sample of the idle cores, taken beside the load; guarded by the class. */
    private static CompletableFuture<Void> sampling;
    /** Set once {@link #load} has seen both finish. */
    private static volatile boolean loaded;
    /** Whether the load went straight to javacpp's cache ({@link CachedOpenBlas}); read after {@link #load}. */
    private static volatile boolean loadedFromCache;

    /**
     * Starts loading OpenBLAS (about 0.1 s from javacpp's cache, {@link CachedOpenBlas}; 0.2 s through javacpp's
     * loader, which searches the class path for the libraries first) on a thread of its own, and sampling the idle cores ({@link CpuAvailability}, 50 ms) on
     * another; returns at once. Until {@link #load} has returned, no other thread may touch javacpp (its Pointer
     * classes included): javacpp's loader is not safe to race against (a thread loading a library holds the loader's
     * lock while the library's initialisation needs javacpp's Pointer class, which another thread may be initialising
     * while waiting for that lock). Reading and parsing input files meanwhile is what this is for.
     */
    static synchronized void startLoading() {
        if (loading != null) {
            return;
        }
        // JDK 17 can deadlock when one thread loads a JNI library (holding the JDK's native-library lock while
        // javacpp's JNI_OnLoad runs Java code that needs a class another thread is initialising) and that other
        // thread's class initialisation loads a native library of its own: seen with the module image's reader
        // (NativeImageBuffer, libjimage) on the main thread of a JVM without a class-sharing archive. The JDK parts
        // that load their native libraries lazily and that this process needs (the module image, file channels) are
        // initialised here, before the loading thread starts.
        ClassLoader.getSystemResource("java/lang/Object.class");
        try (java.nio.channels.FileChannel ignored = java.nio.channels.FileChannel.open(
                java.nio.file.Path.of(System.getProperty("java.home"), "release"))) {
            // opened only for IOUtil's initialisation (libnet, libnio)
        } catch (java.io.IOException | RuntimeException e) {
            // nothing to initialise ahead then
        }
        CompletableFuture<Void> load = new CompletableFuture<>();
        loading = load;
        daemon("transfusion-openblas-load", () -> {
            try {
                if (CachedOpenBlas.load()) {
                    loadedFromCache = true;
                } else {
                    Loader.load(openblas.class);
                }
                load.complete(null);
            } catch (Throwable t) {
                load.completeExceptionally(t);
            }
        });
        CompletableFuture<Void> sample = new CompletableFuture<>();
        sampling = sample;
        daemon("transfusion-idle-cores", () -> {
            CpuAvailability.idleCores();
            sample.complete(null);
        });
    }

    /**
     * Loads OpenBLAS and samples the idle cores (see {@link #startLoading}) and waits until both are done. Every entry
     * to native code in this package calls it first ({@link Moments}, {@link Cka#rbf}, each operation here), so that
     * no thread touches javacpp while another loads it; once loaded it is one volatile read.
     */
    static void load() {
        if (loaded) {
            return;
        }
        startLoading();
        CompletableFuture<Void> load;
        CompletableFuture<Void> sample;
        synchronized (Lapack.class) {
            load = loading;
            sample = sampling;
        }
        joined(load);
        joined(sample);
        loaded = true;
    }

    /** A finished task's value, or the exception it failed with, unwrapped (shared by this package's threads). */
    static <T> T joined(CompletableFuture<T> task) {
        try {
            return task.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /** Whether OpenBLAS was loaded from javacpp's cache directly; false before {@link #load}. */
    static boolean loadedFromCache() {
        return loadedFromCache;
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static int explicitThreads() {
        for (String v : new String[] {System.getProperty("transfusion.similarity.threads"),
                System.getenv("OPENBLAS_NUM_THREADS")}) {
            if (v != null && !v.isBlank()) {
                try {
                    return Math.max(1, Integer.parseInt(v.strip()));
                } catch (NumberFormatException e) {
                    // an unparsable setting falls through, as OpenBLAS itself ignores it
                }
            }
        }
        return 0;
    }

    /** Threads for a call of about {@code flops} operations (see the class comment). */
    static int threadsFor(double flops) {
        load();
        if (flops < PARALLEL_WORK) {
            return 1;
        }
        if (EXPLICIT_THREADS > 0) {
            return EXPLICIT_THREADS;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return Math.max(1, Math.min(cores, (int) Math.round(CpuAvailability.idleCores())));
    }

    /** Sets the thread count for a call of about {@code flops} operations. */
    static void threadsForWork(double flops) {
        useThreads(threadsFor(flops));
    }

    /** Sets OpenBLAS's thread count for the calls that follow (only when it changes: the call is not free). */
    private static synchronized void useThreads(int threads) {
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
        threadsForWork(10.0 * n * n * n);
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
        int k = Math.min(m, n);
        threadsForWork((double) k * k * (Math.max(m, n) + 2.0 * k));
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
        threadsForWork(20.0 * m * n * Math.min(m, n));
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
        threadsForWork((double) n * n * n / 3);
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
        threadsForWork((double) m * m * n);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, m, n, 1.0, u, m, b, m);
    }

    /** Overwrites b (m x n) with u^-1 b, u upper triangular m x m. */
    static void solveUpperLeft(double[] u, int m, double[] b, int n) {
        threadsForWork((double) m * m * n);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, m, n, 1.0, u, m, b, m);
    }

    /** Overwrites b (m x n) with b u^-1, u upper triangular n x n. */
    static void solveUpperRight(double[] u, int n, double[] b, int m) {
        threadsForWork((double) m * n * n);
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, m, n, 1.0, u, n, b, m);
    }

    /** op(a) op(b) with op(a) m x k and op(b) k x n; returns m x n. */
    static double[] multiply(double[] a, boolean transA, double[] b, boolean transB, int m, int n, int k) {
        threadsForWork(2.0 * m * n * k);
        double[] c = new double[m * n];
        if (m == 0 || n == 0) {
            return c;
        }
        cblas_dgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, 1.0, a, transA ? k : m, b, transB ? n : k, 0.0, c, m);
        return c;
    }

    /** a a^T for column-major a (m x k), full symmetric m x m; half the work of a general product. */
    static double[] outerGram(double[] a, int m, int k) {
        threadsForWork((double) m * m * k);
        double[] c = new double[m * m];
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, m, k, 1.0, a, m, 0.0, c, m);
        for (int j = 0; j < m; j++) {
            for (int i = j + 1; i < m; i++) {
                c[i + j * m] = c[j + i * m];
            }
        }
        return c;
    }

    /**
     * Householder QR of e (m x n, m > n) and q^T f for f (m x nf); returns the first n rows of q^T f (n x nf),
     * i.e. the coordinates of f's columns in the orthonormal basis of e's column space.
     */
    static double[] projectOntoColumnSpace(double[] e, int m, int n, double[] f, int nf) {
        threadsForWork(2.0 * m * n * n + 4.0 * m * n * nf);
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
