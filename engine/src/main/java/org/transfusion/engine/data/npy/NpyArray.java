package org.transfusion.engine.data.npy;

import java.util.Arrays;

/**
 * One array read from a {@code .npy} file or an {@code .npz} member: its shape and its values, widened to a
 * Java type that holds them exactly. uint8/bool data stays as bytes (images are large); other integer types
 * become longs; float16/32 become floats; float64 stays double.
 */
public final class NpyArray {
    public enum Kind { BYTES, LONGS, FLOATS, DOUBLES }

    private final String source;
    private final String dtype;
    private final long[] shape;
    private final Kind kind;
    private final Object data;

    NpyArray(String source, String dtype, long[] shape, Kind kind, Object data) {
        this.source = source;
        this.dtype = dtype;
        this.shape = shape;
        this.kind = kind;
        this.data = data;
    }

    /** Where it came from, e.g. {@code retinamnist.npz:train_images}; used in error messages. */
    public String source() { return source; }

    /** The numpy dtype string as written in the header, e.g. {@code |u1} or {@code <f4}. */
    public String dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public int ndim() { return shape.length; }

    public long dim(int i) { return shape[i]; }

    public Kind kind() { return kind; }

    public long size() {
        long n = 1;
        for (long d : shape) { n *= d; }
        return n;
    }

    public boolean isUnsignedBytes() { return kind == Kind.BYTES; }

    /** The raw uint8 values (shared, not copied). */
    public byte[] bytes() {
        if (kind != Kind.BYTES) {
            throw new IllegalStateException(source + " holds " + dtype + ", not uint8");
        }
        return (byte[]) data;
    }

    /** Element {@code i} (flat, C order) as a double, whatever the stored type. */
    public double getDouble(long i) {
        int k = Math.toIntExact(i);
        return switch (kind) {
            case BYTES -> ((byte[]) data)[k] & 0xff;
            case LONGS -> ((long[]) data)[k];
            case FLOATS -> ((float[]) data)[k];
            case DOUBLES -> ((double[]) data)[k];
        };
    }

    /** All elements as doubles (a copy). */
    public double[] toDoubles() {
        int n = Math.toIntExact(size());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) { out[i] = getDouble(i); }
        return out;
    }

    @Override
    public String toString() {
        return source + " " + dtype + " " + Arrays.toString(shape);
    }
}
