package org.transfusion.similarity;

import java.nio.file.Path;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * Activations of one layer as a matrix: rows are data points, columns are neurons, values float64.
 *
 * <p>Immutable; every value is finite and the matrix is not empty. A label (the file name, or any name the
 * caller gives) appears in error messages. {@link #sourcePoints()} remembers how many data points there were
 * before subsampling, so that two subsampled matrices are only compared when their sources line up.
 *
 * <p>A whole 2-D float32 or float64 {@code .npy} file is not copied into memory: its values are read from the
 * memory-mapped file block by block by the computations that pass over the data ({@link #rows}), and copied whole
 * only for a computation that needs them all at once ({@link #values}). Reading 2 x 100 MB of activations into the
 * heap took about 0.13 s per file, most of it faulting in the new arrays' pages (issue 33).
 */
public final class Activations {

    /** The values, row-major; null while a file-backed matrix has not been copied ({@link #values}). */
    private double[] data;
    /** The 2-D file the values are read from, or null. */
    private final NpyArray file;
    private final int points;
    private final int neurons;
    private final String label;
    private final long sourcePoints;
    /** Column means and constant columns, once computed ({@link #columnStatistics}). */
    private ColumnStatistics statistics;

    private Activations(double[] data, int points, int neurons, String label, long sourcePoints) {
        this(data, null, points, neurons, label, sourcePoints);
    }

    private Activations(double[] data, NpyArray file, int points, int neurons, String label, long sourcePoints) {
        this.data = data;
        this.file = file;
        this.points = points;
        this.neurons = neurons;
        this.label = label;
        this.sourcePoints = sourcePoints;
    }

    /** Rows of the matrix, row-major, at {@code offset} of {@code values}. */
    record RowBlock(double[] values, int offset) {}

    /** Each column's mean, and whether it holds one value on every row (its minimum equals its maximum). */
    record ColumnStatistics(double[] mean, boolean[] constant) {}

    /** A matrix from rows of equal length (copied). */
    public static Activations of(double[][] rows) {
        if (rows.length == 0 || rows[0].length == 0) {
            throw new BadInputException("activations: empty matrix (need at least one data point and one neuron)");
        }
        int cols = rows[0].length;
        double[] data = new double[Math.multiplyExact(rows.length, cols)];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new BadInputException("activations: row " + i + " has " + rows[i].length
                        + " values, expected " + cols + " like row 0");
            }
            System.arraycopy(rows[i], 0, data, i * cols, cols);
        }
        return checked(data, rows.length, cols, "activations");
    }

    /** A matrix from row-major values (copied): entry (i, j) is {@code rowMajor[i * neurons + j]}. */
    public static Activations of(double[] rowMajor, int points, int neurons) {
        if (points <= 0 || neurons <= 0) {
            throw new BadInputException("activations: empty matrix (" + points + " x " + neurons
                    + "); need at least one data point and one neuron");
        }
        if ((long) points * neurons != rowMajor.length) {
            throw new BadInputException("activations: " + rowMajor.length + " values do not form a " + points
                    + " x " + neurons + " matrix");
        }
        return checked(rowMajor.clone(), points, neurons, "activations");
    }

    /**
     * Reads a 2-D {@code (points, neurons)} or 4-D {@code (N, C, H, W)} {@code .npy} file.
     *
     * @param maxPoints keep at most this many data points (rows after folding), chosen at random with
     *     {@code seed}; 0 or less keeps all
     */
    public static Activations fromNpy(Path path, ConvMode conv, int maxPoints, long seed) {
        return fromArray(Npy.read(path), conv, maxPoints, seed);
    }

    /** Same as {@link #fromNpy} for an array already opened; the label is the array's source. */
    public static Activations fromArray(NpyArray array, ConvMode conv, int maxPoints, long seed) {
        String src = array.source();
        long[] shape = array.shape();
        if (shape.length != 2 && shape.length != 4) {
            throw new BadInputException(src + ": expected a 2-D (points, neurons) or 4-D (N, C, H, W) array, got shape "
                    + NpyArray.shapeString(shape));
        }
        if (!array.isNumeric()) {
            throw new BadInputException(src + ": dtype " + array.descr() + " holds strings, expected numbers "
                    + "(activations)");
        }
        if (array.size() == 0) {
            throw new BadInputException(src + ": empty array of shape " + NpyArray.shapeString(shape)
                    + " (need at least one data point and one neuron)");
        }
        boolean pooled = shape.length == 4 && conv == ConvMode.POOL;
        long spatial = shape.length == 4 ? shape[2] * shape[3] : 1;
        long rows = shape.length == 2 ? shape[0] : pooled ? shape[0] : shape[0] * spatial;
        long cols = shape[1];
        long kept = maxPoints > 0 ? Math.min(rows, maxPoints) : rows;
        if (kept * cols > Integer.MAX_VALUE - 8) {
            throw new BadInputException(src + ": " + kept + " data points x " + cols
                    + " neurons is too large for one matrix; use a smaller max points");
        }
        long[] chosen = RowSampler.choose(rows, maxPoints, seed);
        int n = chosen.length;
        int p = (int) cols;
        if (shape.length == 2 && n == rows
                && (array.dtype() == NpyArray.Dtype.FLOAT64 || array.dtype() == NpyArray.Dtype.FLOAT32)) {
            Activations a = new Activations(null, array, n, p, src, rows);
            // one pass over the file checks every value and takes the statistics the linear measures need
            a.statistics = a.statisticsPass(true);
            return a;
        }
        double[] data = new double[n * p];
        if (shape.length == 2) {
            if (n == rows) {
                array.getDoubles(0, data, 0, n * p);
            } else {
                for (int r = 0; r < n; r++) {
                    array.getDoubles(chosen[r] * cols, data, r * p, p);
                }
            }
        } else {
            readImages(array, chosen, p, (int) spatial, pooled, data);
        }
        for (int k = 0; k < data.length; k++) {
            if (!Double.isFinite(data[k])) {
                throw notFinite(array, chosen[k / p], k % p, pooled, spatial, data[k]);
            }
        }
        return new Activations(data, n, p, src, rows);
    }

    /**
     * Column means and constant columns in one pass over the rows, block by block; with {@code checkFinite} (a
     * file-backed matrix, whose values no other pass has seen) a value that is not finite is the error
     * {@link #fromNpy} gives for it.
     */
    private ColumnStatistics statisticsPass(boolean checkFinite) {
        int n = points;
        int p = neurons;
        int blockRows = blockRows();
        double[] buffer = new double[Math.min(n, blockRows) * p];
        double[] mean = new double[p];
        double[] min = new double[p];
        double[] max = new double[p];
        RowBlock first = rows(0, 1, buffer, 0);
        System.arraycopy(first.values(), first.offset(), min, 0, p);
        System.arraycopy(first.values(), first.offset(), max, 0, p);
        for (int r0 = 0; r0 < n; r0 += blockRows) {
            int r1 = Math.min(n, r0 + blockRows);
            RowBlock block = rows(r0, r1, buffer, 0);
            double[] v = block.values();
            int start = block.offset();
            int end = start + (r1 - r0) * p;
            for (int row = start; row < end; row += p) {
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
        }
        if (checkFinite) {
            // a value that is not finite makes its column's sum NaN or infinite (no later value brings it back); a
            // sum can also overflow with finite values, which the search below then passes over
            for (int j = 0; j < p; j++) {
                if (!Double.isFinite(mean[j])) {
                    throwIfNotFinite(buffer);
                    break;
                }
            }
        }
        boolean[] constant = new boolean[p];
        for (int j = 0; j < p; j++) {
            mean[j] /= n;
            constant[j] = min[j] == max[j];
        }
        return new ColumnStatistics(mean, constant);
    }

    /** The error for the first value of the file that is not finite, if there is one (rows read into buffer). */
    private void throwIfNotFinite(double[] buffer) {
        int blockRows = buffer.length / neurons;
        for (int r0 = 0; r0 < points; r0 += blockRows) {
            int r1 = Math.min(points, r0 + blockRows);
            RowBlock block = rows(r0, r1, buffer, 0);
            for (int k = 0; k < (r1 - r0) * neurons; k++) {
                double v = block.values()[block.offset() + k];
                if (!Double.isFinite(v)) {
                    throw notFinite(file, r0 + k / neurons, k % neurons, false, 1, v);
                }
            }
        }
    }

    /**
     * Each column's mean and whether it is constant: taken while a file-backed matrix was checked, else in one
     * pass on the first call. The arrays are shared; never modified.
     */
    ColumnStatistics columnStatistics() {
        synchronized (this) {
            if (statistics != null) {
                return statistics;
            }
        }
        ColumnStatistics computed = statisticsPass(false);
        synchronized (this) {
            if (statistics == null) {
                statistics = computed;
            }
            return statistics;
        }
    }

    /** Values per block when a file-backed matrix is read in blocks (512 KB). */
    private static final int FILE_BLOCK_VALUES = 1 << 16;

    /**
     * 4-D (N, C, H, W): each image that holds a chosen row is copied once in bulk (rows ascend, so images come
     * in order), then its values are moved to rows (image, position) x C, or averaged over space when pooled.
     */
    private static void readImages(NpyArray array, long[] chosen, int channels, int spatial, boolean pooled,
            double[] data) {
        double[] image = new double[Math.multiplyExact(channels, spatial)];
        long loaded = -1;
        for (int r = 0; r < chosen.length; r++) {
            long index = pooled ? chosen[r] : chosen[r] / spatial;
            if (index != loaded) {
                array.getDoubles(index * image.length, image, 0, image.length);
                loaded = index;
            }
            int at = r * channels;
            if (pooled) {
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    for (int s = 0; s < spatial; s++) {
                        sum += image[c * spatial + s];
                    }
                    data[at + c] = sum / spatial;
                }
            } else {
                int position = (int) (chosen[r] % spatial);
                for (int c = 0; c < channels; c++) {
                    data[at + c] = image[c * spatial + position];
                }
            }
        }
    }

    /** The error for a value that is not finite: the first such element of the file behind row, column. */
    private static BadInputException notFinite(NpyArray array, long row, int column, boolean pooled, long spatial,
            double value) {
        long[] shape = array.shape();
        long cols = shape[1];
        long first;
        long count;
        if (shape.length == 2) {
            first = row * cols + column;
            count = 1;
        } else if (pooled) {
            first = (row * cols + column) * spatial;
            count = spatial;
        } else {
            first = (row / spatial * cols + column) * spatial + row % spatial;
            count = 1;
        }
        for (long i = first; i < first + count; i++) {
            double v = array.getDouble(i);
            if (!Double.isFinite(v)) {
                return new BadInputException(array.source() + ": element " + indexString(shape, i) + " is " + v
                        + "; activations must be finite");
            }
        }
        return new BadInputException(array.source() + ": the mean over space of channel " + column + " at image "
                + row + " is " + value + " (values too large); activations must be finite");
    }

    private static String indexString(long[] shape, long flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return NpyArray.shapeString(idx);
    }

    private static Activations checked(double[] data, int points, int neurons, String label) {
        for (int i = 0; i < data.length; i++) {
            if (!Double.isFinite(data[i])) {
                throw new BadInputException(label + ": value at data point " + i / neurons + ", neuron " + i % neurons
                        + " is " + data[i] + "; activations must be finite");
            }
        }
        return new Activations(data, points, neurons, label, points);
    }

    /** The same matrix under another name (used in error messages and reports). */
    public Activations named(String newLabel) {
        Activations renamed = new Activations(inMemory(), file, points, neurons, newLabel, sourcePoints);
        synchronized (this) {
            renamed.statistics = statistics;
        }
        return renamed;
    }

    /** At most {@code maxPoints} rows chosen at random with {@code seed} (see {@link #fromNpy}). */
    public Activations subsample(int maxPoints, long seed) {
        if (maxPoints <= 0 || points <= maxPoints) {
            return this;
        }
        long[] chosen = RowSampler.choose(points, maxPoints, seed);
        double[] out = new double[chosen.length * neurons];
        for (int r = 0; r < chosen.length; r++) {
            RowBlock row = rows((int) chosen[r], (int) chosen[r] + 1, out, r * neurons);
            if (row.values() != out) {
                System.arraycopy(row.values(), row.offset(), out, r * neurons, neurons);
            }
        }
        return new Activations(out, chosen.length, neurons, label, sourcePoints);
    }

    /** Rows per block that {@link #rows} reads from a file for the passes over the data (about 512 KB). */
    int blockRows() {
        return Math.max(1, FILE_BLOCK_VALUES / neurons);
    }

    /**
     * Rows [from, to), row-major: the values themselves at offset {@code from * neurons} when they are in memory, or
     * else copied from the file into {@code buffer} at {@code at}. Never modified by the caller.
     */
    RowBlock rows(int from, int to, double[] buffer, int at) {
        double[] inMemory = inMemory();
        if (inMemory != null) {
            return new RowBlock(inMemory, from * neurons);
        }
        file.getDoubles((long) from * neurons, buffer, at, (to - from) * neurons);
        return new RowBlock(buffer, at);
    }

    /**
     * Rows [from, to), row-major, into {@code out} at {@code at}, each row's {@link #neurons} values placed
     * {@code stride} apart (stride = neurons: contiguous). From a file-backed matrix a contiguous copy goes from the
     * mapped file to the buffer in bulk.
     */
    void copyRows(int from, int to, java.nio.DoubleBuffer out, int at, int stride) {
        double[] inMemory = inMemory();
        if (inMemory == null && stride == neurons) {
            file.getDoubles((long) from * neurons, out, at, (to - from) * neurons);
            return;
        }
        if (inMemory == null) {
            for (int i = from; i < to; i++) {
                file.getDoubles((long) i * neurons, out, at + (i - from) * stride, neurons);
            }
            return;
        }
        for (int i = from; i < to; i++) {
            out.put(at + (i - from) * stride, inMemory, i * neurons, neurons);
        }
    }

    private synchronized double[] inMemory() {
        return data;
    }

    public int points() {
        return points;
    }

    public int neurons() {
        return neurons;
    }

    public String label() {
        return label;
    }

    /** Number of data points before any subsampling. */
    public long sourcePoints() {
        return sourcePoints;
    }

    public double get(int point, int neuron) {
        double[] inMemory = inMemory();
        return inMemory != null ? inMemory[point * neurons + neuron] : file.getDouble((long) point * neurons + neuron);
    }

    /** A copy of the values, row-major. */
    public double[] toRowMajor() {
        return values().clone();
    }

    /**
     * The values without a copy, for the computations in this package that need them all at once; never modified. A
     * file-backed matrix is read into memory on the first call.
     */
    synchronized double[] values() {
        if (data == null) {
            double[] all = new double[points * neurons];
            file.getDoubles(0, all, 0, all.length);
            data = all;
        }
        return data;
    }

    @Override
    public String toString() {
        return label + " (" + points + " points x " + neurons + " neurons)";
    }
}
