package org.transfusion.engine.model;

import java.util.Arrays;

/** A named tensor of an architecture: its torchvision key, shape and role. */
public record TensorSpec(String key, long[] shape, TensorKind kind) {
    public TensorSpec {
        shape = shape.clone();
    }

    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }
}
