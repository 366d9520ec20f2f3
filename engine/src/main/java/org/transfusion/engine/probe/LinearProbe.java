package org.transfusion.engine.probe;

import java.util.Arrays;
import org.transfusion.error.BadInputException;

/**
 * A linear read-out of a layer: multinomial logistic regression on standardised features, fitted by Nesterov's
 * accelerated gradient with step 1/L (L bounds the loss's curvature). It asks whether a layer still holds a task
 * linearly, as in the forgetting measurement; plain Java, so a fit is reproducible bit for bit.
 *
 * <p>The objective is the mean cross-entropy plus {@code l2 / 2 * ||W||^2} (the bias is not penalised), which is
 * scikit-learn's {@code LogisticRegression(C=1 / (l2 * n))} on the same standardised features. Each feature is
 * centred and scaled by its standard deviation on the training rows (a constant feature is left at 0).
 */
public final class LinearProbe {
    private final double[] mean;
    private final double[] scale;
    private final double[][] weights; // classes x features
    private final double[] bias;

    private LinearProbe(double[] mean, double[] scale, double[][] weights, double[] bias) {
        this.mean = mean;
        this.scale = scale;
        this.weights = weights;
        this.bias = bias;
    }

    /**
     * @param x       rows of features (n x d)
     * @param y       class of each row, in [0, classes)
     * @param l2      L2 penalty on the weights (positive: the problem is then strongly convex)
     * @param maxIter iterations at most; the fit stops earlier once the gradient's largest entry is below 1e-6
     */
    public static LinearProbe fit(double[][] x, int[] y, int classes, double l2, int maxIter) {
        if (x.length == 0 || x.length != y.length) {
            throw new BadInputException("a linear probe needs rows with one label each, got " + x.length + " rows and "
                    + y.length + " labels");
        }
        if (!(l2 > 0)) {
            throw new BadInputException("the probe's L2 penalty must be positive, got " + l2);
        }
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = scale[j] > 1e-24 ? 1 / Math.sqrt(scale[j]) : 0;
        }
        double[][] z = new double[n][];
        for (int i = 0; i < n; i++) {
            z[i] = standardise(x[i], mean, scale);
            if (y[i] < 0 || y[i] >= classes) {
                throw new BadInputException("label " + y[i] + " of row " + i + " is not a class in [0, " + classes + ")");
            }
        }
        // Softmax cross-entropy has Hessian <= 1/2 * (z,1)^T (z,1) / n per class block; its top eigenvalue bounds L.
        double step = 1 / (0.5 * topEigenvalue(z) + l2);
        int p = d + 1;
        double[][] w = new double[classes][p]; // last column: the bias
        double[][] look = new double[classes][p];
        double[][] grad = new double[classes][p];
        double t = 1;
        for (int it = 0; it < maxIter; it++) {
            gradient(z, y, look, l2, grad);
            double largest = 0;
            for (double[] g : grad) {
                for (double v : g) {
                    largest = Math.max(largest, Math.abs(v));
                }
            }
            if (largest < 1e-6) {
                w = look;
                break;
            }
            double tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
            double momentum = (t - 1) / tNext;
            for (int k = 0; k < classes; k++) {
                for (int j = 0; j < p; j++) {
                    double next = look[k][j] - step * grad[k][j];
                    double lookNext = next + momentum * (next - w[k][j]);
                    w[k][j] = next;
                    look[k][j] = lookNext;
                }
            }
            t = tNext;
        }
        double[][] weights = new double[classes][];
        double[] bias = new double[classes];
        for (int k = 0; k < classes; k++) {
            weights[k] = Arrays.copyOf(w[k], d);
            bias[k] = w[k][d];
        }
        return new LinearProbe(mean, scale, weights, bias);
    }

    /** The predicted class of each row (the first of tied scores). */
    public int[] predict(double[][] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] z = standardise(x[i], mean, scale);
            double best = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < weights.length; k++) {
                double s = bias[k];
                for (int j = 0; j < z.length; j++) {
                    s += weights[k][j] * z[j];
                }
                if (s > best) {
                    best = s;
                    out[i] = k;
                }
            }
        }
        return out;
    }

    /** The fraction of rows predicted as their label. */
    public double accuracy(double[][] x, int[] y) {
        return LinearProbe.accuracy(predict(x), y);
    }

    /** The fraction of {@code predicted} equal to {@code labels}; NaN for none. */
    public static double accuracy(int[] predicted, int[] labels) {
        if (predicted.length == 0) {
            return Double.NaN;
        }
        int right = 0;
        for (int i = 0; i < predicted.length; i++) {
            right += predicted[i] == labels[i] ? 1 : 0;
        }
        return (double) right / predicted.length;
    }

    private static double[] standardise(double[] row, double[] mean, double[] scale) {
        double[] z = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            z[j] = (row[j] - mean[j]) * scale[j];
        }
        return z;
    }

    /** The gradient of the objective at {@code w} (bias in the last column) into {@code grad}. */
    private static void gradient(double[][] z, int[] y, double[][] w, double l2, double[][] grad) {
        int n = z.length;
        int classes = w.length;
        int d = z[0].length;
        for (double[] g : grad) {
            Arrays.fill(g, 0);
        }
        double[] s = new double[classes];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double v = w[k][d];
                for (int j = 0; j < d; j++) {
                    v += w[k][j] * z[i][j];
                }
                s[k] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                s[k] = Math.exp(s[k] - max);
                sum += s[k];
            }
            for (int k = 0; k < classes; k++) {
                double r = (s[k] / sum - (y[i] == k ? 1 : 0)) / n;
                if (r == 0) {
                    continue;
                }
                double[] g = grad[k];
                for (int j = 0; j < d; j++) {
                    g[j] += r * z[i][j];
                }
                g[d] += r;
            }
        }
        for (int k = 0; k < classes; k++) {
            for (int j = 0; j < d; j++) {
                grad[k][j] += l2 * w[k][j];
            }
        }
    }

    /** The largest eigenvalue of (z, 1)^T (z, 1) / n, by power iteration (20% added: power iteration approaches it from below, and a step past 2/L diverges). */
    private static double topEigenvalue(double[][] z) {
        int n = z.length;
        int p = z[0].length + 1;
        double[] v = new double[p];
        Arrays.fill(v, 1 / Math.sqrt(p));
        double lambda = 1;
        for (int it = 0; it < 50; it++) {
            double[] next = new double[p];
            for (double[] row : z) {
                double dot = v[p - 1];
                for (int j = 0; j < p - 1; j++) {
                    dot += row[j] * v[j];
                }
                for (int j = 0; j < p - 1; j++) {
                    next[j] += dot * row[j] / n;
                }
                next[p - 1] += dot / n;
            }
            double norm = 0;
            for (double x : next) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return 1;
            }
            lambda = norm;
            for (int j = 0; j < p; j++) {
                v[j] = next[j] / norm;
            }
        }
        return lambda * 1.2;
    }
}
