package org.transfusion.similarity.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.transfusion.error.BadInputException;

/**
 * A numeric array read from a {@code .npy} file: dtype, byte order, shape (C order) and the raw bytes.
 *
 * <p>The bytes are not converted up front: a memory-mapped file stays on disk and only the elements that are
 * read are touched, so callers can pick a subset of a large activation file without loading all of it.
 */
public final class NpyArray {

    /** The numeric dtypes we read. Anything else (object, string, complex, float16, structured) is rejected. */
    public enum Dtype {
        FLOAT32('f', 4), FLOAT64('f', 8),
        INT8('i', 1), INT16('i', 2), INT32('i', 4), INT64('i', 8),
        UINT8('u', 1), UINT16('u', 2), UINT32('u', 4), UINT64('u', 8),
        BOOL('b', 1);

        final char kind;
        final int itemSize;

        Dtype(char kind, int itemSize) {
            this.kind = kind;
            this.itemSize = itemSize;
        }

        public int itemSize() {
            return itemSize;
        }

        static Dtype of(char kind, int itemSize) {
            for (Dtype d : values()) {
                if (d.kind == kind && d.itemSize == itemSize) {
                    return d;
                }
            }
            return null;
        }
    }

    /** Bytes per chunk of the backing storage; a power of two so that no element straddles two chunks. */
    static final int CHUNK_BYTES = 1 << 30;

    private final String source;
    private final Dtype dtype;
    private final ByteOrder order;
    private final long[] shape;
    private final long size;
    private final ByteBuffer[] chunks;

    NpyArray(String source, Dtype dtype, ByteOrder order, long[] shape, ByteBuffer[] chunks) {
        this.source = source;
        this.dtype = dtype;
        this.order = order;
        this.shape = shape.clone();
        this.size = elementCount(shape, source);
        this.chunks = new ByteBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            this.chunks[i] = chunks[i].duplicate().order(order);
        }
    }

    /** Product of the dimensions; an overflow is a malformed header, not an allocation to attempt. */
    static long elementCount(long[] shape, String source) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new BadInputException(source + ": negative dimension in shape " + shapeString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new BadInputException(source + ": shape " + shapeString(shape) + " is too large");
            }
        }
        return n;
    }

    /** Where the array came from (a path or a zip entry name), for error messages. */
    public String source() {
        return source;
    }

    public Dtype dtype() {
        return dtype;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** The element at a flat C-order index, converted to double (64-bit integers may round). */
    public double getDouble(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside " + source + " of size " + size);
        }
        long byteOffset = index * dtype.itemSize;
        ByteBuffer b = chunks[(int) (byteOffset / CHUNK_BYTES)];
        int at = (int) (byteOffset % CHUNK_BYTES);
        switch (dtype) {
            case FLOAT32: return b.getFloat(at);
            case FLOAT64: return b.getDouble(at);
            case INT8: return b.get(at);
            case INT16: return b.getShort(at);
            case INT32: return b.getInt(at);
            case INT64: return b.getLong(at);
            case UINT8: return b.get(at) & 0xFF;
            case UINT16: return b.getShort(at) & 0xFFFF;
            case UINT32: return b.getInt(at) & 0xFFFFFFFFL;
            case UINT64: return unsignedToDouble(b.getLong(at));
            case BOOL: return b.get(at) != 0 ? 1.0 : 0.0;
            default: throw new AssertionError(dtype);
        }
    }

    private static double unsignedToDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1L);
    }

    /** All elements in C order as doubles. */
    public double[] toDoubleArray() {
        double[] out = new double[checkedIntSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    /** All elements in C order as floats (float64 and wide integers are rounded to float32). */
    public float[] toFloatArray() {
        float[] out = new float[checkedIntSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) getDouble(i);
        }
        return out;
    }

    private int checkedIntSize() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new BadInputException(source + ": " + size + " elements do not fit in one Java array");
        }
        return (int) size;
    }

    /** A shape as numpy prints it: {@code (3,)}, {@code (2, 3)}, {@code ()}. */
    public static String shapeString(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        String s = Arrays.toString(shape);
        return "(" + s.substring(1, s.length() - 1) + ")";
    }

    @Override
    public String toString() {
        return source + " " + dtype.name().toLowerCase() + " " + shapeString(shape);
    }
}
