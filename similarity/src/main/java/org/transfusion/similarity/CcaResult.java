package org.transfusion.similarity;

import java.util.Arrays;

/**
 * Canonical correlations of two activation matrices.
 *
 * @param coefficients the canonical correlations, descending, one per dimension of the smaller kept side
 * @param droppedX neurons of the first matrix left out (constant or collinear)
 * @param droppedY neurons of the second matrix left out
 * @param xDirections if asked for: {@code xDirections[i]} are the weights over the first matrix's neurons
 *     (0 for dropped ones) of the i-th canonical variate, scaled so the variate {@code (X - mean) w} has unit
 *     sample variance; signed so that its largest weight is positive. Otherwise null.
 * @param yDirections the same for the second matrix, signed so that variate i of X and of Y correlate
 *     positively (by {@code coefficients[i]})
 */
public record CcaResult(
        double[] coefficients, DroppedNeurons droppedX, DroppedNeurons droppedY,
        double[][] xDirections, double[][] yDirections) {

    /** Mean canonical correlation, the summary the SVCCA and Transfusion papers plot. */
    public double mean() {
        return Arrays.stream(coefficients).average().orElseThrow();
    }

    @Override
    public double[] coefficients() {
        return coefficients.clone();
    }

    @Override
    public String toString() {
        return "CcaResult[mean=" + mean() + ", coefficients=" + Arrays.toString(coefficients) + ", droppedX="
                + droppedX + ", droppedY=" + droppedY + "]";
    }
}
