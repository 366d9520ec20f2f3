package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
