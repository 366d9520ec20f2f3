package org.transfusion.similarity;

/**
 * Deterministic test matrices that a short numpy script can regenerate bit for bit, so that expected values
 * computed by re-implementations of the reference code apply to exactly these inputs.
 *
 * <p>{@code uniform(seed, k)}: the splitmix64 finaliser of {@code seed * 0x9E3779B97F4A7C15 + k} (64-bit
 * wrap-around), top 53 bits times 2^-53. {@code gauss(seed, k)}: the sum of {@code uniform(seed, 4k + i)} for
 * i = 0..3, in that order, minus 2 (mean 0, variance 1/3). {@code grid(seed, r, c)[i][j] = gauss(seed, i*c + j)}.
 * Every step is an exact or correctly rounded IEEE operation done in the same order in numpy.
 */
final class Fixtures {

    private Fixtures() {}

    static double uniform(long seed, long k) {
        long z = seed * 0x9E3779B97F4A7C15L + k;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    static double gauss(long seed, long k) {
        return uniform(seed, 4 * k) + uniform(seed, 4 * k + 1) + uniform(seed, 4 * k + 2) + uniform(seed, 4 * k + 3) - 2.0;
    }

    static double[][] grid(long seed, int rows, int cols) {
        double[][] g = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                g[i][j] = gauss(seed, (long) i * cols + j);
            }
        }
        return g;
    }

    /**
     * Two views of k shared latent factors: {@code X = Z A + 0.5 NX + (1 + 0.25 (j mod 7))} and
     * {@code Y = Z B + 0.5 NY + (-0.5 + 0.125 (j mod 5))}, with Z = grid(seed, n, k), A = grid(seed+1, k, p),
     * B = grid(seed+2, k, q), NX = grid(seed+3, n, p), NY = grid(seed+4, n, q); the sum over latents runs in
     * order l = 0..k-1 starting from 0; the result is rounded to float32. Returns {X, Y} as row arrays.
     */
    static double[][][] correlated(int n, int p, int q, int k, long seed) {
        double[][] z = grid(seed, n, k);
        double[][] a = grid(seed + 1, k, p);
        double[][] b = grid(seed + 2, k, q);
        double[][] nx = grid(seed + 3, n, p);
        double[][] ny = grid(seed + 4, n, q);
        double[][] x = new double[n][p];
        double[][] y = new double[n][q];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s = s + z[i][l] * a[l][j];
                }
                x[i][j] = (float) (s + 0.5 * nx[i][j] + (1.0 + 0.25 * (j % 7)));
            }
            for (int j = 0; j < q; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s = s + z[i][l] * b[l][j];
                }
                y[i][j] = (float) (s + 0.5 * ny[i][j] + (-0.5 + 0.125 * (j % 5)));
            }
        }
        return new double[][][] {x, y};
    }

    static Activations[] correlatedPair(int n, int p, int q, int k, long seed) {
        double[][][] xy = correlated(n, p, q, k, seed);
        return new Activations[] {Activations.of(xy[0]).named("X"), Activations.of(xy[1]).named("Y")};
    }
}
