package org.transfusion.engine.data;

import java.util.Locale;

/**
 * The first frame of a DICOM image as stored, and its conversion to the uint8 {@link Image} the pipeline takes.
 *
 * <p>Grey (MONOCHROME1/2): stored value (Bits Stored bits ending at High Bit, sign-extended when Pixel
 * Representation is 1) -> modality value {@code stored * Rescale Slope + Rescale Intercept} -> 0..255 by the
 * first VOI window when the file has one (Window Center/Width with its VOI LUT Function: LINEAR, LINEAR_EXACT or
 * SIGMOID, PS3.3 C.11.2.1.2), else by the image's own range, {@code 255 (m - min) / (max - min)} (0 for a flat
 * image); rounded half up; MONOCHROME1 (low values white) is then inverted, {@code 255 - v}, so bone is bright in
 * every x-ray. Colour (RGB, YBR_FULL): each sample scaled to 8 bits, YBR_FULL converted to RGB (PS3.3 C.7.6.3.1.2);
 * no VOI, which the standard defines for grey images only.
 */
final class DicomImage {
    /** The VOI LUT Functions of PS3.3 C.11.2.1.3. */
    enum Voi { LINEAR, LINEAR_EXACT, SIGMOID }

    /** A VOI window, mapping modality values to 0..255 (the formulas of PS3.3 C.11.2.1.2 with a 0..255 output). */
    record Window(double center, double width, Voi function) {
        /** Whether the width is one the function is defined for (LINEAR needs at least 1, the others above 0). */
        boolean valid() {
            return function == Voi.LINEAR ? width >= 1 : width > 0;
        }

        double apply(double m) {
            if (function == Voi.SIGMOID) {
                return 255 / (1 + Math.exp(-4 * (m - center) / width));
            }
            double c = function == Voi.LINEAR ? center - 0.5 : center;
            double w = function == Voi.LINEAR ? width - 1 : width;
            if (m <= c - w / 2) {
                return 0;
            }
            if (m > c + w / 2) {
                return 255;
            }
            return ((m - c) / w + 0.5) * 255;
        }
    }

    /**
     * How the first frame's samples are laid out, validated before its bytes are read.
     *
     * @param planar samples stored colour plane by colour plane rather than pixel by pixel
     */
    record Format(int rows, int columns, int samples, String photometric, int bitsAllocated, int bitsStored,
                  int highBit, boolean signed, boolean planar) {
        int pixels() {
            return rows * columns;
        }

        int bytesPerSample() {
            return bitsAllocated / 8;
        }

        /** Bytes of one frame; at most 2^26 pixels x 3 samples x 2 bytes, so it fits an array. */
        int frameBytes() {
            return pixels() * samples * bytesPerSample();
        }

        boolean grey() {
            return samples == 1;
        }

        /**
         * Reads and checks the format attributes; errors name the attribute and what this reader supports. The
         * colour interpretations a codec alone produces are accepted for it: YBR_FULL_422 for JPEG (the decoder
         * upsamples the chroma, so the decoded frame is YBR_FULL), YBR_RCT and YBR_ICT for JPEG 2000 (the decoder
         * undoes the component transform, so the decoded frame is RGB).
         */
        static Format of(DicomAttributes a, DicomSyntax.Codec codec) {
            int rows = a.unsignedShort(DicomAttributes.ROWS, -1);
            int columns = a.unsignedShort(DicomAttributes.COLUMNS, -1);
            if (rows < 1 || columns < 1 || (long) rows * columns > ImageFiles.MAX_PIXELS) {
                throw a.error(DicomAttributes.describe(DicomAttributes.ROWS) + " x "
                        + DicomAttributes.describe(DicomAttributes.COLUMNS) + " is " + rows + " x " + columns
                        + ", expected from 1 x 1 to " + ImageFiles.MAX_PIXELS + " pixels (8192 x 8192)");
            }
            int samples = a.unsignedShort(DicomAttributes.SAMPLES_PER_PIXEL, 1);
            if (samples != 1 && samples != 3) {
                throw a.error(DicomAttributes.describe(DicomAttributes.SAMPLES_PER_PIXEL) + " is " + samples
                        + ", expected 1 (grey) or 3 (colour)");
            }
            String photometric = a.text(DicomAttributes.PHOTOMETRIC);
            if (photometric == null && samples == 1) {
                photometric = "MONOCHROME2"; // old grey files omit it; MONOCHROME2 is what they meant
            }
            photometric = photometric == null ? "" : photometric.toUpperCase(Locale.ROOT);
            boolean known = samples == 1 ? photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2")
                    : photometric.equals("RGB") || photometric.equals("YBR_FULL");
            if (!known && codec == DicomSyntax.Codec.JPEG && samples == 3 && photometric.equals("YBR_FULL_422")) {
                photometric = "YBR_FULL";
                known = true;
            }
            if (!known && codec == DicomSyntax.Codec.JPEG2000 && samples == 3
                    && (photometric.equals("YBR_RCT") || photometric.equals("YBR_ICT"))) {
                photometric = "RGB";
                known = true;
            }
            if (!known) {
                throw a.error(DicomAttributes.describe(DicomAttributes.PHOTOMETRIC) + " is '"
                        + DicomAttributes.printable(photometric) + "' with " + samples + " sample(s) per pixel; "
                        + "supported: MONOCHROME1, MONOCHROME2 (1 sample), RGB, YBR_FULL (3 samples)"
                        + (codec == DicomSyntax.Codec.JPEG ? ", YBR_FULL_422 (JPEG)"
                        : codec == DicomSyntax.Codec.JPEG2000 ? ", YBR_RCT, YBR_ICT (JPEG 2000)" : ""));
            }
            int allocated = a.unsignedShort(DicomAttributes.BITS_ALLOCATED, -1);
            if (allocated != 8 && allocated != 16) {
                throw a.error(DicomAttributes.describe(DicomAttributes.BITS_ALLOCATED) + " is " + allocated
                        + ", expected 8 or 16");
            }
            int stored = a.unsignedShort(DicomAttributes.BITS_STORED, allocated);
            if (stored < 1 || stored > allocated) {
                throw a.error(DicomAttributes.describe(DicomAttributes.BITS_STORED) + " is " + stored
                        + ", expected 1 to Bits Allocated (" + allocated + ")");
            }
            int high = a.unsignedShort(DicomAttributes.HIGH_BIT, stored - 1);
            if (high < stored - 1 || high >= allocated) {
                throw a.error(DicomAttributes.describe(DicomAttributes.HIGH_BIT) + " is " + high + ", expected "
                        + (stored - 1) + " to " + (allocated - 1) + " (Bits Stored " + stored + ", Bits Allocated "
                        + allocated + ")");
            }
            int representation = a.unsignedShort(DicomAttributes.PIXEL_REPRESENTATION, 0);
            if (representation > 1 || (representation == 1 && samples != 1)) {
                throw a.error(DicomAttributes.describe(DicomAttributes.PIXEL_REPRESENTATION) + " is "
                        + representation + ", expected 0 (unsigned)"
                        + (samples == 1 ? " or 1 (signed)" : " for colour"));
            }
            if (photometric.equals("YBR_FULL") && stored != 8) {
                throw a.error("YBR_FULL with " + DicomAttributes.describe(DicomAttributes.BITS_STORED) + " " + stored
                        + " is not supported (expected 8)");
            }
            int planar = samples == 1 ? 0 : a.unsignedShort(DicomAttributes.PLANAR_CONFIGURATION, 0);
            if (planar > 1) {
                throw a.error(DicomAttributes.describe(DicomAttributes.PLANAR_CONFIGURATION) + " is " + planar
                        + ", expected 0 (pixel by pixel) or 1 (plane by plane)");
            }
            return new Format(rows, columns, samples, photometric, allocated, stored, high, representation == 1,
                    planar == 1);
        }

        /**
         * The format of a frame a JPEG or JPEG 2000 decoder returned: samples pixel by pixel, each value as it is
         * (High Bit = Bits Stored - 1), whatever the file's Planar Configuration and High Bit said of native data.
         */
        Format decoded() {
            return new Format(rows, columns, samples, photometric, bitsAllocated, bitsStored, bitsStored - 1, signed,
                    false);
        }

        /** The same format with the samples plane by plane (RLE decodes to planes whatever the file says). */
        Format inPlanes() {
            return new Format(rows, columns, samples, photometric, bitsAllocated, bitsStored, highBit, signed, true);
        }
    }

    private final Format format;
    private final boolean bigEndian;
    private final byte[] data;
    private final double slope;
    private final double intercept;
    private final Window window;

    /**
     * @param bigEndian byte order of 16-bit samples in {@code data}
     * @param data      at least {@link Format#frameBytes} bytes: the first frame
     */
    DicomImage(Format format, DicomAttributes a, boolean bigEndian, byte[] data) {
        if (data.length < format.frameBytes()) {
            throw new IllegalArgumentException(data.length + " bytes for a frame of " + format.frameBytes());
        }
        this.format = format;
        this.bigEndian = bigEndian;
        this.data = data;
        this.slope = a.decimal(DicomAttributes.RESCALE_SLOPE, 1);
        this.intercept = a.decimal(DicomAttributes.RESCALE_INTERCEPT, 0);
        this.window = format.grey() ? window(a) : null;
    }

    /** The first VOI window, or null when there is none or its width is not one its function allows. */
    private static Window window(DicomAttributes a) {
        if (!a.has(DicomAttributes.WINDOW_CENTER) || !a.has(DicomAttributes.WINDOW_WIDTH)) {
            return null;
        }
        double center = a.decimal(DicomAttributes.WINDOW_CENTER, Double.NaN);
        double width = a.decimal(DicomAttributes.WINDOW_WIDTH, Double.NaN);
        String name = a.text(DicomAttributes.VOI_LUT_FUNCTION);
        Voi function;
        try {
            function = name == null || name.isEmpty() ? Voi.LINEAR : Voi.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw a.error(DicomAttributes.describe(DicomAttributes.VOI_LUT_FUNCTION) + " is '"
                    + DicomAttributes.printable(name) + "', expected LINEAR, LINEAR_EXACT or SIGMOID");
        }
        Window w = new Window(center, width, function);
        return Double.isNaN(center) || Double.isNaN(width) || !w.valid() ? null : w;
    }

    Format format() {
        return format;
    }

    /** The VOI window applied, or null when the image's own range is used. */
    Window window() {
        return window;
    }

    /** Stored value of sample {@code sample} of pixel {@code pixel} (row-major): masked to Bits Stored, signed. */
    int stored(int pixel, int sample) {
        int index = format.planar() ? sample * format.pixels() + pixel : pixel * format.samples() + sample;
        int raw;
        if (format.bitsAllocated() == 8) {
            raw = data[index] & 0xff;
        } else {
            int hi = data[2 * index + (bigEndian ? 0 : 1)] & 0xff;
            int lo = data[2 * index + (bigEndian ? 1 : 0)] & 0xff;
            raw = hi << 8 | lo;
        }
        int bits = format.bitsStored();
        int v = (raw >>> (format.highBit() + 1 - bits)) & ((1 << bits) - 1);
        return format.signed() && v >= 1 << (bits - 1) ? v - (1 << bits) : v;
    }

    /** The modality value of a grey pixel: {@code stored * Rescale Slope + Rescale Intercept}. */
    double modality(int pixel) {
        return stored(pixel, 0) * slope + intercept;
    }

    /** The uint8 picture, with the channels {@code mode} asks for. */
    Image toImage(ImageFiles.Mode mode) {
        return format.grey() ? grey(mode) : colour(mode);
    }

    private Image grey(ImageFiles.Mode mode) {
        int n = format.pixels();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        if (window == null) {
            for (int i = 0; i < n; i++) {
                double m = modality(i);
                lo = Math.min(lo, m);
                hi = Math.max(hi, m);
            }
        }
        boolean invert = format.photometric().equals("MONOCHROME1");
        int c = mode == ImageFiles.Mode.RGB ? 3 : 1;
        byte[] px = new byte[n * c];
        for (int i = 0; i < n; i++) {
            double m = modality(i);
            double y = window != null ? window.apply(m) : hi > lo ? (m - lo) * 255 / (hi - lo) : 0;
            int v = (int) Math.max(0, Math.min(255, Math.floor(y + 0.5)));
            byte b = (byte) (invert ? 255 - v : v);
            for (int k = 0; k < c; k++) {
                px[i * c + k] = b;
            }
        }
        return new Image(format.rows(), format.columns(), c, px);
    }

    private Image colour(ImageFiles.Mode mode) {
        int n = format.pixels();
        boolean ybr = format.photometric().equals("YBR_FULL");
        boolean grey = mode == ImageFiles.Mode.GREY;
        byte[] px = new byte[grey ? n : 3 * n];
        for (int i = 0; i < n; i++) {
            int r = ImageFiles.eightBit(stored(i, 0), format.bitsStored());
            int g = ImageFiles.eightBit(stored(i, 1), format.bitsStored());
            int b = ImageFiles.eightBit(stored(i, 2), format.bitsStored());
            if (ybr) { // PS3.3 C.7.6.3.1.2: full-range YCbCr, as JPEG's
                double y = r;
                double cb = g - 128;
                double cr = b - 128;
                r = clamp(y + 1.402 * cr);
                g = clamp(y - 0.344136 * cb - 0.714136 * cr);
                b = clamp(y + 1.772 * cb);
            }
            if (grey) {
                px[i] = (byte) ImageFiles.luminance(r, g, b);
            } else {
                px[3 * i] = (byte) r;
                px[3 * i + 1] = (byte) g;
                px[3 * i + 2] = (byte) b;
            }
        }
        return new Image(format.rows(), format.columns(), grey ? 1 : 3, px);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.floor(v + 0.5)));
    }
}
