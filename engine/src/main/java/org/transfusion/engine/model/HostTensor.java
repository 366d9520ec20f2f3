package org.transfusion.engine.model;

import java.util.Arrays;

/** A tensor held in Java memory as float32 values, C order. Integer buffers are stored as their float value. */
public record HostTensor(long[] shape, float[] values) {
    public HostTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + values.length);
        }
        shape = shape.clone();
    }

    public static HostTensor zeros(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new HostTensor(shape, new float[Math.toIntExact(n)]);
    }

    public HostTensor copy() {
        return new HostTensor(shape, values.clone());
    }

    public boolean sameShape(long[] other) {
        return Arrays.equals(shape, other);
    }

    public double mean() {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return values.length == 0 ? 0 : s / values.length;
    }

    /** Population standard deviation (divide by n), as torch.std(unbiased=False). */
    public double std() {
        double m = mean();
        double s = 0;
        for (float v : values) {
            s += (v - m) * (v - m);
        }
        return values.length == 0 ? 0 : Math.sqrt(s / values.length);
    }

    public double norm() {
        double s = 0;
        for (float v : values) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
