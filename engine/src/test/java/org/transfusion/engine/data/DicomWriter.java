package org.transfusion.engine.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.Deflater;

/**
 * Writes small DICOM files for tests, element by element in the order called, in one of the transfer syntaxes
 * {@link DicomFile} reads: Part 10 (preamble, {@code DICM}, meta group with the transfer syntax) or a bare data
 * set. Deliberately plain, so a test can also write what a reader must refuse (odd lengths, wrong VRs). Files it
 * writes were checked once with pydicom (the tests cite the snippets).
 */
final class DicomWriter {
    static final int UNDEFINED = -1;

    private final DicomSyntax syntax;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    /** The UID the meta group names: the syntax's, unless {@link #transferSyntax} says another. */
    private String uid;

    DicomWriter(DicomSyntax syntax) {
        this.syntax = syntax;
    }

    DicomSyntax syntax() {
        return syntax;
    }

    /** Names {@code uid} in the meta group (a syntax we do not decode), the data set still written as before. */
    DicomWriter transferSyntax(String other) {
        uid = other;
        return this;
    }

    /** A grey image's format attributes: rows x columns, bits allocated/stored, high bit = stored - 1. */
    DicomWriter grey(String photometric, int rows, int columns, int allocated, int stored, boolean signed) {
        return us(DicomAttributes.SAMPLES_PER_PIXEL, 1)
                .text(DicomAttributes.PHOTOMETRIC, "CS", photometric)
                .us(DicomAttributes.ROWS, rows).us(DicomAttributes.COLUMNS, columns)
                .us(DicomAttributes.BITS_ALLOCATED, allocated).us(DicomAttributes.BITS_STORED, stored)
                .us(DicomAttributes.HIGH_BIT, stored - 1).us(DicomAttributes.PIXEL_REPRESENTATION, signed ? 1 : 0);
    }

    /** An unsigned short (US). */
    DicomWriter us(int tag, int value) {
        byte[] v = syntax.bigEndian ? new byte[] {(byte) (value >> 8), (byte) value}
                : new byte[] {(byte) value, (byte) (value >> 8)};
        return element(tag, "US", v);
    }

    /** A text value padded to even length with a space (UIDs with a NUL); a null value writes nothing. */
    DicomWriter text(int tag, String vr, String value) {
        if (value == null) {
            return this;
        }
        String padded = value.length() % 2 == 0 ? value : value + (vr.equals("UI") ? "\0" : " ");
        return element(tag, vr, padded.getBytes(StandardCharsets.US_ASCII));
    }

    /** Native pixel data (OW for 16-bit samples, OB for 8-bit), padded to even length. */
    DicomWriter pixels(byte[] data, boolean words) {
        byte[] v = data.length % 2 == 0 ? data : Arrays.copyOf(data, data.length + 1);
        return element(DicomAttributes.PIXEL_DATA, words ? "OW" : "OB", v);
    }

    /** Encapsulated pixel data: an empty basic offset table, then one fragment (padded to even length). */
    DicomWriter fragment(byte[] fragment) {
        byte[] v = fragment.length % 2 == 0 ? fragment : Arrays.copyOf(fragment, fragment.length + 1);
        return header(DicomAttributes.PIXEL_DATA, "OB", UNDEFINED).item(0xFFFEE000, 0).item(0xFFFEE000, v.length)
                .raw(v).item(0xFFFEE0DD, 0);
    }

    /**
     * Encapsulated pixel data of several fragments: a basic offset table of {@code offsets} (empty when null),
     * then each fragment (padded to even length), then the sequence delimiter.
     */
    DicomWriter fragments(long[] offsets, byte[]... fragments) {
        header(DicomAttributes.PIXEL_DATA, "OB", UNDEFINED);
        byte[] table = new byte[offsets == null ? 0 : 4 * offsets.length];
        for (int k = 0; offsets != null && k < offsets.length; k++) {
            putLe32(table, 4 * k, offsets[k]);
        }
        item(0xFFFEE000, table.length).raw(table);
        for (byte[] f : fragments) {
            byte[] v = f.length % 2 == 0 ? f : Arrays.copyOf(f, f.length + 1);
            item(0xFFFEE000, v.length).raw(v);
        }
        return item(0xFFFEE0DD, 0);
    }

    /** An RLE Lossless frame (PS3.5 G.3): the 64-byte header of segment count and offsets, then the segments. */
    static byte[] rle(byte[]... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int offset = 64;
        byte[] header = new byte[64];
        putLe32(header, 0, segments.length);
        for (int s = 0; s < segments.length; s++) {
            putLe32(header, 4 + 4 * s, offset);
            offset += segments[s].length;
        }
        out.writeBytes(header);
        for (byte[] seg : segments) {
            out.writeBytes(seg);
        }
        return out.toByteArray();
    }

    static void putLe32(byte[] b, int at, long v) {
        for (int k = 0; k < 4; k++) {
            b[at + k] = (byte) (v >>> (8 * k));
        }
    }

    /** One element with a defined length. */
    DicomWriter element(int tag, String vr, byte[] value) {
        header(tag, vr, value.length);
        body.writeBytes(value);
        return this;
    }

    /** An element header alone ({@code length} may be {@link #UNDEFINED} or a lie), for sequences and hostile files. */
    DicomWriter header(int tag, String vr, long length) {
        tag(tag);
        if (syntax.explicitVr && (tag >>> 16) != 0xFFFE) {
            body.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            if (Set.of("OB", "OW", "SQ", "UN", "UT").contains(vr)) {
                u16(0);
                u32(length);
            } else {
                u16((int) length);
            }
        } else {
            u32(length);
        }
        return this;
    }

    /** An item or delimiter tag (FFFE,xxxx) with its 4-byte length. */
    DicomWriter item(int tag, long length) {
        tag(tag);
        u32(length);
        return this;
    }

    DicomWriter raw(byte[] bytes) {
        body.writeBytes(bytes);
        return this;
    }

    private void tag(int tag) {
        u16(tag >>> 16);
        u16(tag & 0xFFFF);
    }

    private void u16(int v) {
        if (syntax.bigEndian) {
            body.write(v >> 8);
            body.write(v);
        } else {
            body.write(v);
            body.write(v >> 8);
        }
    }

    private void u32(long v) {
        if (syntax.bigEndian) {
            u16((int) (v >>> 16));
            u16((int) v);
        } else {
            u16((int) v);
            u16((int) (v >>> 16));
        }
    }

    /** The data set alone, as written (no preamble, no meta group; never deflated). */
    byte[] dataSet() {
        return body.toByteArray();
    }

    /** A Part 10 file: 128 zero bytes, {@code DICM}, the meta group (explicit VR little endian), the data set. */
    byte[] part10() {
        DicomWriter meta = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE);
        meta.element(0x00020001, "OB", new byte[] {0, 1})
                .text(0x00020002, "UI", "1.2.840.10008.5.1.4.1.1.7") // Secondary Capture Image Storage
                .text(0x00020003, "UI", "1.2.3.4")
                .text(DicomAttributes.TRANSFER_SYNTAX, "UI", uid != null ? uid : syntax.uid);
        byte[] group = meta.dataSet();
        DicomWriter length = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE);
        length.element(0x00020000, "UL", new byte[] {(byte) group.length, (byte) (group.length >> 8), 0, 0});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(length.dataSet());
        out.writeBytes(group);
        out.writeBytes(syntax.deflated ? deflate(dataSet()) : dataSet());
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, part10());
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    /** 16-bit samples in the given byte order. */
    static byte[] words(int[] values, boolean bigEndian) {
        byte[] out = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            out[2 * i + (bigEndian ? 1 : 0)] = (byte) values[i];
            out[2 * i + (bigEndian ? 0 : 1)] = (byte) (values[i] >> 8);
        }
        return out;
    }
}
