package org.transfusion.engine.model;

/** The role of a named tensor: decides how it is initialised, whether it trains, and how schemes treat it. */
public enum TensorKind {
    CONV_WEIGHT, CONV_BIAS, LINEAR_WEIGHT, LINEAR_BIAS, BN_WEIGHT, BN_BIAS, BN_RUNNING_MEAN, BN_RUNNING_VAR,
    /** torchvision's {@code num_batches_tracked}: an int64 scalar kept for key compatibility, never trained. */
    BN_BATCHES_TRACKED,
    /** A layer norm's scale (timm's {@code norm1.weight}, ConvNeXt's {@code LayerNorm2d}); no running statistics. */
    LN_WEIGHT,
    /** A layer norm's shift. */
    LN_BIAS,
    /** A vision transformer's learned absolute position embedding, (1, prefix + grid tokens, dim). */
    POS_EMBED,
    /** A vision transformer's class token, (1, 1, dim). */
    CLS_TOKEN,
    /** ConvNeXt's layer scale {@code gamma}: a per-channel factor on each residual branch. */
    LAYER_SCALE;

    /** Whether the optimiser updates it. */
    public boolean trainable() {
        return switch (this) {
            case CONV_WEIGHT, CONV_BIAS, LINEAR_WEIGHT, LINEAR_BIAS, BN_WEIGHT, BN_BIAS, LN_WEIGHT, LN_BIAS, POS_EMBED,
                 CLS_TOKEN, LAYER_SCALE -> true;
            case BN_RUNNING_MEAN, BN_RUNNING_VAR, BN_BATCHES_TRACKED -> false;
        };
    }

    public boolean isBatchNorm() {
        return switch (this) {
            case BN_WEIGHT, BN_BIAS, BN_RUNNING_MEAN, BN_RUNNING_VAR, BN_BATCHES_TRACKED -> true;
            default -> false;
        };
    }

    /**
     * A normalisation layer's tensor, batch or layer norm: what Mean Var and the schemes beside it reset to identity
     * (or copy) rather than re-draw.
     */
    public boolean isNormalisation() {
        return switch (this) {
            case BN_WEIGHT, BN_BIAS, BN_RUNNING_MEAN, BN_RUNNING_VAR, BN_BATCHES_TRACKED, LN_WEIGHT, LN_BIAS -> true;
            case CONV_WEIGHT, CONV_BIAS, LINEAR_WEIGHT, LINEAR_BIAS, POS_EMBED, CLS_TOKEN, LAYER_SCALE -> false;
        };
    }

    /**
     * A layer's weight matrix (conv or linear): what weight movement measures. Position embeddings, class tokens,
     * layer scales and norms are not (they are no layer's filters).
     */
    public boolean isWeightMatrix() {
        return switch (this) {
            case CONV_WEIGHT, LINEAR_WEIGHT -> true;
            case CONV_BIAS, LINEAR_BIAS, BN_WEIGHT, BN_BIAS, BN_RUNNING_MEAN, BN_RUNNING_VAR, BN_BATCHES_TRACKED,
                 LN_WEIGHT, LN_BIAS, POS_EMBED, CLS_TOKEN, LAYER_SCALE -> false;
        };
    }
}
