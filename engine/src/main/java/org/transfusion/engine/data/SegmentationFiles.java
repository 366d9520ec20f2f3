package org.transfusion.engine.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.transfusion.error.BadInputException;

/**
 * The file side of segmentation data: image sizes read from headers, masks and field-of-view files read as
 * class ids and checked against their image, the derived field of view of fundus photographs, and the digest
 * of a dataset's files. Every problem is a one-line {@link BadInputException} naming the file.
 */
final class SegmentationFiles {
    /** The threshold of the derived field of view: a pixel whose brightest channel exceeds it is lit. */
    static final int FOV_THRESHOLD = 10;

    /** {@link #deriveFov}'s rule in words, as {@code fovRule} and the identity record it. */
    static final String DERIVED_FOV_RULE = "derived: max(R,G,B) > " + FOV_THRESHOLD
            + ", largest 4-connected component, holes filled";

    /** How mask pixel values become class ids. */
    enum MaskRule {
        /** Any nonzero value is class 1 (DRIVE and CHASE_DB1 vessel masks, field-of-view files). */
        NONZERO,
        /** Values are class ids; with two classes 0/255 is read as 0/1. */
        CLASS_IDS
    }

    /** One sample's files: its name (the image's stem), image, mask and field of view (null: none given). */
    record Entry(String name, Path image, Path mask, Path fov) {}

    private SegmentationFiles() {}

    /** {width, height} of an image from its header (DICOM: its Rows and Columns), without decoding ImageIO pixels. */
    static int[] imageSize(Path image) {
        if (!Files.isRegularFile(image)) {
            throw new BadInputException(image + ": image file not found");
        }
        if (ImageFiles.isDicom(image)) {
            DicomImage.Format f = DicomFile.read(image).format();
            return new int[] {f.columns(), f.rows()};
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
            ImageReader reader = reader(in, image);
            try {
                reader.setInput(in, true, true);
                return checkedSize(image, reader);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(image, "image", e);
        }
    }

    /**
     * Reads a mask as class ids, refusing a size other than {@code width x height} (its image's) and values outside
     * {@code classes}: with {@link MaskRule#CLASS_IDS} 0..classes-1, and 0/255 as well for two classes; with
     * {@link MaskRule#NONZERO} any nonzero value is 1.
     */
    static byte[] readMask(Path mask, Path image, int width, int height, int classes, MaskRule rule) {
        int[] v = values(mask, image, width, height, "mask");
        byte[] out = new byte[v.length];
        boolean binary = classes == 2;
        for (int i = 0; i < v.length; i++) {
            int c = v[i];
            if (rule == MaskRule.NONZERO) {
                out[i] = (byte) (c == 0 ? 0 : 1);
                continue;
            }
            if (binary && c == 255) {
                c = 1;
            }
            if (c >= classes) {
                throw new BadInputException(mask + ": mask value " + v[i] + " at pixel (x=" + i % width + ", y="
                        + i / width + ") is outside the declared " + classes + " classes (expected 0 to " + (classes - 1)
                        + (binary ? ", or 0/255 for a binary mask)" : ", class ids)"));
            }
            out[i] = (byte) c;
        }
        return out;
    }

    /** Reads a field-of-view file: nonzero = inside; the same size as its image. */
    static byte[] readFov(Path fov, Path image, int width, int height) {
        int[] v = values(fov, image, width, height, "field-of-view mask");
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) (v[i] == 0 ? 0 : 1);
        }
        return out;
    }

    /**
     * The field of view of a fundus photograph, which is a lit disc on black: the pixels whose brightest channel
     * exceeds {@value #FOV_THRESHOLD} (JPEG noise on the black surround stays below it; the darkest rim of a dim
     * photograph stays above it), then only the largest 4-connected lit region (dropping specks of noise and
     * text outside the disc), then its holes filled (dark pixels inside the disc that the border cannot reach
     * through unlit pixels: vessels, haemorrhages, a dim macula). On CHASE_DB1 this covers 69-70% of the image,
     * the area of the 919 px disc.
     */
    static byte[] deriveFov(Image img) {
        int w = img.width();
        int h = img.height();
        int n = w * h;
        byte[] lit = new byte[n];
        for (int i = 0; i < n; i++) {
            int m = 0;
            for (int c = 0; c < img.channels(); c++) {
                m = Math.max(m, img.pixels()[i * img.channels() + c] & 0xff);
            }
            lit[i] = (byte) (m > FOV_THRESHOLD ? 1 : 0);
        }
        // Label the lit components; keep the largest.
        int[] label = new int[n];
        int[] stack = new int[n];
        int best = 0;
        int bestSize = 0;
        int next = 0;
        for (int s = 0; s < n; s++) {
            if (lit[s] == 0 || label[s] != 0) {
                continue;
            }
            int id = ++next;
            int size = flood(lit, (byte) 1, label, id, s, w, h, stack);
            if (size > bestSize) {
                bestSize = size;
                best = id;
            }
        }
        byte[] fov = new byte[n];
        if (best == 0) {
            return fov; // an all-black image has no field of view
        }
        // Outside = unlit (or lit but not the disc) pixels reachable from the border; everything else is inside.
        byte[] notDisc = new byte[n];
        for (int i = 0; i < n; i++) {
            notDisc[i] = (byte) (label[i] == best ? 0 : 1);
        }
        int[] outside = new int[n];
        for (int x = 0; x < w; x++) {
            seed(notDisc, outside, x, w, h, stack);
            seed(notDisc, outside, (h - 1) * w + x, w, h, stack);
        }
        for (int y = 0; y < h; y++) {
            seed(notDisc, outside, y * w, w, h, stack);
            seed(notDisc, outside, y * w + w - 1, w, h, stack);
        }
        for (int i = 0; i < n; i++) {
            fov[i] = (byte) (outside[i] == 0 ? 1 : 0);
        }
        return fov;
    }

    private static void seed(byte[] notDisc, int[] outside, int at, int w, int h, int[] stack) {
        if (notDisc[at] == 1 && outside[at] == 0) {
            flood(notDisc, (byte) 1, outside, 1, at, w, h, stack);
        }
    }

    /** Labels the 4-connected region of {@code value} pixels around {@code start} with {@code id}; its size. */
    private static int flood(byte[] px, byte value, int[] label, int id, int start, int w, int h, int[] stack) {
        int top = 0;
        stack[top++] = start;
        label[start] = id;
        int size = 0;
        while (top > 0) {
            int p = stack[--top];
            size++;
            int x = p % w;
            int y = p / w;
            if (x > 0) {
                top = push(px, value, label, id, p - 1, stack, top);
            }
            if (x < w - 1) {
                top = push(px, value, label, id, p + 1, stack, top);
            }
            if (y > 0) {
                top = push(px, value, label, id, p - w, stack, top);
            }
            if (y < h - 1) {
                top = push(px, value, label, id, p + w, stack, top);
            }
        }
        return size;
    }

    private static int push(byte[] px, byte value, int[] label, int id, int q, int[] stack, int top) {
        if (px[q] == value && label[q] == 0) {
            label[q] = id;
            stack[top++] = q;
        }
        return top;
    }

    /**
     * SHA-256 over one line per file (split, role, path relative to {@code root}, bytes, the file's own SHA-256):
     * it changes when a file's content changes, a file is added or removed, or one moves between splits.
     */
    static String digest(Path root, Map<Split, FileSegmentationSplit> splits) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Split s : Split.values()) {
                for (Entry e : splits.get(s).entries()) {
                    line(md, root, s, "image", e.image());
                    line(md, root, s, "mask", e.mask());
                    if (e.fov() != null) {
                        line(md, root, s, "fov", e.fov());
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void line(MessageDigest md, Path root, Split s, String role, Path file) {
        try {
            String text = s.id() + "\t" + role + "\t" + root.relativize(file) + "\t" + Files.size(file) + "\t"
                    + FileIdentity.sha256(file) + "\n";
            md.update(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The pixel values of a mask-like file (one value per pixel; grey stored as RGB is read as grey). */
    private static int[] values(Path file, Path image, int width, int height, String what) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": " + what + " file not found (expected one for " + image + ")");
        }
        if (ImageFiles.isDicom(file)) {
            throw new BadInputException(file + ": a DICOM " + what + " is not read (expected PNG, GIF, TIFF or BMP"
                    + " class ids; DICOM is read for images only)");
        }
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = reader(in, file);
            try {
                reader.setInput(in, true, true);
                int[] size = checkedSize(file, reader);
                if (size[0] != width || size[1] != height) {
                    throw new BadInputException(file + ": " + what + " is " + size[0] + " x " + size[1] + " pixels but "
                            + "its image " + image + " is " + width + " x " + height + " (expected the same size)");
                }
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, what, e);
        }
        Raster raster = img.getRaster();
        int[] v = raster.getSamples(0, 0, width, height, 0, (int[]) null);
        int colours = img.getColorModel().getNumColorComponents();
        if (raster.getNumBands() > 1 && colours > 1 && !(img.getColorModel() instanceof java.awt.image.IndexColorModel)) {
            for (int b = 1; b < colours; b++) {
                int[] other = raster.getSamples(0, 0, width, height, b, (int[]) null);
                for (int i = 0; i < v.length; i++) {
                    if (other[i] != v[i]) {
                        throw new BadInputException(file + ": " + what + " has colour at pixel (x=" + i % width + ", y="
                                + i / width + ") (expected one value per pixel: a grey or indexed image of class ids)");
                    }
                }
            }
        }
        return v;
    }

    private static ImageReader reader(ImageInputStream in, Path file) {
        Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
        if (readers == null || !readers.hasNext()) {
            throw new BadInputException(file + ": not a readable image (expected PNG, JPEG, GIF, TIFF or BMP)");
        }
        return readers.next();
    }

    private static int[] checkedSize(Path file, ImageReader reader) throws IOException {
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width < 1 || height < 1 || width * height > ImageFiles.MAX_PIXELS) {
            throw new BadInputException(file + ": image header declares " + width + " x " + height
                    + " pixels, expected from 1 x 1 to " + ImageFiles.MAX_PIXELS + " pixels (8192 x 8192)");
        }
        return new int[] {(int) width, (int) height};
    }

    private static BadInputException unreadable(Path file, String what, Exception e) {
        if (e instanceof BadInputException bad) {
            return bad;
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
        return new BadInputException(file + ": cannot read " + what + " (" + why + ")");
    }
}
