package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A classifier's convolutional part read as an encoder: its feature maps at each scale, shallow to deep, for a
 * decoder ({@link UNet}) to take as skips. The pass is the classifier's own forward code up to its deepest scale
 * (the classifier's forward continues it with the global pool and the head), so the classifier's logits are
 * unchanged, and {@code taps} see the same probed layers up to there.
 */
public interface Encoder {
    /**
     * One scale: the probed layer whose output it is, its channels and its stride (input size / map size).
     */
    record Scale(String layer, int channels, int stride) {}

    /** The scales in forward order (strides increasing). */
    List<Scale> scales();

    /**
     * The feature maps of {@link #scales()}, shallow to deep, each (batch, channels, H / stride, W / stride) for H
     * and W multiples of the deepest stride; the caller owns them (closes them when done). Parameters are looked
     * up by the classifier's keys.
     */
    List<NDArray> encode(Params p, NDArray x, boolean training, Taps taps);

    /** The deepest stride: what the input's sides must be a multiple of. */
    default int totalStride() {
        List<Scale> s = scales();
        return s.get(s.size() - 1).stride();
    }
}
