package org.transfusion.engine.weights;

/**
 * A linear probe: ridge least squares onto one-hot targets, features standardised with the training mean and
 * standard deviation (constant features, e.g. dead channels, are left at zero). Closed form through a Cholesky
 * factorisation of {@code X^T X + lambda I}; prediction is the arg-max of the scores.
 */
final class RidgeClassifier {
    private final double[] mean;
    private final double[] scale;
    private final double[][] w; // d x k
    private final double[] bias; // k

    private RidgeClassifier(double[] mean, double[] scale, double[][] w, double[] bias) {
        this.mean = mean;
        this.scale = scale;
        this.w = w;
        this.bias = bias;
    }

    static RidgeClassifier fit(double[][] x, int[] y, int classes, double lambda) {
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
            scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
        }
        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mean[j]) * scale[j];
            }
        }
        // Centred targets: the intercept is then the class frequency.
        double[] bias = new double[classes];
        for (int label : y) {
            bias[label] += 1.0 / n;
        }
        double[][] a = new double[d][d];
        double[][] b = new double[d][classes];
        for (int i = 0; i < n; i++) {
            double[] zi = z[i];
            for (int p = 0; p < d; p++) {
                double v = zi[p];
                if (v == 0) {
                    continue;
                }
                double[] ap = a[p];
                for (int q = 0; q <= p; q++) {
                    ap[q] += v * zi[q];
                }
                for (int c = 0; c < classes; c++) {
                    b[p][c] += v * ((y[i] == c ? 1 : 0) - bias[c]);
                }
            }
        }
        for (int p = 0; p < d; p++) {
            a[p][p] += lambda;
            for (int q = 0; q < p; q++) {
                a[q][p] = a[p][q];
            }
        }
        return new RidgeClassifier(mean, scale, solveSpd(a, b), bias);
    }

    int predict(double[] x) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < bias.length; c++) {
            double s = bias[c];
            for (int j = 0; j < x.length; j++) {
                s += (x[j] - mean[j]) * scale[j] * w[j][c];
            }
            if (s > bestScore) {
                bestScore = s;
                best = c;
            }
        }
        return best;
    }

    /** Solves A X = B for symmetric positive definite A (Cholesky, A = L L^T; A is overwritten). */
    private static double[][] solveSpd(double[][] a, double[][] b) {
        int d = a.length;
        for (int j = 0; j < d; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) {
                s -= a[j][k] * a[j][k];
            }
            a[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = a[i][j];
                for (int k = 0; k < j; k++) {
                    t -= a[i][k] * a[j][k];
                }
                a[i][j] = t / a[j][j];
            }
        }
        int k = b[0].length;
        double[][] x = new double[d][k];
        for (int c = 0; c < k; c++) {
            double[] yv = new double[d];
            for (int i = 0; i < d; i++) {
                double t = b[i][c];
                for (int j = 0; j < i; j++) {
                    t -= a[i][j] * yv[j];
                }
                yv[i] = t / a[i][i];
            }
            for (int i = d - 1; i >= 0; i--) {
                double t = yv[i];
                for (int j = i + 1; j < d; j++) {
                    t -= a[j][i] * x[j][c];
                }
                x[i][c] = t / a[i][i];
            }
        }
        return x;
    }
}
