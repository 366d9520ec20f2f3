package org.transfusion.engine.model;

/** The role of a named tensor: decides how it is initialised, whether it trains, and how schemes treat it. */
public enum TensorKind {
    CONV_WEIGHT, CONV_BIAS, LINEAR_WEIGHT, LINEAR_BIAS, BN_WEIGHT, BN_BIAS, BN_RUNNING_MEAN, BN_RUNNING_VAR,
    /** torchvision's {@code num_batches_tracked}: an int64 scalar kept for key compatibility, never trained. */
    BN_BATCHES_TRACKED;

    /** Whether the optimiser updates it. */
    public boolean trainable() {
        return switch (this) {
            case CONV_WEIGHT, CONV_BIAS, LINEAR_WEIGHT, LINEAR_BIAS, BN_WEIGHT, BN_BIAS -> true;
            default -> false;
        };
    }

    public boolean isBatchNorm() {
        return name().startsWith("BN_");
    }

    public boolean isWeightMatrix() {
        return this == CONV_WEIGHT || this == LINEAR_WEIGHT;
    }
}
