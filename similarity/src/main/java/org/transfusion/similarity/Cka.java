package org.transfusion.similarity;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.CblasUpper;
import static org.bytedeco.openblas.global.openblas.cblas_dsyrk;

import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.transfusion.error.BadInputException;

/**
 * Centered kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019), with the formulas of the authors' demo
 * notebook (google-research {@code representation_similarity/Demo.ipynb}).
 *
 * <p>Linear CKA uses the feature-space form {@code ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F)}: the cost
 * is one pass over the data plus neurons x neurons matrices, so it scales to 50,000 points and more. The
 * debiased variant replaces each HSIC by the unbiased estimator of Song et al. (2007) (still computed in
 * feature space).
 *
 * <p>RBF CKA needs the n x n kernel matrices; the bandwidth is {@code sigmaFraction} times the median
 * pairwise distance (as the demo: the square root of the median of all n^2 squared distances, diagonal
 * included). Beyond {@code maxPoints} data points (default {@value #DEFAULT_RBF_MAX_POINTS}; memory about
 * 24 n^2 bytes, 0.6 GB at 5,000) it runs on a random subset of rows chosen with the seed, the same rows for
 * both sides.
 */
public final class Cka {

    public static final double DEFAULT_SIGMA_FRACTION = 0.5;
    public static final int DEFAULT_RBF_MAX_POINTS = 5000;
    /** An n x n kernel must fit one Java buffer (n^2 < 2^31). */
    public static final int MAX_RBF_POINTS = 46_000;

    private Cka() {}

    public static double linear(Activations x, Activations y) {
        return linear(Moments.of(x, y), false);
    }

    public static double linearDebiased(Activations x, Activations y) {
        return linear(Moments.of(x, y), true);
    }

    static double linear(Moments m, boolean debiased) {
        double xy = squaredNorm(m.cxy);
        double xx = squaredNorm(m.cxx);
        double yy = squaredNorm(m.cyy);
        requireVariance(xx, m.labelX);
        requireVariance(yy, m.labelY);
        if (!debiased) {
            return xy / Math.sqrt(xx * yy);
        }
        requireDebiasablePoints(m.n);
        double[] rx = m.rowNormsX();
        double[] ry = m.rowNormsY();
        double sx = sum(rx);
        double sy = sum(ry);
        double hxy = debiasedDot(xy, rx, ry, sx, sy, m.n);
        double hxx = debiasedDot(xx, rx, rx, sx, sx, m.n);
        double hyy = debiasedDot(yy, ry, ry, sy, sy, m.n);
        requireDebiasedPositive(hxx, m.labelX);
        requireDebiasedPositive(hyy, m.labelY);
        return hxy / Math.sqrt(hxx * hyy);
    }

    /**
     * Unbiased HSIC (times n(n-3)) of two linear kernels from feature-space quantities: {@code xty} is the
     * squared Frobenius norm of the cross product, {@code rx}, {@code ry} the squared norms of the centred rows.
     */
    private static double debiasedDot(double xty, double[] rx, double[] ry, double sx, double sy, int n) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
            dot += rx[i] * ry[i];
        }
        return xty - n / (n - 2.0) * dot + sx * sy / ((n - 1.0) * (n - 2.0));
    }

    public static double rbf(Activations x, Activations y, double sigmaFraction) {
        return rbf(x, y, sigmaFraction, false, DEFAULT_RBF_MAX_POINTS, 0L);
    }

    /**
     * RBF CKA on at most {@code maxPoints} data points (a subset chosen with {@code seed} if there are more).
     */
    public static double rbf(Activations x, Activations y, double sigmaFraction, boolean debiased, int maxPoints, long seed) {
        checkSigmaFraction(sigmaFraction);
        checkRbfMaxPoints(maxPoints);
        Moments.checkPair(x, y);
        Activations xs = x.subsample(maxPoints, seed);
        Activations ys = y.subsample(maxPoints, seed);
        int n = xs.points();
        if (debiased) {
            requireDebiasablePoints(n);
        }
        Lapack.load();
        try (DoublePointer kx = new DoublePointer((long) n * n); DoublePointer ky = new DoublePointer((long) n * n)) {
            DoubleBuffer gx = centredKernel(xs, sigmaFraction, debiased, kx);
            DoubleBuffer gy = centredKernel(ys, sigmaFraction, debiased, ky);
            double xy = 0;
            double xx = 0;
            double yy = 0;
            int size = n * n;
            for (int i = 0; i < size; i++) {
                double a = gx.get(i);
                double b = gy.get(i);
                xy += a * b;
                xx += a * a;
                yy += b * b;
            }
            requireVariance(xx, x.label());
            requireVariance(yy, y.label());
            return xy / Math.sqrt(xx * yy);
        }
    }

    static void checkRbfMaxPoints(int maxPoints) {
        if (maxPoints < 2 || maxPoints > MAX_RBF_POINTS) {
            throw new BadInputException("rbf-max-points: expected 2 to " + MAX_RBF_POINTS + ", got " + maxPoints);
        }
    }

    static void checkSigmaFraction(double sigmaFraction) {
        if (!(sigmaFraction > 0) || Double.isInfinite(sigmaFraction)) {
            throw new BadInputException("sigma-fraction: expected a positive number, got " + sigmaFraction);
        }
    }

    /** The centred RBF kernel matrix of a's rows, full n x n, written into out. */
    private static DoubleBuffer centredKernel(Activations a, double sigmaFraction, boolean debiased, DoublePointer out) {
        int n = a.points();
        int p = a.neurons();
        double[] mean = new double[p];
        double[] v = a.values();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                mean[j] += v[i * p + j];
            }
        }
        for (int j = 0; j < p; j++) {
            mean[j] /= n;
        }
        DoubleBuffer k = out.asBuffer();
        // Dot products of centred rows (distances do not change; centring avoids cancellation).
        try (DoublePointer centred = new DoublePointer((long) n * p)) {
            DoubleBuffer c = centred.asBuffer();
            for (int i = 0; i < n * p; i++) {
                c.put(i, v[i] - mean[i % p]);
            }
            Lapack.threadsForWork((double) n * n * p);
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, n, p, 1.0, centred, p, 0.0, out, n);
        }
        double[] sqNorm = new double[n];
        for (int i = 0; i < n; i++) {
            sqNorm[i] = k.get(i + i * n);
        }
        double[] upper = new double[n * (n - 1) / 2];
        int u = 0;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < j; i++) {
                double d = Math.max(0, sqNorm[i] + sqNorm[j] - 2 * k.get(i + j * n));
                k.put(i + j * n, d);
                upper[u++] = d;
            }
        }
        double median = Median.ofSymmetricWithZeroDiagonal(upper, n);
        if (!(median > 0)) {
            throw new BadInputException(a.label() + ": median pairwise distance is 0 (more than half of the pairs of data "
                    + "points are identical), so the RBF bandwidth is undefined");
        }
        double scale = -1 / (2 * sigmaFraction * sigmaFraction * median);
        for (int j = 0; j < n; j++) {
            k.put(j + j * n, 1.0);
            for (int i = 0; i < j; i++) {
                double e = Math.exp(k.get(i + j * n) * scale);
                k.put(i + j * n, e);
                k.put(j + i * n, e);
            }
        }
        centre(k, n, debiased);
        return k;
    }

    /** Double centring H K H; the debiased form is the U-statistic centring of the demo (zero diagonal). */
    private static void centre(DoubleBuffer k, int n, boolean debiased) {
        if (debiased) {
            for (int i = 0; i < n; i++) {
                k.put(i + i * n, 0.0);
            }
        }
        double[] means = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += k.get(i + j * n);
            }
            means[j] = debiased ? s / (n - 2.0) : s / n;
        }
        double grand = sum(means);
        double shift = debiased ? grand / (2.0 * (n - 1)) : grand / n / 2;
        for (int j = 0; j < n; j++) {
            means[j] -= shift;
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                k.put(i + j * n, k.get(i + j * n) - means[i] - means[j]);
            }
        }
        if (debiased) {
            for (int i = 0; i < n; i++) {
                k.put(i + i * n, 0.0);
            }
        }
    }

    private static double squaredNorm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return s;
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }

    private static void requireVariance(double squaredNorm, String label) {
        if (!(squaredNorm > 0)) {
            throw new BadInputException(label + ": every neuron is constant over the data points; CKA is undefined "
                    + "without variance");
        }
    }

    private static void requireDebiasablePoints(int n) {
        if (n < 4) {
            throw new BadInputException("debiased CKA needs at least 4 data points, got " + n);
        }
    }

    private static void requireDebiasedPositive(double h, String label) {
        if (!(h > 0)) {
            throw new BadInputException(label + ": the debiased self-similarity is not positive (too few data points "
                    + "for the unbiased estimator); use more data points or the biased CKA");
        }
    }
}
