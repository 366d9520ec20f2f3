package org.transfusion.similarity;

import java.util.Arrays;

/**
 * Neurons of one side that CCA-based measures leave out (0-based column indices, ascending).
 *
 * @param constant neurons with the same value on every data point (zero variance; for example dead ReLUs)
 * @param collinear neurons that are, to within a residual variance of 1e-10 of their own variance, a linear
 *     combination of the neurons kept (duplicated neurons, for example); they add nothing to the span
 */
public record DroppedNeurons(int[] constant, int[] collinear) {

    public DroppedNeurons {
        constant = constant.clone();
        collinear = collinear.clone();
    }

    public int count() {
        return constant.length + collinear.length;
    }

    @Override
    public int[] constant() {
        return constant.clone();
    }

    @Override
    public int[] collinear() {
        return collinear.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DroppedNeurons d && Arrays.equals(constant, d.constant) && Arrays.equals(collinear, d.collinear);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(constant) + Arrays.hashCode(collinear);
    }

    @Override
    public String toString() {
        return "DroppedNeurons[constant=" + Arrays.toString(constant) + ", collinear=" + Arrays.toString(collinear) + "]";
    }
}
