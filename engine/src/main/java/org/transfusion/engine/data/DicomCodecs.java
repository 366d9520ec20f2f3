package org.transfusion.engine.data;

import com.github.jaiimageio.jpeg2000.impl.J2KImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one compressed frame of a DICOM file: JPEG (ISO 10918-1: baseline and extended 8-bit DCT, lossless
 * process 14 with any predictor) through TwelveMonkeys imageio-jpeg, JPEG 2000 part 1 (ISO 15444-1) through
 * jai-imageio-jpeg2000. The codestream's own header (SOF, or SIZ) is read here first and must agree with the data
 * set's Rows, Columns and Samples per Pixel, and with Bits Allocated; only then is a decoder given the bytes, so a
 * codestream declaring 100,000 x 100,000 pixels never reaches one. The decoded samples are returned raw, as the
 * codestream holds them (no colour conversion by the decoder), pixel by pixel: Photometric Interpretation then
 * says what they are ({@link DicomImage}), as it does for native data.
 */
final class DicomCodecs {
    /** The most tiles a JPEG 2000 codestream may have (ISO 15444-1 A.5.1: tile indices are 16-bit). */
    private static final long MAX_TILES = 65535;

    private DicomCodecs() {}

    /**
     * What a codestream's header declares.
     *
     * @param process   how it was coded, for messages ("JPEG lossless", "JPEG 2000", ...)
     * @param lossyDct  a DCT JPEG (which the JDK's libjpeg decodes at 8 bits only)
     */
    record Header(String process, int rows, int columns, int components, int precision, boolean signed,
                  boolean lossyDct) {}

    /**
     * Reads the header of the codestream at the start of {@code b} (of which only the first bytes may be given),
     * and checks it against the data set's {@code format}: the one-line reason it cannot be decoded, or null.
     */
    static String problem(DicomSyntax.Codec codec, byte[] b, DicomImage.Format format) {
        Header h;
        try {
            h = codec == DicomSyntax.Codec.JPEG ? jpeg(b) : jpeg2000(b);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return mismatch(h, format);
    }

    /** Decodes one frame; the samples, pixel by pixel, as {@code format.bitsAllocated()}-bit little-endian values. */
    static byte[] decode(DicomSyntax.Codec codec, byte[] frame, DicomImage.Format format, DicomInput in, int index) {
        String problem = problem(codec, frame, format);
        if (problem != null) {
            throw in.error("frame " + (index + 1) + ": " + problem);
        }
        String what = codec == DicomSyntax.Codec.JPEG ? "JPEG" : "JPEG 2000";
        if (codec == DicomSyntax.Codec.JPEG2000 && !endsWithEoc(frame)) {
            // A JPEG 2000 decoder reads a cut codestream as a coarser picture, without a word: refuse it here.
            throw in.error("frame " + (index + 1) + ": the JPEG 2000 codestream is truncated (it does not end with "
                    + "its end-of-codestream marker FFD9)");
        }
        Raster raster;
        ImageReader reader = null;
        java.util.List<String> warnings = new java.util.ArrayList<>();
        try (ImageInputStream stream = new MemoryCacheImageInputStream(new ByteArrayInputStream(frame))) {
            reader = (codec == DicomSyntax.Codec.JPEG ? jpegProvider() : new J2KImageReaderSpi())
                    .createReaderInstance(null);
            // libjpeg reports a cut or corrupt scan as a warning and fills the rest grey: for us, an error.
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            reader.setInput(stream, true, true);
            raster = reader.readRaster(0, null);
            if (!warnings.isEmpty()) {
                throw new IOException(warnings.get(0));
            }
        } catch (IOException | RuntimeException | StackOverflowError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw in.error("frame " + (index + 1) + ": the " + what + " codestream cannot be decoded ("
                    + why.replaceAll("\\s+", " ") + ")");
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
        if (raster.getWidth() != format.columns() || raster.getHeight() != format.rows()
                || raster.getNumBands() != format.samples()) {
            throw in.error("frame " + (index + 1) + ": the " + what + " decoder gave " + raster.getWidth() + " x "
                    + raster.getHeight() + " x " + raster.getNumBands() + ", expected Columns x Rows x Samples "
                    + format.columns() + " x " + format.rows() + " x " + format.samples());
        }
        int[] samples = raster.getPixels(0, 0, format.columns(), format.rows(), (int[]) null);
        byte[] out = new byte[samples.length * format.bytesPerSample()];
        if (format.bytesPerSample() == 1) {
            for (int i = 0; i < samples.length; i++) {
                out[i] = (byte) samples[i];
            }
        } else {
            for (int i = 0; i < samples.length; i++) {
                out[2 * i] = (byte) samples[i];
                out[2 * i + 1] = (byte) (samples[i] >> 8);
            }
        }
        return out;
    }

    /** Whether a JPEG 2000 frame ends with EOC (FFD9), after the zero byte that pads a fragment to even length. */
    private static boolean endsWithEoc(byte[] b) {
        int end = b.length;
        if (end > 0 && b[end - 1] == 0) {
            end--;
        }
        return end >= 2 && (b[end - 2] & 0xff) == 0xFF && (b[end - 1] & 0xff) == 0xD9;
    }

    /** Whether the header agrees with the data set, and is one the decoders take; null when it can be decoded. */
    private static String mismatch(Header h, DicomImage.Format f) {
        if (h.rows != f.rows() || h.columns != f.columns()) {
            return "the " + h.process + " codestream declares " + h.columns + " x " + h.rows + " pixels, but Columns x "
                    + "Rows is " + f.columns() + " x " + f.rows();
        }
        if (h.components != f.samples()) {
            return "the " + h.process + " codestream has " + h.components + " component(s), but Samples per Pixel is "
                    + f.samples();
        }
        if (h.lossyDct && h.precision != 8) {
            return h.process + " with " + h.precision + "-bit samples is not supported (TwelveMonkeys hands DCT JPEG "
                    + "to the JDK's libjpeg, which decodes 8-bit samples only; 12-bit lossy JPEG needs a re-export)";
        }
        if (h.precision > f.bitsAllocated()) {
            return "the " + h.process + " codestream has " + h.precision + "-bit samples, but Bits Allocated is "
                    + f.bitsAllocated();
        }
        return null;
    }

    /** The frame header (SOF) of a JPEG codestream: markers walked from SOI, each segment's length checked. */
    static Header jpeg(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            throw new IllegalArgumentException("the frame does not start with a JPEG start-of-image marker (FFD8)");
        }
        int p = 2;
        while (p + 4 <= b.length) {
            if ((b[p] & 0xff) != 0xFF) {
                throw new IllegalArgumentException("the JPEG codestream has no marker at byte " + p + " (before its "
                        + "frame header)");
            }
            int marker = b[p + 1] & 0xff;
            if (marker == 0xFF) { // fill byte
                p++;
                continue;
            }
            int length = u16(b, p + 2);
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (length < 8 || p + 2 + 8 > b.length) {
                    throw new IllegalArgumentException("the JPEG frame header at byte " + p + " is truncated");
                }
                int precision = b[p + 4] & 0xff;
                int rows = u16(b, p + 5);
                int columns = u16(b, p + 7);
                int components = b[p + 9] & 0xff;
                if (marker > 0xC3) {
                    throw new IllegalArgumentException("the JPEG codestream uses " + jpegProcess(marker)
                            + " (SOF " + Integer.toHexString(marker).toUpperCase() + "), which the decoder does not "
                            + "support (supported: baseline, extended and progressive Huffman DCT, lossless Huffman)");
                }
                boolean lossless = marker == 0xC3;
                if (lossless ? precision < 2 || precision > 16 : precision != 8 && precision != 12) {
                    throw new IllegalArgumentException("the JPEG frame header declares " + precision + "-bit samples, "
                            + "expected " + (lossless ? "2 to 16" : "8 or 12"));
                }
                return new Header(jpegProcess(marker), rows, columns, components, precision, false, !lossless);
            }
            if (marker == 0xDA || marker == 0xD9) {
                throw new IllegalArgumentException("the JPEG codestream has no frame header (SOF) before its "
                        + (marker == 0xDA ? "scan" : "end"));
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                p += 2; // TEM and RSTn carry no length
                continue;
            }
            if (length < 2) {
                throw new IllegalArgumentException("the JPEG marker segment at byte " + p + " declares length "
                        + length + ", expected at least 2");
            }
            p += 2 + length;
        }
        throw new IllegalArgumentException("the JPEG codestream ends before its frame header (SOF)");
    }

    private static String jpegProcess(int sof) {
        return switch (sof) {
            case 0xC0 -> "JPEG baseline";
            case 0xC1 -> "JPEG extended";
            case 0xC2 -> "progressive JPEG";
            case 0xC3 -> "JPEG lossless";
            case 0xC5, 0xC6, 0xC7 -> "hierarchical (differential) JPEG";
            default -> "arithmetic-coded JPEG";
        };
    }

    /**
     * The image and tile size (SIZ) of a JPEG 2000 codestream, or of the codestream box of a JP2 file (which some
     * writers put in Pixel Data against the standard).
     */
    static Header jpeg2000(byte[] b) {
        int p = 0;
        if (b.length >= 12 && u32(b, 0) == 12 && u32(b, 4) == 0x6A502020L) { // JP2 signature box
            p = jp2Codestream(b);
        }
        if (p + 42 > b.length || u16(b, p) != 0xFF4F || u16(b, p + 2) != 0xFF51) {
            throw new IllegalArgumentException("the frame does not start with a JPEG 2000 codestream (SOC FF4F, then "
                    + "SIZ FF51)");
        }
        int s = p + 4;
        int length = u16(b, s);
        long x = u32(b, s + 4);
        long y = u32(b, s + 8);
        long x0 = u32(b, s + 12);
        long y0 = u32(b, s + 16);
        long tileX = u32(b, s + 20);
        long tileY = u32(b, s + 24);
        long tileX0 = u32(b, s + 28);
        long tileY0 = u32(b, s + 32);
        int components = u16(b, s + 36);
        if (x <= x0 || y <= y0 || tileX == 0 || tileY == 0 || tileX0 > x0 || tileY0 > y0) {
            throw new IllegalArgumentException("the JPEG 2000 image and tile size (SIZ) are inconsistent: image "
                    + x + " x " + y + " from " + x0 + ", " + y0 + "; tiles " + tileX + " x " + tileY);
        }
        long width = x - x0;
        long height = y - y0;
        if (width * height > ImageFiles.MAX_PIXELS) {
            throw new IllegalArgumentException("the JPEG 2000 codestream declares " + width + " x " + height
                    + " pixels, expected at most " + ImageFiles.MAX_PIXELS + " (8192 x 8192)");
        }
        long tiles = ((x - tileX0 + tileX - 1) / tileX) * ((y - tileY0 + tileY - 1) / tileY);
        if (tiles > MAX_TILES) {
            throw new IllegalArgumentException("the JPEG 2000 codestream declares " + tiles + " tiles, expected at "
                    + "most " + MAX_TILES);
        }
        if (components < 1 || length != 38 + 3 * components || s + 38 + 3 * components > b.length) {
            throw new IllegalArgumentException("the JPEG 2000 SIZ segment declares " + components + " components "
                    + "in " + length + " bytes, expected 38 + 3 per component");
        }
        int depth = -1;
        boolean signed = false;
        for (int c = 0; c < components; c++) {
            int ssiz = b[s + 38 + 3 * c] & 0xff;
            int dx = b[s + 39 + 3 * c] & 0xff;
            int dy = b[s + 40 + 3 * c] & 0xff;
            int d = (ssiz & 0x7f) + 1;
            if (c > 0 && (d != depth || signed != ((ssiz & 0x80) != 0))) {
                throw new IllegalArgumentException("the JPEG 2000 components differ in bit depth or sign, which a "
                        + "DICOM image cannot hold");
            }
            if (dx != 1 || dy != 1) {
                throw new IllegalArgumentException("JPEG 2000 component " + c + " is subsampled (" + dx + " x " + dy
                        + "), which a DICOM image cannot hold");
            }
            depth = d;
            signed = (ssiz & 0x80) != 0;
        }
        if (depth > 16) {
            throw new IllegalArgumentException("the JPEG 2000 codestream has " + depth + "-bit samples, expected at "
                    + "most 16");
        }
        return new Header("JPEG 2000", (int) height, (int) width, components, depth, signed, false);
    }

    /** The offset of the codestream inside a JP2 file's {@code jp2c} box. */
    private static int jp2Codestream(byte[] b) {
        long p = 0;
        while (p + 8 <= b.length) {
            long length = u32(b, (int) p);
            long type = u32(b, (int) p + 4);
            int header = 8;
            if (length == 1) {
                throw new IllegalArgumentException("the JP2 box at byte " + p + " has a 64-bit length, which is not "
                        + "read");
            }
            if (type == 0x6A703263L) { // jp2c
                return (int) p + header;
            }
            if (length < header) {
                break;
            }
            p += length;
        }
        throw new IllegalArgumentException("the JP2 file in the frame has no codestream box (jp2c)");
    }

    /** The TwelveMonkeys JPEG provider; it finds the JDK's reader (its DCT delegate) in the default registry. */
    private static ImageReaderSpi jpegProvider() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        JPEGImageReaderSpi spi = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
        if (spi == null) { // a class loader the registry did not scan: register it, so it finds its delegate
            spi = new JPEGImageReaderSpi();
            registry.registerServiceProvider(spi, ImageReaderSpi.class);
        }
        return spi;
    }

    private static int u16(byte[] b, int at) {
        if (at + 2 > b.length) {
            throw new IllegalArgumentException("the codestream ends at byte " + b.length + " inside a header");
        }
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return (long) u16(b, at) << 16 | u16(b, at + 2);
    }
}
