package org.transfusion.engine.init;

import java.util.SplittableRandom;
import org.transfusion.engine.model.HostTensor;

/**
 * The {@code covariance} scheme's draw: each of the n output filters (flattened over input channel x kernel
 * position, p values) drawn from the normal with the pretrained filters' mean mu and population covariance
 * {@code S = C^T C / n}, C the n x p matrix of centred filters.
 *
 * <p>A filter is drawn as {@code mu + C^T z / sqrt(n)}, z standard normal in R^n: its covariance is
 * {@code C^T C / n = S} exactly, whatever the rank of S. Where p exceeds n - 1 (most 1 x 1 and 3 x 3 convs of a
 * wide network, the covariance being rank deficient), N(mu, S) lives on the affine span of the pretrained filters,
 * and so do these draws: no shrinkage or jitter is added, which would put variance in directions no pretrained
 * filter has. Each draw mixes all n filters with independent N(0, 1/n) weights, so none is a copy (the test
 * compares their nearest-filter cosines with independent draws'). Cost n^2 p per tensor. A 1-D tensor (a bias) or
 * a single filter has no covariance to keep: drawn tensor-wise, as Mean Var does.
 */
final class FilterCovariance {
    private FilterCovariance() {}

    static Redraw.Drawn draw(HostTensor src, SplittableRandom rng) {
        long[] shape = src.shape();
        if (shape.length < 2 || shape[0] < 2) {
            return new Redraw.Drawn(MeanVar.sampleLike(src, rng),
                    shape.length < 2 ? "meanvar (1-D)" : "meanvar (one filter)");
        }
        int n = (int) shape[0];
        float[] x = src.values();
        int p = x.length / n;
        double[] mu = new double[p];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < p; q++) {
                mu[q] += x[i * p + q];
            }
        }
        for (int q = 0; q < p; q++) {
            mu[q] /= n;
        }
        double scale = 1 / Math.sqrt(n);
        double[][] centred = new double[n][p];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < p; q++) {
                centred[i][q] = (x[i * p + q] - mu[q]) * scale;
            }
        }
        HostTensor t = HostTensor.zeros(shape);
        float[] out = t.values();
        double[] w = new double[p];
        for (int j = 0; j < n; j++) {
            System.arraycopy(mu, 0, w, 0, p);
            for (int i = 0; i < n; i++) {
                double z = rng.nextGaussian();
                double[] row = centred[i];
                for (int q = 0; q < p; q++) {
                    w[q] += z * row[q];
                }
            }
            for (int q = 0; q < p; q++) {
                out[j * p + q] = (float) w[q];
            }
        }
        return new Redraw.Drawn(t, p > n - 1 ? "filters' span (p > n - 1)" : "full covariance (p <= n - 1)");
    }
}
