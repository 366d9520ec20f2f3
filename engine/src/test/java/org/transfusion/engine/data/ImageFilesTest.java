package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class ImageFilesTest {

    @Test
    void greyPngKeepsItsExactValues(@TempDir Path dir) throws IOException {
        // Through getRGB an 8-bit grey PNG comes back gamma-converted (100 -> 168 with the JDK 17 PNG reader);
        // the decoder must read the samples.
        Path f = Fixtures.greyImage(dir.resolve("g.png"), 3, 2, 100);
        Image img = ImageFiles.read(f, ImageFiles.Mode.AS_STORED);
        assertThat(img.channels()).isEqualTo(1);
        assertThat(img.width()).isEqualTo(3);
        assertThat(img.height()).isEqualTo(2);
        assertThat(img.pixel(1, 2, 0)).isEqualTo(100);
        Image rgb = ImageFiles.read(f, ImageFiles.Mode.RGB);
        assertThat(new int[] {rgb.pixel(0, 0, 0), rgb.pixel(0, 0, 1), rgb.pixel(0, 0, 2)}).containsExactly(100, 100, 100);
    }

    @Test
    void sixteenBitGreyIsScaledToEightBits(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 0xABCD);
        img.getRaster().setSample(1, 0, 0, 0xFFFF);
        Path f = dir.resolve("g16.png");
        ImageIO.write(img, "png", f.toFile());
        Image out = ImageFiles.read(f, ImageFiles.Mode.GREY);
        // Top 8 bits: 0xABCD >> 8 = 0xAB = 171.
        assertThat(out.pixel(0, 0, 0)).isEqualTo(0xAB);
        assertThat(out.pixel(0, 1, 0)).isEqualTo(255);
    }

    @Test
    void colourToGreyIsRec601Luminance(@TempDir Path dir) throws IOException {
        Path f = Fixtures.rgbImage(dir.resolve("c.png"), 1, 1, 0xC86432); // (200, 100, 50)
        // (299 * 200 + 587 * 100 + 114 * 50 + 500) / 1000 = 124
        assertThat(ImageFiles.read(f, ImageFiles.Mode.GREY).pixel(0, 0, 0)).isEqualTo(124);
        Image rgb = ImageFiles.read(f, ImageFiles.Mode.AS_STORED);
        assertThat(new int[] {rgb.pixel(0, 0, 0), rgb.pixel(0, 0, 1), rgb.pixel(0, 0, 2)}).containsExactly(200, 100, 50);
    }

    @Test
    void notAnImageIsAOneLineErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("x.jpeg"), "GIF? no: text");
        assertThatThrownBy(() -> ImageFiles.read(f, ImageFiles.Mode.RGB))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(f + ": not a readable image");
        assertThatThrownBy(() -> ImageFiles.read(dir.resolve("gone.png"), ImageFiles.Mode.RGB))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("gone.png") + ": image file not found");
    }

    /**
     * The pixel bomb: a small file whose header declares 40,000 x 40,000 pixels (1.6e9, 6.4 GB as decoded
     * ARGB) once ran the loader out of memory. It is refused from the header, before decoding, in under a second.
     */
    @Test
    void imageDeclaringFortyThousandSquaredPixelsIsRefusedFromItsHeader(@TempDir Path dir) throws IOException {
        // PNG: IHDR's width and height are big-endian at bytes 16 and 20, its CRC-32 (over type and data, bytes
        // 12-28) at 29 (PNG specification, 5.3 and 11.2.2); the CRC is recomputed so only the size is hostile.
        byte[] png = Files.readAllBytes(Fixtures.greyImage(dir.resolve("small.png"), 1, 1, 0));
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 40_000).putInt(20, 40_000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        Path pngBomb = Files.write(dir.resolve("bomb.png"), png);
        // JPEG: the baseline frame header (marker FF C0) holds length, precision, then height and width as
        // big-endian 16-bit numbers (ITU T.81, B.2.2)
        byte[] jpeg = Files.readAllBytes(Fixtures.greyImage(dir.resolve("small.jpg"), 8, 8, 0));
        int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
        ByteBuffer.wrap(jpeg).putShort(sof + 5, (short) 40_000).putShort(sof + 7, (short) 40_000);
        Path jpegBomb = Files.write(dir.resolve("bomb.jpg"), jpeg);
        for (Path bomb : new Path[] {pngBomb, jpegBomb}) {
            long t0 = System.nanoTime();
            long before = allocated();
            assertThatThrownBy(() -> ImageFiles.read(bomb, ImageFiles.Mode.GREY)).isInstanceOf(BadInputException.class)
                    .hasMessage(bomb + ": image header declares 40000 x 40000 pixels, expected from 1 x 1 to 67108864 "
                            + "pixels (8192 x 8192)");
            assertThat(allocated() - before).as("bytes allocated").isLessThan(16L << 20);
            assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(1);
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static int indexOf(byte[] bytes, byte first, byte second) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == first && bytes[i + 1] == second) {
                return i;
            }
        }
        throw new AssertionError("marker not found");
    }
}
