package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * Encapsulated pixel data (PS3.5 A.4) and the compressed codestreams in it: frames found by the basic offset table
 * or by where codestreams start, each decoded to what the JDK's own JPEG decoder makes of the same bytes (the
 * oracle: the frame's codestream read outside DICOM), and hostile codestreams and fragments refused in one line
 * before a decoder allocates anything.
 */
class DicomCodecsTest {
    @TempDir Path dir;

    /** A baseline JPEG of a 24 x 32 grey picture, {@code seed} varying the pattern, by the JDK's writer. */
    static byte[] jpeg(int seed) throws IOException {
        BufferedImage img = new BufferedImage(32, 24, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                img.getRaster().setSample(x, y, 0, (x * 7 + y * 5 * seed + seed * 40) & 0xff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, "jpeg", out)).isTrue();
        return out.toByteArray();
    }

    /** The JDK reader's samples of a JPEG codestream, outside any DICOM: the values each frame must decode to. */
    private static int[] jdk(byte[] jpeg) throws IOException {
        var readers = ImageIO.getImageReadersByFormatName("jpeg");
        while (readers.hasNext()) {
            var r = readers.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.")) {
                r.setInput(ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg)));
                Raster raster = r.readRaster(0, null);
                return raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null);
            }
        }
        throw new AssertionError("no JDK JPEG reader");
    }

    private static int[] stored(DicomImage d) {
        int[] out = new int[d.format().pixels()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.stored(i, 0);
        }
        return out;
    }

    private static DicomWriter jpegFile(int frames) {
        DicomWriter w = new DicomWriter(DicomSyntax.JPEG_BASELINE).grey("MONOCHROME2", 24, 32, 8, 8, false);
        return frames > 1 ? w.text(DicomAttributes.NUMBER_OF_FRAMES, "IS", String.valueOf(frames)) : w;
    }

    @Test
    void aJpegBaselineFrameDecodesToWhatTheJdkMakesOfItsCodestream() throws IOException {
        byte[] a = jpeg(1);
        Path f = jpegFile(1).fragment(a).write(dir.resolve("one.dcm"));
        assertThat(stored(DicomFile.read(f))).containsExactly(jdk(a));
        assertThat(DicomFile.scan(f).problem()).isNull();
        // one frame split over three fragments: joined
        Path split = jpegFile(1).fragments(null, Arrays.copyOfRange(a, 0, 100), Arrays.copyOfRange(a, 100, 300),
                Arrays.copyOfRange(a, 300, a.length)).write(dir.resolve("split.dcm"));
        assertThat(stored(DicomFile.read(split))).containsExactly(jdk(a));
        assertThat(DicomFile.scan(split).problem()).as("the frame header found across fragments").isNull();
        Path tiny = jpegFile(1).fragments(null, Arrays.copyOfRange(a, 0, 4), Arrays.copyOfRange(a, 4, a.length))
                .write(dir.resolve("tiny.dcm"));
        assertThat(DicomFile.scan(tiny).problem()).isNull();
    }

    @Test
    void framesAreFoundByTheOffsetTableOrByWhereEachCodestreamStarts() throws IOException {
        byte[] a = jpeg(1);
        byte[] b = jpeg(2);
        long second = 8 + (a.length + a.length % 2); // item header + padded fragment
        Path table = jpegFile(2).fragments(new long[] {0, second}, a, b).write(dir.resolve("table.dcm"));
        Path starts = jpegFile(2).fragments(null, Arrays.copyOfRange(a, 0, 200), Arrays.copyOfRange(a, 200, a.length),
                Arrays.copyOfRange(b, 0, 150), Arrays.copyOfRange(b, 150, b.length)).write(dir.resolve("starts.dcm"));
        for (Path f : new Path[] {table, starts}) {
            assertThat(stored(DicomFile.read(f, 0))).as(f + " frame 1").containsExactly(jdk(a));
            assertThat(stored(DicomFile.read(f, 1))).as(f + " frame 2").containsExactly(jdk(b));
            assertThat(DicomFile.scan(f).frames()).isEqualTo(2);
            assertThatThrownBy(() -> DicomFile.read(f, 2)).isInstanceOf(BadInputException.class)
                    .hasMessage(f + ": frame 3 asked for, but the file has 2 ((0028,0008) Number of Frames)");
        }
        assertThat(jdk(a)).isNotEqualTo(jdk(b));
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Path f) {
        return assertThatThrownBy(() -> ImageFiles.read(f, ImageFiles.Mode.GREY)).isInstanceOf(BadInputException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(f + ": ").doesNotContain("\n"));
    }

    @Test
    void aJpeg2000CodestreamDeclaringTenGigapixelsIsRefusedBeforeDecoding() throws IOException {
        byte[] siz = new byte[2 + 2 + 2 + 38 + 3 + 2];
        int p = 0;
        for (int v : new int[] {0xFF4F, 0xFF51, 41, 0}) { // SOC, SIZ, Lsiz = 38 + 3, Rsiz
            siz[p++] = (byte) (v >> 8);
            siz[p++] = (byte) v;
        }
        for (long v : new long[] {100_000, 100_000, 0, 0, 100_000, 100_000, 0, 0}) { // image, offsets, tiles
            for (int k = 3; k >= 0; k--) {
                siz[p++] = (byte) (v >> (8 * k));
            }
        }
        siz[p++] = 0;
        siz[p++] = 1; // Csiz = 1
        siz[p++] = 7; // 8-bit unsigned
        siz[p++] = 1;
        siz[p++] = 1;
        siz[p++] = (byte) 0xFF;
        siz[p] = (byte) 0xD9; // EOC
        Path f = new DicomWriter(DicomSyntax.JPEG2000).grey("MONOCHROME2", 64, 64, 8, 8, false).fragment(siz)
                .write(dir.resolve("huge.dcm"));
        String why = "the JPEG 2000 codestream declares 100000 x 100000 pixels, expected at most 67108864 (8192 x 8192)";
        refused(f).hasMessage(f + ": frame 1: " + why);
        assertThat(DicomFile.scan(f).problem()).isEqualTo(f + ": " + why);
    }

    @Test
    void hostileFragmentsAreRefusedInOneLine() throws IOException {
        byte[] a = jpeg(1);
        // a fragment whose length runs past the end of the file
        DicomWriter w = jpegFile(1);
        w.header(DicomAttributes.PIXEL_DATA, "OB", DicomWriter.UNDEFINED).item(0xFFFEE000, 0)
                .item(0xFFFEE000, 60_000).raw(Arrays.copyOf(a, 100));
        Path past = w.write(dir.resolve("past.dcm"));
        refused(past).hasMessageContaining("a fragment of frame 1 at byte ").hasMessageContaining(
                " needs 60000 bytes, but the file has only 100 left");
        assertThat(DicomFile.scan(past).readable()).isFalse();
        // longer than any compressed 24 x 32 frame (2 x 768 bytes + 64 KiB): refused before it is read
        DicomWriter big = jpegFile(1);
        big.header(DicomAttributes.PIXEL_DATA, "OB", DicomWriter.UNDEFINED).item(0xFFFEE000, 0)
                .item(0xFFFEE000, 1_000_000).raw(Arrays.copyOf(a, 100));
        Path bomb = big.write(dir.resolve("bomb.dcm"));
        refused(bomb).hasMessage(bomb + ": frame 1's fragments pass 67072 bytes, more than a compressed 24 x 32 "
                + "frame can take");
        // the codestream cut short inside a well-formed fragment
        Path cut = jpegFile(1).fragment(Arrays.copyOf(a, a.length / 2)).write(dir.resolve("cut.dcm"));
        refused(cut).hasMessageContaining(": frame 1: the JPEG codestream cannot be decoded (");
        // no sequence delimiter after the fragments
        DicomWriter open = jpegFile(1);
        open.header(DicomAttributes.PIXEL_DATA, "OB", DicomWriter.UNDEFINED).item(0xFFFEE000, 0)
                .item(0xFFFEE000, a.length + a.length % 2).raw(Arrays.copyOf(a, a.length + a.length % 2));
        Path unterminated = open.write(dir.resolve("open.dcm"));
        refused(unterminated).hasMessage(unterminated + ": (7FE0,0010) Pixel Data ends without its sequence "
                + "delimiter (FFFE,E0DD) after 1 fragment(s)");
        // an offset table for three frames in a file of two
        Path table = jpegFile(2).fragments(new long[] {0, 10, 20}, a, a).write(dir.resolve("table.dcm"));
        refused(table).hasMessage(table + ": the basic offset table has 12 bytes, expected 0 or 4 per frame (2 "
                + "frames: 8)");
        // two frames declared, one codestream there
        Path missing = jpegFile(2).fragment(a).write(dir.resolve("missing.dcm"));
        refused(missing).hasMessage(missing + ": (7FE0,0010) Pixel Data holds 1 frame(s) in 1 fragment(s), expected 2 "
                + "((0028,0008) Number of Frames)");
    }

    @Test
    void aCodestreamThatDisagreesWithTheDataSetIsRefusedNamingBoth() throws IOException {
        Path size = new DicomWriter(DicomSyntax.JPEG_BASELINE).grey("MONOCHROME2", 64, 64, 8, 8, false)
                .fragment(jpeg(1)).write(dir.resolve("size.dcm"));
        refused(size).hasMessage(size + ": frame 1: the JPEG baseline codestream declares 32 x 24 pixels, but Columns "
                + "x Rows is 64 x 64");
        // a 12-bit DCT frame header (SOF1, precision 12): the JDK's libjpeg decodes 8-bit DCT only
        byte[] sof1 = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC1, 0, 11, 12, 0, 24, 0, 32, 1, 1, 0x11, 0};
        Path twelve = new DicomWriter(DicomSyntax.JPEG_EXTENDED).grey("MONOCHROME2", 24, 32, 16, 12, false)
                .fragment(sof1).write(dir.resolve("twelve.dcm"));
        refused(twelve).hasMessage(twelve + ": frame 1: JPEG extended with 12-bit samples is not supported "
                + "(TwelveMonkeys hands DCT JPEG to the JDK's libjpeg, which decodes 8-bit samples only; 12-bit lossy "
                + "JPEG needs a re-export)");
        assertThat(DicomFile.scan(twelve).problem()).contains("12-bit samples is not supported");
        // not a codestream at all
        Path junk = new DicomWriter(DicomSyntax.JPEG2000).grey("MONOCHROME2", 24, 32, 8, 8, false)
                .fragment(new byte[] {1, 2, 3, 4}).write(dir.resolve("junk.dcm"));
        refused(junk).hasMessage(junk + ": frame 1: the frame does not start with a JPEG 2000 codestream (SOC FF4F, "
                + "then SIZ FF51)");
    }

    @Test
    void thePhotometricInterpretationsOnlyACodecMakesAreTakenForItOnly() throws IOException {
        Path ybr = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE).us(DicomAttributes.SAMPLES_PER_PIXEL, 3)
                .text(DicomAttributes.PHOTOMETRIC, "CS", "YBR_FULL_422").us(DicomAttributes.ROWS, 2)
                .us(DicomAttributes.COLUMNS, 2).us(DicomAttributes.BITS_ALLOCATED, 8)
                .us(DicomAttributes.BITS_STORED, 8).pixels(new byte[12], false).write(dir.resolve("ybr.dcm"));
        refused(ybr).hasMessageContaining("(0028,0004) Photometric Interpretation is 'YBR_FULL_422' with 3 sample(s) "
                + "per pixel; supported: MONOCHROME1, MONOCHROME2 (1 sample), RGB, YBR_FULL (3 samples)");
    }
}
