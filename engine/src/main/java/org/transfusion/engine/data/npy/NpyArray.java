package org.transfusion.engine.data.npy;

import java.util.Arrays;

/**
 * One array read from a {@code .npy} file or an {@code .npz} member: its shape and its values, widened to a
 * Java type that holds them exactly. uint8/bool data stays as bytes (images are large); other integer types
 * become longs; float16/32 become floats; float64 stays double; fixed-width strings become a String[].
 */
public final class NpyArray {
    public enum Kind { BYTES, LONGS, FLOATS, DOUBLES, STRINGS }

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

    public boolean isNumeric() { return kind != Kind.STRINGS; }

    /** The raw uint8 values (shared, not copied). */
    public byte[] bytes() {
        if (kind != Kind.BYTES) {
            throw new IllegalStateException(source + " holds " + dtype + ", not uint8");
        }
        return (byte[]) data;
    }

    /** The values of a string array (shared, not copied). */
    public String[] strings() {
        if (kind != Kind.STRINGS) {
            throw new IllegalStateException(source + " holds " + dtype + ", not strings");
        }
        return (String[]) data;
    }

    /**
     * Element {@code i} as text: strings as stored, integers without a decimal point (so an int64 patient id
     * and a unicode one read the same way).
     */
    public String getString(long i) {
        int k = Math.toIntExact(i);
        return switch (kind) {
            case STRINGS -> ((String[]) data)[k];
            case BYTES -> Integer.toString(((byte[]) data)[k] & 0xff);
            case LONGS -> Long.toString(((long[]) data)[k]);
            case FLOATS, DOUBLES -> {
                double v = getDouble(i);
                yield v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
            }
        };
    }

    /** Element {@code i} (flat, C order) as a double, whatever the stored numeric type. */
    public double getDouble(long i) {
        int k = Math.toIntExact(i);
        return switch (kind) {
            case BYTES -> ((byte[]) data)[k] & 0xff;
            case LONGS -> ((long[]) data)[k];
            case FLOATS -> ((float[]) data)[k];
            case DOUBLES -> ((double[]) data)[k];
            case STRINGS -> throw new IllegalStateException(source + " holds strings (" + dtype + "), not numbers");
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
