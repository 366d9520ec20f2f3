package org.transfusion.similarity;

/** Medians without sorting everything (expected linear time). */
final class Median {

    private Median() {}

    /**
     * The median (numpy's: mean of the two middle values for an even count) of all n x n entries of a
     * symmetric matrix with a zero diagonal and non-negative entries, given its strict upper triangle.
     * Reorders {@code upper}.
     */
    static double ofSymmetricWithZeroDiagonal(double[] upper, int n) {
        long count = (long) n * n;
        // Move the zeros to the front; the full matrix holds n + 2 * zeros zeros and every positive twice.
        int zeros = 0;
        for (int i = 0; i < upper.length; i++) {
            if (upper[i] == 0) {
                upper[i] = upper[zeros];
                upper[zeros++] = 0;
            }
        }
        long zeroCount = n + 2L * zeros;
        if (count % 2 == 1) {
            return element(upper, zeros, zeroCount, count / 2);
        }
        return (element(upper, zeros, zeroCount, count / 2 - 1) + element(upper, zeros, zeroCount, count / 2)) / 2;
    }

    private static double element(double[] upper, int zeros, long zeroCount, long rank) {
        if (rank < zeroCount) {
            return 0;
        }
        int k = (int) ((rank - zeroCount) / 2);
        return select(upper, zeros, upper.length - 1, zeros + k);
    }

    /** The value that would be at index k if a[lo..hi] were sorted (Hoare partition, median-of-three pivot). */
    static double select(double[] a, int lo, int hi, int k) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double pivot = medianOfThree(a[lo], a[mid], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static double medianOfThree(double a, double b, double c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
