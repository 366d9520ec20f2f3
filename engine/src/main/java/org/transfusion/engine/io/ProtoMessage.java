package org.transfusion.engine.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A protocol buffer message written field by field in the binary wire format, for the few small messages this
 * project writes (TensorBoard's events): a dependency on a protobuf library and generated classes would be far larger
 * than this. Every field given is written, defaults included, so that a member of a {@code oneof} (e.g. a scalar of
 * 0.0) is present; fields appear in call order, which parsers accept in any order.
 */
public final class ProtoMessage {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An {@code int32}, {@code int64}, {@code bool} or enum field (negative numbers take ten bytes, as specified). */
    public ProtoMessage varint(int field, long value) {
        tag(field, VARINT);
        rawVarint(value);
        return this;
    }

    public ProtoMessage bool(int field, boolean value) {
        return varint(field, value ? 1 : 0);
    }

    public ProtoMessage doubleValue(int field, double value) {
        tag(field, FIXED64);
        littleEndian(Double.doubleToRawLongBits(value), 8);
        return this;
    }

    public ProtoMessage floatValue(int field, float value) {
        tag(field, FIXED32);
        littleEndian(Float.floatToRawIntBits(value), 4);
        return this;
    }

    public ProtoMessage bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    public ProtoMessage string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** An embedded message (also one entry of a repeated or map field: call once per element). */
    public ProtoMessage message(int field, ProtoMessage value) {
        return bytes(field, value.toByteArray());
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        if (field < 1 || field > (1 << 29) - 1) {
            throw new IllegalArgumentException("protobuf field numbers run from 1 to 2^29-1, got " + field);
        }
        rawVarint(((long) field << 3) | wireType);
    }

    /** Base 128, least significant group first, the high bit of each byte saying another follows. */
    private void rawVarint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void littleEndian(long bits, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (bits >>> (8 * i)) & 0xFF);
        }
    }
}
