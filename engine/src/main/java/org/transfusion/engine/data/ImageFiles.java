package org.transfusion.engine.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.transfusion.error.BadInputException;

/**
 * Decodes image files (PNG, JPEG, BMP, GIF, TIFF: what ImageIO reads without plug-ins; DICOM {@code .dcm} through
 * {@link DicomFile}) into uint8 {@link Image}s.
 * Any decoding failure becomes a one-line {@link BadInputException} naming the file, since one corrupt file
 * in a 200,000-image folder is a user-data problem, not a program bug.
 */
public final class ImageFiles {
    /** How many channels the caller wants: x-rays are grey, fundus photographs RGB, folders as stored. */
    public enum Mode { GREY, RGB, AS_STORED }

    /** File extensions (lower case, no dot) that {@link #read} can decode. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "dcm");

    /**
     * The most pixels an image may have, 2^26 (8192 x 8192, 256 MiB as decoded ARGB): the largest images of the
     * datasets here, EyePACS fundus photographs, have under 20 million.
     */
    public static final long MAX_PIXELS = 1L << 26;

    static {
        // Decoding never needs a display; without this a JVM with DISPLAY unset can fail on first AWT use.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        ImageIO.setUseCache(false); // decode in memory, not via temp files, from many loader threads
    }

    private ImageFiles() {}

    public static boolean isImage(Path file) {
        return EXTENSIONS.contains(extension(file));
    }

    /** Whether {@code file} is named as a DICOM file ({@code .dcm}), which {@link #read} decodes with its own reader. */
    public static boolean isDicom(Path file) {
        return extension(file).equals("dcm");
    }

    /** The lower-case extension without the dot, or "" when the name has none. */
    private static String extension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1) : "";
    }

    /**
     * Decodes one file. Its size is read from the header first and an image of more than {@value #MAX_PIXELS}
     * pixels is refused before decoding: a small file can declare 40,000 x 40,000 pixels, 6.4 GB once decoded.
     */
    public static Image read(Path file, Mode mode) {
        return read(file, 0, mode);
    }

    /** {@link #read(Path, Mode)} of frame {@code frame} (from 0) of a multi-frame DICOM file; other files have one. */
    public static Image read(Path file, int frame, Mode mode) {
        if (frame != 0 && !isDicom(file)) {
            throw new IllegalArgumentException("frame " + frame + " of " + file + ", which is not a DICOM file");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": image file not found");
        }
        if (isDicom(file)) {
            // Outside the catch-all below: the DICOM reader's own checks give the one-line errors, and anything
            // else it throws is a bug of ours to see, not a "cannot decode" to blame on the file.
            return DicomFile.read(file, frame).toImage(mode);
        }
        BufferedImage img;
        try {
            img = decode(file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            // Decoder messages can span lines; the CLI promises one line per error.
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
            throw new BadInputException(file + ": cannot decode image (" + why + ")");
        }
        if (img == null) {
            throw new BadInputException(file + ": not a readable image (expected PNG or JPEG; no decoder accepts it)");
        }
        return toImage(img, mode);
    }

    /** The decoded picture, or null when no reader takes the file; the header's size is checked first. */
    private static BufferedImage decode(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return null;
            }
            ImageReader reader = jdkFirst(readers);
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width < 1 || height < 1 || width * height > MAX_PIXELS) {
                    throw new BadInputException(file + ": image header declares " + width + " x " + height
                            + " pixels, expected from 1 x 1 to " + MAX_PIXELS + " pixels (8192 x 8192)");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * The JDK's own reader where one takes the file, else the first plug-in's: the DICOM codecs' jars (TwelveMonkeys
     * JPEG, jai-imageio) register readers for JPEG, TIFF, BMP and others, and ImageIO's order among providers is not
     * fixed, so without this the decoder of a PNG or JPEG file could change with the class path.
     */
    private static ImageReader jdkFirst(Iterator<ImageReader> readers) {
        ImageReader first = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.")) {
                if (first != null) {
                    first.dispose();
                }
                return r;
            }
            if (first == null) {
                first = r;
            } else {
                r.dispose();
            }
        }
        return first;
    }

    /** Converts a decoded picture to uint8 HWC with the channels {@code mode} asks for. */
    public static Image toImage(BufferedImage img, Mode mode) {
        int w = img.getWidth();
        int h = img.getHeight();
        Raster raster = img.getRaster();
        boolean storedGrey = raster.getNumBands() == 1 && img.getColorModel().getNumColorComponents() == 1;
        boolean grey = mode == Mode.GREY || (mode == Mode.AS_STORED && storedGrey);
        if (storedGrey) {
            // Read grey samples directly: going through getRGB would apply a gamma curve to 8-bit grey PNGs
            // and drop 16-bit precision before scaling.
            int bits = raster.getSampleModel().getSampleSize(0);
            int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            int c = grey ? 1 : 3;
            byte[] px = new byte[w * h * c];
            for (int i = 0; i < samples.length; i++) {
                int v = eightBit(samples[i], bits);
                for (int k = 0; k < c; k++) {
                    px[i * c + k] = (byte) v;
                }
            }
            return new Image(h, w, c, px);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        if (grey) {
            byte[] px = new byte[w * h];
            for (int i = 0; i < argb.length; i++) {
                int p = argb[i];
                px[i] = (byte) luminance((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
            }
            return new Image(h, w, 1, px);
        }
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            px[3 * i] = (byte) (p >> 16);
            px[3 * i + 1] = (byte) (p >> 8);
            px[3 * i + 2] = (byte) p;
        }
        return new Image(h, w, 3, px);
    }

    /** A grey level from 8-bit RGB: the Rec. 601 luma weights, rounded. */
    static int luminance(int r, int g, int b) {
        return (299 * r + 587 * g + 114 * b + 500) / 1000;
    }

    /** A sample of {@code bits} bits scaled to 0..255: deeper samples keep their top 8 bits, shallower are stretched. */
    static int eightBit(int v, int bits) {
        return bits == 8 ? v : bits > 8 ? v >>> (bits - 8) : v * 255 / ((1 << bits) - 1);
    }
}
