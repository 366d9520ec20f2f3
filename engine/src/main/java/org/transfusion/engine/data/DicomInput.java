package org.transfusion.engine.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.transfusion.error.BadInputException;

/**
 * The bytes of one DICOM file (or its inflated data set) read in order, with the position and the byte order
 * kept, and every declared length checked against what can be there before anything is allocated or skipped:
 * a few bytes of header can claim a 4 GB value. For a plain file the limit is its size; for a deflated data
 * set, whose size is known only by inflating it, a budget, so a small file cannot inflate into gigabytes.
 */
final class DicomInput {
    private final Path file;
    private final InputStream in;
    private final long limit;
    private final boolean inflated;
    private long pos;
    boolean bigEndian;

    /**
     * @param in    buffered (it is read a byte at a time) and positioned at {@code start}
     * @param limit    the position past which nothing can be: the file size, or the inflation budget
     * @param inflated whether {@code in} is the inflated data set (positions count its bytes, not the file's)
     */
    DicomInput(Path file, InputStream in, long start, long limit, boolean inflated) {
        this.file = file;
        this.in = in;
        this.pos = start;
        this.limit = limit;
        this.inflated = inflated;
    }

    long position() {
        return pos;
    }

    /** Where the reader is, for messages: {@code byte 1234}, or {@code byte 1234 of the inflated data set}. */
    String where() {
        return "byte " + pos + (inflated ? " of the inflated data set" : "");
    }

    /** True when nothing is left; for an inflated stream this reads ahead one byte with mark/reset. */
    boolean atEnd() throws IOException {
        if (pos >= limit) {
            return true;
        }
        in.mark(1);
        int b = in.read();
        in.reset();
        return b < 0;
    }

    /** The next {@code n} bytes (fewer at the end), not consumed: to see what comes before deciding how to read it. */
    byte[] peek(int n) throws IOException {
        in.mark(n);
        byte[] b = in.readNBytes(n);
        in.reset();
        return b;
    }

    int u16(String field) throws IOException {
        int b0 = u8(field);
        int b1 = u8(field);
        return bigEndian ? b0 << 8 | b1 : b1 << 8 | b0;
    }

    long u32(String field) throws IOException {
        long lo = u16(field);
        long hi = u16(field);
        return bigEndian ? lo << 16 | hi : hi << 16 | lo;
    }

    int u8(String field) throws IOException {
        if (pos >= limit) {
            throw pastLimit(1, field);
        }
        int b = in.read();
        if (b < 0) {
            throw truncated(field);
        }
        pos++;
        return b;
    }

    /** Reads {@code n} bytes, once {@link #require} has shown they can be there. */
    byte[] bytes(long n, String field) throws IOException {
        require(n, field);
        byte[] out = new byte[(int) n];
        int got = in.readNBytes(out, 0, out.length);
        if (got < n) {
            pos += got;
            throw truncated(field);
        }
        pos += n;
        return out;
    }

    void skip(long n, String field) throws IOException {
        require(n, field);
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw truncated(field);
        }
        pos += n;
    }

    /** Fails unless {@code n} more bytes can be there (and {@code n} fits a Java array). */
    void require(long n, String field) {
        if (n < 0 || n > limit - pos || n > Integer.MAX_VALUE - 8) {
            throw pastLimit(n, field);
        }
    }

    /** A one-line error about this file: {@code FILE: message}. */
    BadInputException error(String message) {
        return new BadInputException(file + ": " + message);
    }

    private BadInputException pastLimit(long n, String field) {
        return error(field + " at " + where() + " needs " + n + " bytes, but " + (inflated
                ? "the data set may inflate to at most " + limit + " bytes" : "the file has only " + (limit - pos)
                + " left"));
    }

    private BadInputException truncated(String field) {
        return error("truncated: " + (inflated ? "the inflated data set" : "the file") + " ends at " + where()
                + " inside " + field);
    }
}
