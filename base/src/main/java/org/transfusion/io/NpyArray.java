package org.transfusion.io;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.transfusion.error.BadInputException;

/**
 * An array read from a {@code .npy} file or an {@code .npz} member: dtype, byte order, shape (C order) and the
 * raw bytes.
 *
 * <p>Numbers are not converted up front: a memory-mapped file stays on disk and only the elements that are read
 * are touched, so callers can pick a subset of a large activation file without loading all of it, and uint8
 * images are handed out as the bytes they are rather than widened. Fixed-width strings are decoded once, when
 * read, so that text which is not valid unicode is reported with the file rather than at first use.
 */
public final class NpyArray {

    /** The dtypes we read. Anything else (object, complex, structured) is rejected. */
    public enum Dtype {
        FLOAT32('f', 4), FLOAT64('f', 8),
        INT8('i', 1), INT16('i', 2), INT32('i', 4), INT64('i', 8),
        UINT8('u', 1), UINT16('u', 2), UINT32('u', 4), UINT64('u', 8),
        BOOL('b', 1),
        FLOAT16('f', 2),
        /** {@code <Un}: n UTF-32 code units per element, NUL padded. */
        UNICODE('U', 4),
        /** {@code |Sn}: n bytes per element, NUL padded, read as Latin-1. */
        BYTE_STRING('S', 1);

        final char kind;
        /** Bytes per element for numbers; bytes per character for strings, whose width the descr gives. */
        final int unitBytes;

        Dtype(char kind, int unitBytes) {
            this.kind = kind;
            this.unitBytes = unitBytes;
        }

        public boolean isString() {
            return this == UNICODE || this == BYTE_STRING;
        }

        /** The dtype of a descr's kind letter and number (item size, or characters for strings), or null. */
        static Dtype of(char kind, int number) {
            for (Dtype d : values()) {
                if (d.kind == kind && (d.isString() ? number >= 0 : d.unitBytes == number)) {
                    return d;
                }
            }
            return null;
        }
    }

    /** Bytes per chunk of mapped storage at most; the 2 GiB limit of one mapping with room to spare. */
    static final int CHUNK_BYTES = 1 << 30;

    private final String source;
    private final Dtype dtype;
    private final String descr;
    private final ByteOrder order;
    private final long[] shape;
    private final long size;
    private final int itemSize;
    private final ByteBuffer[] chunks;
    /** Elements in every chunk but the last, which no element straddles. */
    private final long chunkElements;
    private final String[] strings;

    NpyArray(String source, Dtype dtype, String descr, ByteOrder order, long[] shape, int itemSize,
             ByteBuffer[] chunks) {
        this.source = source;
        this.dtype = dtype;
        this.descr = descr;
        this.order = order;
        this.shape = shape.clone();
        this.size = elementCount(shape, source);
        this.itemSize = itemSize;
        this.chunks = new ByteBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            this.chunks[i] = chunks[i].duplicate().order(order);
        }
        this.chunkElements = chunks.length == 1 || itemSize == 0 ? Long.MAX_VALUE : chunks[0].remaining() / itemSize;
        this.strings = dtype.isString() ? decodeStrings() : null;
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

    /** Where the array came from (a path, or {@code archive.npz:member}), for error messages. */
    public String source() {
        return source;
    }

    public Dtype dtype() {
        return dtype;
    }

    /** The numpy dtype string as written in the header, e.g. {@code |u1} or {@code <f4}. */
    public String descr() {
        return descr;
    }

    public ByteOrder byteOrder() {
        return order;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int ndim() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    public boolean isNumeric() {
        return !dtype.isString();
    }

    /** Whether {@link #bytes()} applies: uint8, or bool, which numpy stores as one byte 0 or 1. */
    public boolean isUnsignedBytes() {
        return dtype == Dtype.UINT8 || dtype == Dtype.BOOL;
    }

    /**
     * The raw uint8 values in C order. An array read from a stream ({@code .npz} member) hands out its own
     * storage, shared rather than copied because images are large; a memory-mapped file is copied once.
     */
    public byte[] bytes() {
        if (!isUnsignedBytes()) {
            throw new IllegalStateException(source + " holds " + descr + ", not uint8");
        }
        ByteBuffer first = chunks[0];
        if (chunks.length == 1 && first.hasArray() && first.arrayOffset() == 0 && first.array().length == size) {
            return first.array();
        }
        byte[] out = new byte[checkedIntSize()];
        int at = 0;
        for (ByteBuffer chunk : chunks) {
            ByteBuffer b = chunk.duplicate();
            int n = b.remaining();
            b.get(out, at, n);
            at += n;
        }
        return out;
    }

    /** The values of a string array (shared, not copied). */
    public String[] strings() {
        if (strings == null) {
            throw new IllegalStateException(source + " holds " + descr + ", not strings");
        }
        return strings;
    }

    /**
     * Element {@code index} as text: strings as stored, integers exactly and without a decimal point (so an int64
     * patient id and a unicode one read the same way), integral floats likewise.
     */
    public String getString(long index) {
        if (strings != null) {
            return strings[Math.toIntExact(index)];
        }
        return switch (dtype) {
            case FLOAT16, FLOAT32, FLOAT64 -> {
                double v = getDouble(index);
                yield v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
            }
            case UINT64 -> Long.toUnsignedString(integer(index));
            default -> Long.toString(integer(index));
        };
    }

    /** The element at a flat C-order index, converted to double (64-bit integers may round). */
    public double getDouble(long index) {
        ByteBuffer b = chunk(index);
        int at = offset(index);
        return switch (dtype) {
            case FLOAT16 -> Float16.toFloat(b.getShort(at));
            case FLOAT32 -> b.getFloat(at);
            case FLOAT64 -> b.getDouble(at);
            case UINT64 -> unsignedToDouble(b.getLong(at));
            case UNICODE, BYTE_STRING -> throw new BadInputException(source + ": dtype is " + descr
                    + " (strings), expected numbers");
            default -> integer(b, at);
        };
    }

    /**
     * Copies {@code count} elements from flat C-order index {@code from} into {@code out[at..]} as doubles, the
     * same values {@link #getDouble} gives. float64 and float32 are copied in bulk (a mapped file straight into the
     * array, no per-element call), which makes reading a large activation file a memory copy rather than a loop
     * of hundreds of millions of bounds-checked reads; other dtypes go element by element.
     */
    public void getDoubles(long from, double[] out, int at, int count) {
        if (count < 0 || from < 0 || from + count > size || at < 0 || at + count > out.length) {
            throw new IndexOutOfBoundsException("elements " + from + ".." + (from + count) + " outside " + source
                    + " of size " + size + " or into " + out.length + " values at " + at);
        }
        if (dtype != Dtype.FLOAT64 && dtype != Dtype.FLOAT32) {
            for (int i = 0; i < count; i++) {
                out[at + i] = getDouble(from + i);
            }
            return;
        }
        float[] widen = dtype == Dtype.FLOAT32 ? new float[Math.min(count, 1 << 16)] : null;
        while (count > 0) {
            ByteBuffer b = chunk(from).duplicate().order(order);
            b.position(offset(from));
            int n = (int) Math.min(count, b.remaining() / itemSize);
            if (widen == null) {
                b.asDoubleBuffer().get(out, at, n);
            } else {
                FloatBuffer f = b.asFloatBuffer();
                for (int done = 0; done < n; ) {
                    int len = Math.min(n - done, widen.length);
                    f.get(widen, 0, len);
                    for (int i = 0; i < len; i++) {
                        out[at + done + i] = widen[i];
                    }
                    done += len;
                }
            }
            from += n;
            at += n;
            count -= n;
        }
    }

    /**
     * Copies {@code count} elements from flat C-order index {@code from} into {@code out} at index {@code at} as
     * doubles, the values {@link #getDoubles} gives. A float64 array in the buffer's byte order is one bulk copy per
     * mapped chunk (mapped file to native memory, no Java array between); other dtypes go through a small array.
     */
    public void getDoubles(long from, DoubleBuffer out, int at, int count) {
        if (count < 0 || from < 0 || from + count > size || at < 0 || at + count > out.limit()) {
            throw new IndexOutOfBoundsException("elements " + from + ".." + (from + count) + " outside " + source
                    + " of size " + size + " or into " + out.limit() + " values at " + at);
        }
        if (dtype == Dtype.FLOAT64 && order == out.order()) {
            while (count > 0) {
                ByteBuffer b = chunk(from).duplicate().order(order);
                b.position(offset(from));
                int n = (int) Math.min(count, b.remaining() / itemSize);
                out.put(at, b.asDoubleBuffer(), 0, n);
                from += n;
                at += n;
                count -= n;
            }
            return;
        }
        double[] staged = new double[Math.min(count, 1 << 16)];
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, staged.length);
            getDoubles(from + done, staged, 0, n);
            out.put(at + done, staged, 0, n);
            done += n;
        }
    }

    /** An integer or bool element exactly; uint64 comes back as the same 64 bits, to be read unsigned. */
    private long integer(long index) {
        return integer(chunk(index), offset(index));
    }

    private long integer(ByteBuffer b, int at) {
        return switch (dtype) {
            case INT8 -> b.get(at);
            case INT16 -> b.getShort(at);
            case INT32 -> b.getInt(at);
            case INT64, UINT64 -> b.getLong(at);
            case UINT8 -> b.get(at) & 0xFF;
            case UINT16 -> b.getShort(at) & 0xFFFF;
            case UINT32 -> b.getInt(at) & 0xFFFFFFFFL;
            case BOOL -> b.get(at) != 0 ? 1 : 0;
            default -> throw new AssertionError(dtype);
        };
    }

    private ByteBuffer chunk(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside " + source + " of size " + size);
        }
        return chunks[(int) (index / chunkElements)];
    }

    private int offset(long index) {
        return (int) (index % chunkElements * itemSize);
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

    /** numpy pads short strings with NUL, which is stripped, as numpy does when it reads them back. */
    private String[] decodeStrings() {
        String[] out = new String[checkedIntSize()];
        int width = itemSize / dtype.unitBytes;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < out.length; i++) {
            sb.setLength(0);
            ByteBuffer b = chunk(i);
            int at = offset(i);
            for (int k = 0; k < width; k++) {
                int cp = dtype == Dtype.UNICODE ? b.getInt(at + 4 * k) : b.get(at + k) & 0xFF;
                if (cp == 0) {
                    break;
                }
                if (!Character.isValidCodePoint(cp)) {
                    throw new BadInputException(source + ": element " + i + " of '" + descr
                            + "' is not valid unicode (code point " + cp + ")");
                }
                sb.appendCodePoint(cp);
            }
            out[i] = sb.toString();
        }
        return out;
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
