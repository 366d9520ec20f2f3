package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MedianTest {

    /** Median of the full symmetric matrix by sorting all n^2 entries, as numpy.median does. */
    private static double bruteForce(double[] upper, int n) {
        double[] all = new double[n * n];
        int u = 0;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < j; i++) {
                all[i * n + j] = upper[u];
                all[j * n + i] = upper[u++];
            }
        }
        Arrays.sort(all);
        int c = all.length;
        return c % 2 == 1 ? all[c / 2] : (all[c / 2 - 1] + all[c / 2]) / 2;
    }

    @Test
    void matchesSortingTheWholeMatrix() {
        Random r = new Random(3);
        for (int n : new int[] {2, 3, 4, 7, 50, 51}) {
            for (int trial = 0; trial < 20; trial++) {
                double[] upper = new double[n * (n - 1) / 2];
                for (int i = 0; i < upper.length; i++) {
                    // many ties and zeros, as with duplicated data points
                    upper[i] = trial % 2 == 0 ? r.nextInt(4) : r.nextDouble();
                }
                double expected = bruteForce(upper, n);
                assertThat(Median.ofSymmetricWithZeroDiagonal(upper.clone(), n)).as("n=%d trial=%d", n, trial)
                        .isEqualTo(expected);
            }
        }
    }
}
