package org.transfusion.similarity;

import java.util.Arrays;

/**
 * SVCCA of two activation matrices.
 *
 * @param dimsX number of singular directions of the first matrix kept
 * @param dimsY number kept of the second
 * @param keepVariance the fraction of variance the kept directions explain at least
 * @param coefficients canonical correlations between the two reduced matrices, descending
 */
public record SvccaResult(int dimsX, int dimsY, double keepVariance, double[] coefficients) {

    /** Mean canonical correlation: the SVCCA similarity. */
    public double mean() {
        return Arrays.stream(coefficients).average().orElseThrow();
    }

    @Override
    public double[] coefficients() {
        return coefficients.clone();
    }

    @Override
    public String toString() {
        return "SvccaResult[dims=" + dimsX + "," + dimsY + ", mean=" + mean() + ", coefficients="
                + Arrays.toString(coefficients) + "]";
    }
}
