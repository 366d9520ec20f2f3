package org.transfusion.engine.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes small MedMNIST-layout .npz fixtures for tests (uint8 images, int64 labels). */
public final class TestNpz {
    private TestNpz() {}

    /**
     * A two-class problem a CNN learns in a few steps: class 1 images are brighter in a centre square.
     * Splits: {@code train} train, {@code eval} each for val and test, {@code size x size} grey pixels.
     */
    public static Path brightSquares(Path dir, int train, int eval, int size, long seed) throws IOException {
        Path file = dir.resolve("squares.npz");
        SplittableRandom rng = new SplittableRandom(seed);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (String split : new String[] {"train", "val", "test"}) {
                int n = split.equals("train") ? train : eval;
                byte[] images = new byte[n * size * size];
                long[] labels = new long[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = i % 2;
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            boolean centre = Math.abs(y - size / 2) < size / 4 && Math.abs(x - size / 2) < size / 4;
                            int v = 60 + rng.nextInt(60) + (centre && labels[i] == 1 ? 80 : 0);
                            images[(i * size + y) * size + x] = (byte) v;
                        }
                    }
                }
                entry(zip, split + "_images", "|u1", new long[] {n, size, size}, images);
                ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (long l : labels) {
                    b.putLong(l);
                }
                entry(zip, split + "_labels", "<i8", new long[] {n, 1}, b.array());
            }
        }
        return file;
    }

    /** Writes one .npy member (version 1.0 header, C order). */
    public static void entry(ZipOutputStream zip, String name, String descr, long[] shape, byte[] data)
            throws IOException {
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        writeNpy(zip, descr, shape, data);
        zip.closeEntry();
    }

    public static void writeNpy(OutputStream out, String descr, long[] shape, byte[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xff);
        out.write((header.length() >> 8) & 0xff);
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        out.write(data);
    }
}
