package org.transfusion.similarity;

import java.util.Arrays;

/**
 * Projection-weighted CCA.
 *
 * @param value the weighted mean of the canonical correlations
 * @param weightedByFirst true if the weights come from the first matrix (it has no more kept neurons than
 *     the second), false if from the second
 * @param weights the weight of each canonical correlation, summing to 1
 * @param coefficients the canonical correlations, descending
 * @param droppedX neurons of the first matrix left out (constant or collinear)
 * @param droppedY neurons of the second matrix left out
 */
public record PwccaResult(
        double value, boolean weightedByFirst, double[] weights, double[] coefficients,
        DroppedNeurons droppedX, DroppedNeurons droppedY) {

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public double[] coefficients() {
        return coefficients.clone();
    }

    @Override
    public String toString() {
        return "PwccaResult[value=" + value + ", weightedByFirst=" + weightedByFirst + ", weights="
                + Arrays.toString(weights) + "]";
    }
}
