package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;

/** Look-up of a network's live tensors by torchvision key, used by an architecture's forward pass. */
@FunctionalInterface
public interface Params {
    NDArray get(String key);
}
