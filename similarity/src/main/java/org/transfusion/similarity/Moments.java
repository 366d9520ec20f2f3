package org.transfusion.similarity;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.cblas_dger;
import static org.bytedeco.openblas.global.openblas.cblas_dsyrk;

import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.DoublePointer;
import org.transfusion.error.BadInputException;

/**
 * Centred second moments of a pair of activation matrices, the only pass over the data that the linear
 * methods need: CCA, SVCCA, PWCCA and linear CKA all work from these neurons x neurons matrices.
 *
 * <p>With Xc, Yc the column-centred data, {@code cxx = Xc^T Xc}, {@code cyy = Yc^T Yc}, {@code cxy = Xc^T Yc}
 * (not divided by n - 1; every measure here is invariant to that factor). They are computed by BLAS dsyrk on
 * the centred data, block by block (see {@link #stackedGram}); all matrices are column-major.
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
    /** The data, for the passes made only when a measure asks (the rows' norms). */
    private final Activations x;
    private final Activations y;
    /** Squared norm of each centred data point (row), for debiased CKA; computed on the first call. */
    private double[] rowNormsX;
    private double[] rowNormsY;

    private Lapack.SymmetricEigen eigenX;
    private Lapack.SymmetricEigen eigenY;

    private Moments(Activations x, Activations y) {
        checkPair(x, y);
        Lapack.load();
        n = x.points();
        p = x.neurons();
        q = y.neurons();
        labelX = x.label();
        labelY = y.label();
        this.x = x;
        this.y = y;
        // The stacked centred data [Xc Yc] gives all three blocks through dsyrk (a single product of twice the width
        // runs 20-30% faster than two dsyrk and a dgemm on tall data, measured at 50,000 x 256).
        int s = p + q;
        if ((long) s * s > Integer.MAX_VALUE - 8) {
            throw new BadInputException(labelX + " and " + labelY + " together have " + s
                    + " neurons, more than one covariance matrix can hold");
        }
        // the two sides' statistics (already taken for a file) are independent passes: Y's runs beside X's
        CompletableFuture<Activations.ColumnStatistics> statsY = CompletableFuture.supplyAsync(y::columnStatistics);
        Activations.ColumnStatistics sx = x.columnStatistics();
        Activations.ColumnStatistics sy = Lapack.joined(statsY);
        meanX = sx.mean();
        constantX = sx.constant();
        meanY = sy.mean();
        constantY = sy.constant();
        double[] stacked = stackedGram(s);
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
        x = m.y;
        y = m.x;
        synchronized (m) {
            rowNormsX = m.rowNormsY;
            rowNormsY = m.rowNormsX;
        }
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

    /** Squared norm of each centred row of X, for debiased CKA (one pass over X on the first call). */
    synchronized double[] rowNormsX() {
        if (rowNormsX == null) {
            rowNormsX = rowNorms(x, meanX);
        }
        return rowNormsX;
    }

    synchronized double[] rowNormsY() {
        if (rowNormsY == null) {
            rowNormsY = rowNorms(y, meanY);
        }
        return rowNormsY;
    }

    private static double[] rowNorms(Activations a, double[] mean) {
        int n = a.points();
        int p = a.neurons();
        int blockRows = a.blockRows();
        double[] buffer = new double[Math.min(n, blockRows) * p];
        double[] norms = new double[n];
        for (int r0 = 0; r0 < n; r0 += blockRows) {
            int r1 = Math.min(n, r0 + blockRows);
            Activations.RowBlock block = a.rows(r0, r1, buffer, 0);
            double[] v = block.values();
            for (int i = r0, at = block.offset(); i < r1; i++, at += p) {
                double norm = 0;
                for (int j = 0; j < p; j++) {
                    double c = v[at + j] - mean[j];
                    norm += c * c;
                }
                norms[i] = norm;
            }
        }
        return norms;
    }

    /** Most rows of the centred data held at once by one thread (bounded in bytes by {@link #BLOCK_VALUES}). */
    static final int BLOCK_ROWS = 4096;
    /** About 8 MB of doubles per block: centring writes it while it is in cache, and dsyrk reads it from there. */
    static final int BLOCK_VALUES = 1 << 20;
    /** Fewer rows per block make dsyrk's calls too short (it splits its own inner dimension at about 256). */
    static final int MIN_BLOCK_ROWS = 256;
    /**
     * The ranges' accumulators together stay within this many doubles (512 MB, held natively and again as the Java
     * copies summed): 4,096 neurons a side (s = 8,192) is then one range, and one s x s matrix is as much as before.
     */
    static final long ACCUMULATOR_VALUES = 1L << 26;

    /**
     * Xc^T Xc, Xc^T Yc, Yc^T Yc as the upper triangle of one (p + q) x (p + q) column-major matrix.
     *
     * <p>The rows are split into {@link #partitions} contiguous ranges, a number fixed by the data's shape and the
     * machine's core count (never by its load), so the result is the same on every run of a machine. Each range is
     * centred block by block into a small native buffer and accumulated by single-threaded dsyrk calls into its own
     * matrix; the ranges run on as many threads as there are idle cores ({@link Lapack#threadsFor}), and their
     * matrices are summed in range order. Compared with one multi-threaded dsyrk over a centred copy of all the data
     * this avoids writing and faulting in that copy (n x (p + q) doubles), and OpenBLAS's own threads scaled poorly
     * on tall data (50,000 x 512: 0.25 s on two threads, 0.33 s on one; two ranges on two threads: 0.17 s).
     */
    private double[] stackedGram(int s) {
        int k = partitions(n, s, Runtime.getRuntime().availableProcessors());
        double work = (double) n * s * s;
        int threads = Math.max(1, Math.min(k, Lapack.threadsFor(work)));
        // one range: OpenBLAS may use the idle cores itself; several: each call stays on its own thread
        Lapack.threadsForWork(k == 1 ? work : 0);
        double[][] parts = new double[k][];
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int part = next.getAndIncrement(); part < k; part = next.getAndIncrement()) {
                parts[part] = rangeGram(s, (int) ((long) n * part / k), (int) ((long) n * (part + 1) / k));
            }
        };
        List<CompletableFuture<Void>> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            helpers.add(CompletableFuture.runAsync(worker, runnable -> {
                Thread thread = new Thread(runnable, "similarity-moments-" + helpers.size());
                thread.setDaemon(true);
                thread.start();
            }));
        }
        worker.run();
        for (CompletableFuture<Void> helper : helpers) {
            Lapack.joined(helper);
        }
        double[] sum = parts[0];
        for (int part = 1; part < k; part++) {
            double[] add = parts[part];
            for (int j = 0; j < s; j++) {
                for (int i = j * s, end = i + j + 1; i < end; i++) {
                    sum[i] += add[i];
                }
            }
        }
        return sum;
    }

    /**
     * How many row ranges the Gram matrix is accumulated in: one per core, while each range keeps at least
     * max(s, {@link #MIN_BLOCK_ROWS}) rows and the ranges' s x s matrices fit in {@link #ACCUMULATOR_VALUES}.
     */
    static int partitions(int n, int s, int cores) {
        long byRows = n / Math.max(s, MIN_BLOCK_ROWS);
        long byMemory = ACCUMULATOR_VALUES / ((long) s * s);
        return (int) Math.max(1, Math.min(Math.min(byRows, byMemory), cores));
    }

    /** Rows per block for width s: about {@link #BLOCK_VALUES} values, within [{@link #MIN_BLOCK_ROWS}, {@link #BLOCK_ROWS}]. */
    static int blockRows(int s) {
        return Math.max(MIN_BLOCK_ROWS, Math.min(BLOCK_ROWS, BLOCK_VALUES / s));
    }

    /**
     * The upper triangle of [Xc Yc]^T [Xc Yc] over rows [from, to): each block of rows is copied into a native buffer
     * as stored (bulk copies), centred there by one BLAS rank-1 update (dger: minus the means times a row of ones,
     * exactly the subtraction x - mean per value), and accumulated by dsyrk.
     */
    private double[] rangeGram(int s, int from, int to) {
        int rows = Math.min(blockRows(s), to - from);
        double[] means = new double[s];
        System.arraycopy(meanX, 0, means, 0, p);
        System.arraycopy(meanY, 0, means, p, q);
        double[] ones = new double[rows];
        java.util.Arrays.fill(ones, 1.0);
        try (DoublePointer block = new DoublePointer((long) rows * s);
                DoublePointer out = new DoublePointer((long) s * s);
                DoublePointer mean = new DoublePointer(means);
                DoublePointer one = new DoublePointer(ones)) {
            DoubleBuffer buffer = block.asBuffer();
            for (int b0 = from; b0 < to; b0 += rows) {
                int b1 = Math.min(to, b0 + rows);
                // row i - b0 of the row-major block holds X's row then Y's: the column-major s x rows matrix with
                // leading dimension s that dsyrk takes
                x.copyRows(b0, b1, buffer, 0, s);
                y.copyRows(b0, b1, buffer, p, s);
                cblas_dger(CblasColMajor, s, b1 - b0, -1.0, mean, 1, one, 1, block, s);
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, s, b1 - b0, 1.0, block, s, b0 == from ? 0.0 : 1.0,
                        out, s);
            }
            double[] gram = new double[s * s];
            out.get(gram);
            return gram;
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
