package org.transfusion.engine.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * Writes the small files reader tests need (npy/npz arrays, PNG/JPEG images, CSV text), so each test builds its
 * fixture in a temporary folder and states every expected number from what it wrote.
 */
public final class Fixtures {
    private Fixtures() {}

    /** One {@code .npy} array: a numpy dtype string, a shape and its little-endian payload. */
    public record Array(String descr, long[] shape, byte[] payload) {}

    public static Array uint8(byte[] values, long... shape) {
        return new Array("|u1", shape, values.clone());
    }

    public static Array int64(long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return new Array("<i8", shape, b.array());
    }

    public static Array float32(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return new Array("<f4", shape, b.array());
    }

    /** Fixed-width unicode ({@code <Un}, UTF-32 little endian, NUL padded), as numpy saves str arrays. */
    public static Array unicode(String... values) {
        int width = 1;
        for (String v : values) {
            width = Math.max(width, v.codePointCount(0, v.length()));
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (String v : values) {
            int[] cps = v.codePoints().toArray();
            for (int k = 0; k < width; k++) {
                b.putInt(k < cps.length ? cps[k] : 0);
            }
        }
        return new Array("<U" + width, new long[] {values.length}, b.array());
    }

    /** The bytes of a version-1 {@code .npy} file. */
    public static byte[] npy(Array a) {
        StringBuilder shape = new StringBuilder("(");
        for (long d : a.shape()) {
            shape.append(d).append(", ");
        }
        if (a.shape().length > 0) {
            shape.setLength(shape.length() - 2);
            if (a.shape().length == 1) {
                shape.append(',');
            }
        }
        shape.append(')');
        String dict = "{'descr': '" + a.descr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(a.payload());
        return out.toByteArray();
    }

    /** Writes an {@code .npz} (zip of {@code NAME.npy} members, deflated like numpy.savez_compressed). */
    public static Path npz(Path file, Map<String, Array> arrays) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, Array> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(npy(e.getValue()));
                zip.closeEntry();
            }
        }
        return file;
    }

    public static Map<String, Array> arrays(Object... nameThenArray) {
        Map<String, Array> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenArray.length; i += 2) {
            m.put((String) nameThenArray[i], (Array) nameThenArray[i + 1]);
        }
        return m;
    }

    /** A grey image whose every pixel is {@code value}, as PNG or JPEG by the file's extension. */
    public static Path greyImage(Path file, int width, int height, int value) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        return write(img, file);
    }

    /** An RGB image filled with one colour, as PNG or JPEG by the file's extension. */
    public static Path rgbImage(Path file, int width, int height, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return write(img, file);
    }

    private static Path write(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String name = file.getFileName().toString().toLowerCase();
        String format = name.endsWith(".png") ? "png" : "jpeg";
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return file;
    }

    /** One tar entry: its name, type flag ('0' file, '5' folder, '2' symbolic link) and contents. */
    public record TarEntry(String name, char type, byte[] data) {
        public static TarEntry file(String name, byte[] data) {
            return new TarEntry(name, '0', data);
        }
    }

    /** A ustar archive of {@code entries}: each a header then its data padded to 512 bytes; two zero blocks end it. */
    public static byte[] tar(List<TarEntry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (TarEntry e : entries) {
            out.writeBytes(tarHeader(e.name(), e.type(), e.data().length));
            out.writeBytes(e.data());
            out.writeBytes(new byte[(512 - e.data().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /** One 512-byte ustar header declaring {@code size} bytes (which need not follow, for forged headers). */
    public static byte[] tarHeader(String name, char type, long size) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] header, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, at, b.length);
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes text lines (a CSV or a split list), creating parent folders. */
    public static Path lines(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
