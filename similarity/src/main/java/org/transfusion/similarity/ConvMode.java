package org.transfusion.similarity;

/** How a 4-D convolutional activation {@code (N, C, H, W)} becomes a matrix with one column per channel. */
public enum ConvMode {
    /** Every spatial position of every input is a data point: {@code (N*H*W, C)}. The SVCCA papers' default. */
    FLATTEN,
    /** Each input is one data point, its channels averaged over space: {@code (N, C)}. */
    POOL
}
