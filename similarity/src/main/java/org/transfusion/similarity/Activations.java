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
 */
public final class Activations {

    private final double[] data;
    private final int points;
    private final int neurons;
    private final String label;
    private final long sourcePoints;

    private Activations(double[] data, int points, int neurons, String label, long sourcePoints) {
        this.data = data;
        this.points = points;
        this.neurons = neurons;
        this.label = label;
        this.sourcePoints = sourcePoints;
    }

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
        double[] data = new double[n * p];
        for (int r = 0; r < n; r++) {
            long row = chosen[r];
            for (int c = 0; c < p; c++) {
                double v;
                if (shape.length == 2) {
                    v = read(array, row * cols + c);
                } else if (pooled) {
                    long base = (row * cols + c) * spatial;
                    double sum = 0;
                    for (long s = 0; s < spatial; s++) {
                        sum += read(array, base + s);
                    }
                    v = sum / spatial;
                } else {
                    long image = row / spatial;
                    long position = row % spatial;
                    v = read(array, (image * cols + c) * spatial + position);
                }
                data[r * p + c] = v;
            }
        }
        return new Activations(data, n, p, src, rows);
    }

    private static double read(NpyArray array, long index) {
        double v = array.getDouble(index);
        if (!Double.isFinite(v)) {
            throw new BadInputException(array.source() + ": element " + indexString(array.shape(), index) + " is " + v
                    + "; activations must be finite");
        }
        return v;
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
        return new Activations(data, points, neurons, newLabel, sourcePoints);
    }

    /** At most {@code maxPoints} rows chosen at random with {@code seed} (see {@link #fromNpy}). */
    public Activations subsample(int maxPoints, long seed) {
        if (maxPoints <= 0 || points <= maxPoints) {
            return this;
        }
        long[] chosen = RowSampler.choose(points, maxPoints, seed);
        double[] out = new double[chosen.length * neurons];
        for (int r = 0; r < chosen.length; r++) {
            System.arraycopy(data, (int) chosen[r] * neurons, out, r * neurons, neurons);
        }
        return new Activations(out, chosen.length, neurons, label, sourcePoints);
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
        return data[point * neurons + neuron];
    }

    /** A copy of the values, row-major. */
    public double[] toRowMajor() {
        return data.clone();
    }

    /** The values without a copy, for the computations in this package; never modified. */
    double[] values() {
        return data;
    }

    @Override
    public String toString() {
        return label + " (" + points + " points x " + neurons + " neurons)";
    }
}
