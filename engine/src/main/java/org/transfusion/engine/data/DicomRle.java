package org.transfusion.engine.data;

/**
 * Decodes one frame of DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header (segment count, then up to 15
 * segment offsets, little-endian) and one PackBits-coded segment per byte of each sample, most significant byte
 * first. The result is the frame plane by plane with big-endian 16-bit samples, which is exactly the segments laid
 * end to end. Offsets, run lengths and the decoded size are all checked against the fragment and the frame.
 */
final class DicomRle {
    private static final int HEADER = 64;

    private DicomRle() {}

    /**
     * A frame's RLE data must be within what PackBits can make of it: a 128-byte run turns into at most 129 bytes
     * (a literal run) and at best into 2 (a repeat run). Outside these bounds it is not this frame, and the lower
     * one keeps a tiny file from allocating a big frame.
     */
    static void checkLength(long length, DicomImage.Format format, DicomInput in) {
        long n = format.pixels();
        int segments = format.samples() * format.bytesPerSample();
        long most = HEADER + segments * (n + (n + 127) / 128 + 1);
        long least = HEADER + segments * 2 * ((n + 127) / 128);
        if (length > most || length < least) {
            throw in.error("the RLE frame has " + length + " bytes, expected " + least + " to " + most + " for "
                    + segments + " segments of " + n + " bytes (Rows x Columns)");
        }
    }

    /** The 64-byte header at the start of a frame's first bytes declares the segments the format needs. */
    static void checkHeader(byte[] head, DicomImage.Format format, DicomInput in) {
        int segments = format.samples() * format.bytesPerSample();
        if (head.length < HEADER) {
            throw in.error("RLE fragment has " + head.length + " bytes, shorter than its 64-byte header");
        }
        long count = le32(head, 0);
        if (count != segments) {
            throw in.error("RLE header declares " + count + " segments, expected " + segments + " ("
                    + format.samples() + " samples x " + format.bytesPerSample() + " bytes)");
        }
    }

    /**
     * @param fragment the frame's single fragment
     * @param format   the frame (its pixels, samples and bytes per sample say how many segments to expect)
     * @param in       for errors naming the file
     */
    static byte[] decode(byte[] fragment, DicomImage.Format format, DicomInput in) {
        int segments = format.samples() * format.bytesPerSample();
        checkHeader(fragment, format, in);
        int n = format.pixels();
        byte[] out = new byte[format.frameBytes()];
        for (int s = 0; s < segments; s++) {
            long start = le32(fragment, 4 + 4 * s);
            long end = s + 1 < segments ? le32(fragment, 8 + 4 * s) : fragment.length;
            if (start < HEADER || start > end || end > fragment.length) {
                throw in.error("RLE segment " + (s + 1) + " spans bytes " + start + " to " + end
                        + ", expected within 64 to " + fragment.length + " and after the previous one");
            }
            // Segment s holds byte (s % bytesPerSample) of sample (s / bytesPerSample), MSB first: in the
            // plane-by-plane big-endian layout, byte k of pixel i of that sample sits at (sample*n + i)*bps + k.
            int bps = format.bytesPerSample();
            int sample = s / bps;
            int k = s % bps;
            int written = unpack(fragment, (int) start, (int) end, out, sample * n * bps + k, bps, n);
            if (written < n) {
                throw in.error("RLE segment " + (s + 1) + " decodes to " + written + " bytes, expected " + n
                        + " (Rows x Columns)");
            }
        }
        return out;
    }

    /**
     * PackBits: a header byte h, then h+1 literal bytes (h 0..127), or one byte repeated 1-h times (h -127..-1);
     * -128 is padding. Writes at most {@code n} bytes, {@code stride} apart from {@code at}; returns how many.
     */
    private static int unpack(byte[] src, int from, int end, byte[] out, int at, int stride, int n) {
        int written = 0;
        int p = from;
        while (p < end && written < n) {
            int h = src[p++];
            if (h >= 0) {
                int len = Math.min(h + 1, end - p);
                for (int j = 0; j < len && written < n; j++) {
                    out[at + stride * written++] = src[p + j];
                }
                p += len;
            } else if (h != -128) {
                if (p >= end) {
                    break;
                }
                byte v = src[p++];
                for (int j = 0; j < 1 - h && written < n; j++) {
                    out[at + stride * written++] = v;
                }
            }
        }
        return written;
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}
