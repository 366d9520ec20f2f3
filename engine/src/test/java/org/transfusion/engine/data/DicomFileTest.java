package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DICOM decoding rules on small files written here ({@link DicomWriter}), one rule per test, in every transfer
 * syntax the reader takes. Expected values are worked out by hand from the formulas in {@link DicomImage}'s
 * Javadoc (PS3.3 C.11.2) and were checked against pydicom 2.3.1 on the same files (the snippets are cited).
 */
class DicomFileTest {
    @TempDir Path dir;

    private static final DicomSyntax[] NATIVE = {DicomSyntax.IMPLICIT_LITTLE, DicomSyntax.EXPLICIT_LITTLE,
        DicomSyntax.DEFLATED_EXPLICIT_LITTLE, DicomSyntax.EXPLICIT_BIG};

    /** Stored 12-bit values of {@link #monochrome1}, 2 x 3; the words also carry junk in their top 4 bits. */
    static final int[] TWELVE_BIT = {0, 100, 200, 4095, 50, 1000};

    /**
     * MONOCHROME1, 16 bits allocated, 12 stored, unsigned, Rescale Slope 2, Intercept -100, no window, 2 x 3.
     * The top four bits of each word are set on some pixels: they are not part of the value (PS3.5 8.1.1).
     */
    static DicomWriter monochrome1(DicomSyntax syntax) {
        DicomWriter w = new DicomWriter(syntax)
                .text(DicomAttributes.SOP_INSTANCE_UID, "UI", "1.2.826.0.1.3680043.8.498.1");
        return monochrome1Pixels(monochrome1Attributes(w));
    }

    private static DicomWriter monochrome1Attributes(DicomWriter w) {
        return w.grey("MONOCHROME1", 2, 3, 16, 12, false)
                .text(DicomAttributes.RESCALE_INTERCEPT, "DS", "-100")
                .text(DicomAttributes.RESCALE_SLOPE, "DS", "2");
    }

    private static DicomWriter monochrome1Pixels(DicomWriter w) {
        int[] words = new int[TWELVE_BIT.length];
        for (int i = 0; i < words.length; i++) {
            words[i] = TWELVE_BIT[i] | (i % 2 == 0 ? 0xF000 : 0);
        }
        return w.pixels(DicomWriter.words(words, w.syntax().bigEndian), true);
    }

    @Test
    void monochrome1IsRescaledStretchedToItsRangeAndInvertedInEverySyntax() throws IOException {
        // modality m = 2 * stored - 100 = -100, 100, 300, 8090, 0, 1900; min -100, max 8090, so
        // y = 255 (m + 100) / 8190 = 0, 6.227, 12.454, 255, 3.114, 62.271 -> rounded 0, 6, 12, 255, 3, 62
        // -> MONOCHROME1 inverted: 255, 249, 243, 0, 252, 193.
        // pydicom, on the file in each syntax: ds.pixel_array -> [[61440 100 61640] [4095 61490 1000]] (pydicom
        // keeps the junk bits); & 0x0FFF -> [[0 100 200] [4095 50 1000]]; apply_modality_lut of that ->
        // [[-100. 100. 300.] [8090. 0. 1900.]].
        int[] want = {255, 249, 243, 0, 252, 193};
        for (DicomSyntax syntax : NATIVE) {
            Path f = monochrome1(syntax).write(dir.resolve(syntax + ".dcm"));
            DicomImage d = DicomFile.read(f);
            for (int i = 0; i < TWELVE_BIT.length; i++) {
                assertThat(d.stored(i, 0)).as(syntax + " stored " + i).isEqualTo(TWELVE_BIT[i]);
            }
            assertThat(d.modality(3)).isEqualTo(8090.0);
            assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.GREY))).as(syntax.title).containsExactly(want);
        }
    }

    @Test
    void aDataSetWithoutPreambleOrMetaGroupIsReadAsLittleEndianWithTheVrEncodingItShows() throws IOException {
        int[] want = {255, 249, 243, 0, 252, 193}; // as above
        for (DicomSyntax syntax : new DicomSyntax[] {DicomSyntax.IMPLICIT_LITTLE, DicomSyntax.EXPLICIT_LITTLE}) {
            Path f = Files.write(dir.resolve("bare-" + syntax + ".dcm"), monochrome1(syntax).dataSet());
            assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.GREY))).as(syntax.title).containsExactly(want);
        }
    }

    /** Signed 16-bit MONOCHROME2, 2 x 3, with a window of centre 0, width 100 and the given VOI LUT Function. */
    static DicomWriter windowed(DicomSyntax syntax, String function) {
        int[] stored = {-1000, -10, 0, 10, 1000, 40};
        return new DicomWriter(syntax)
                .grey("MONOCHROME2", 2, 3, 16, 16, true)
                .text(DicomAttributes.WINDOW_CENTER, "DS", "0\\500")  // two windows: the first is used
                .text(DicomAttributes.WINDOW_WIDTH, "DS", "100\\2000")
                .text(DicomAttributes.VOI_LUT_FUNCTION, "CS", function)
                .pixels(DicomWriter.words(stored, syntax.bigEndian), true);
    }

    @Test
    void theFirstVoiWindowMapsSignedValuesWithItsFunction() throws IOException {
        // stored -1000, -10, 0, 10, 1000, 40; window c = 0, w = 100 (PS3.3 C.11.2.1.2 onto 0..255):
        // LINEAR: c - 0.5 = -0.5, w - 1 = 99; <= -50 -> 0, > 49 -> 255, else ((m + 0.5) / 99 + 0.5) * 255:
        //   -10 -> 103.03, 0 -> 128.79, 10 -> 154.55, 40 -> 231.82 => 0, 103, 129, 155, 255, 232
        // LINEAR_EXACT: <= -50 -> 0, > 50 -> 255, else (m / 100 + 0.5) * 255:
        //   -10 -> 102, 0 -> 127.5, 10 -> 153, 40 -> 229.5 => 0, 102, 128, 153, 255, 230 (halves round up)
        // SIGMOID: 255 / (1 + exp(-4 m / 100)): -1000 -> 0.0000, -10 -> 102.33, 0 -> 127.5, 10 -> 152.67,
        //   1000 -> 255.0, 40 -> 212.16 => 0, 102, 128, 153, 255, 212
        // pydicom: apply_windowing(ds.pixel_array, ds) on each file, then (y + 32768) / 65535 * 255, floor(+0.5):
        //   LINEAR [0 103 129 155 255 232], LINEAR_EXACT [0 102 128 153 255 230], SIGMOID [0 102 128 153 255 212]
        int[][] want = {{0, 103, 129, 155, 255, 232}, {0, 102, 128, 153, 255, 230}, {0, 102, 128, 153, 255, 212}};
        String[] functions = {"LINEAR", "LINEAR_EXACT", "SIGMOID"};
        for (int k = 0; k < functions.length; k++) {
            for (DicomSyntax syntax : NATIVE) {
                Path f = windowed(syntax, functions[k]).write(dir.resolve(functions[k] + syntax + ".dcm"));
                assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.AS_STORED))).as(functions[k] + " " + syntax)
                        .containsExactly(want[k]);
            }
        }
    }

    /** 2 x 2 RGB, 8-bit: red, green, blue, grey 128; pixel by pixel or, with {@code planar}, plane by plane. */
    static DicomWriter rgb(DicomSyntax syntax, boolean planar) {
        int[][] px = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {128, 128, 128}};
        byte[] data = new byte[12];
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 3; c++) {
                data[planar ? c * 4 + i : i * 3 + c] = (byte) px[i][c];
            }
        }
        return new DicomWriter(syntax)
                .us(DicomAttributes.SAMPLES_PER_PIXEL, 3)
                .text(DicomAttributes.PHOTOMETRIC, "CS", "RGB")
                .us(DicomAttributes.PLANAR_CONFIGURATION, planar ? 1 : 0)
                .us(DicomAttributes.ROWS, 2).us(DicomAttributes.COLUMNS, 2)
                .us(DicomAttributes.BITS_ALLOCATED, 8).us(DicomAttributes.BITS_STORED, 8)
                .us(DicomAttributes.HIGH_BIT, 7).us(DicomAttributes.PIXEL_REPRESENTATION, 0)
                .pixels(data, false);
    }

    @Test
    void rgbIsReadPixelByPixelOrPlaneByPlaneAndGreyIsItsLuminance() throws IOException {
        // pydicom: both files' pixel_array.reshape(-1, 3) -> [[255 0 0] [0 255 0] [0 0 255] [128 128 128]];
        // grey (299 r + 587 g + 114 b + 500) // 1000 -> 76, 150, 29, 128.
        for (boolean planar : new boolean[] {false, true}) {
            Path f = rgb(DicomSyntax.EXPLICIT_LITTLE, planar).write(dir.resolve("rgb" + planar + ".dcm"));
            assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.AS_STORED))).as("planar " + planar)
                    .containsExactly(255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128);
            assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.GREY))).containsExactly(76, 150, 29, 128);
        }
    }

    @Test
    void ybrFullIsConvertedToRgb() throws IOException {
        // (Y, Cb, Cr) = (76, 85, 255): R = 76 + 1.402 * 127 = 254.05, G = 76 - 0.344136 * -43 - 0.714136 * 127
        // = 0.10, B = 76 + 1.772 * -43 = -0.20 -> (254, 0, 0); (128, 128, 128) -> (128, 128, 128).
        // pydicom: convert_color_space(ds.pixel_array, 'YBR_FULL', 'RGB') -> [[[254 0 0] [128 128 128]]].
        Path f = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .us(DicomAttributes.SAMPLES_PER_PIXEL, 3)
                .text(DicomAttributes.PHOTOMETRIC, "CS", "YBR_FULL")
                .us(DicomAttributes.PLANAR_CONFIGURATION, 0)
                .us(DicomAttributes.ROWS, 1).us(DicomAttributes.COLUMNS, 2)
                .us(DicomAttributes.BITS_ALLOCATED, 8).us(DicomAttributes.BITS_STORED, 8)
                .us(DicomAttributes.HIGH_BIT, 7).us(DicomAttributes.PIXEL_REPRESENTATION, 0)
                .pixels(new byte[] {76, 85, (byte) 255, (byte) 128, (byte) 128, (byte) 128}, false)
                .write(dir.resolve("ybr.dcm"));
        assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.RGB))).containsExactly(254, 0, 0, 128, 128, 128);
    }

    /**
     * pydicom reads these files too (dcmread(f): Rows 2, Columns 3, the icon item's Rows 1, pixel_array
     * [[61440 100 61640] [4095 61490 1000]]), so the sequences are well-formed, not just what this reader happens
     * to skip; except the big-endian one, whose UN value pydicom 2.3 reads big endian against PS3.5 6.2.2.
     */
    @Test
    void sequencesOfEveryShapeAreSkippedAndTheirNestedAttributesIgnored() throws IOException {
        for (DicomSyntax syntax : NATIVE) {
            DicomWriter w = new DicomWriter(syntax)
                    .text(DicomAttributes.SOP_INSTANCE_UID, "UI", "1.2.3");
            // (0008,1140) SQ of undefined length: an undefined-length item holding an element and a nested
            // undefined-length SQ with one defined-length item, then a defined-length item.
            byte[] element = new DicomWriter(syntax).text(0x00081030, "LO", "study").dataSet();
            w.header(0x00081140, "SQ", DicomWriter.UNDEFINED)
                    .item(0xFFFEE000, DicomWriter.UNDEFINED)
                    .text(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.1")
                    .header(0x00081199, "SQ", DicomWriter.UNDEFINED)
                    .item(0xFFFEE000, element.length).raw(element)
                    .item(0xFFFEE0DD, 0)
                    .item(0xFFFEE00D, 0)
                    .item(0xFFFEE000, element.length).raw(element)
                    .item(0xFFFEE0DD, 0);
            if (syntax.explicitVr) {
                // A private element of VR UN and undefined length: its value is a sequence in implicit VR little
                // endian "irrespective of the current Transfer Syntax" (PS3.5 6.2.2), even in the big-endian file.
                w.header(0x00091010, "UN", DicomWriter.UNDEFINED)
                        .raw(new DicomWriter(DicomSyntax.IMPLICIT_LITTLE)
                                .item(0xFFFEE000, DicomWriter.UNDEFINED)
                                .text(0x00091011, "LO", "private")
                                .item(0xFFFEE00D, 0)
                                .item(0xFFFEE0DD, 0)
                                .dataSet());
            }
            monochrome1Attributes(w);
            // An icon image sequence (0088,0200) whose item has its own Rows, Columns and Pixel Data: a 1 x 1 icon
            // that must not replace the 2 x 3 image's attributes.
            w.header(0x00880200, "SQ", DicomWriter.UNDEFINED)
                    .item(0xFFFEE000, DicomWriter.UNDEFINED)
                    .us(DicomAttributes.ROWS, 1).us(DicomAttributes.COLUMNS, 1)
                    .element(DicomAttributes.PIXEL_DATA, "OB", new byte[] {7, 7})
                    .item(0xFFFEE00D, 0)
                    .item(0xFFFEE0DD, 0);
            monochrome1Pixels(w);
            Path f = w.write(dir.resolve("seq" + syntax + ".dcm"));
            assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.GREY))).as(syntax.title)
                    .containsExactly(255, 249, 243, 0, 252, 193);
            assertThat(DicomFile.sopInstanceUid(f)).isEqualTo("1.2.3");
        }
    }

    /**
     * 1 x 4 grey, 16 bits, RLE Lossless: stored 0x0102, 0x0102, 0x0102, 0x0A0B. The high-byte segment is a repeat
     * run (header -2: 3 x 0x01) and a literal run (header 0: 0x0A), the low-byte one the same with 0x02 and 0x0B.
     */
    static DicomWriter rle() {
        byte[] high = {-2, 1, 0, 10};
        byte[] low = {-2, 2, 0, 11};
        return new DicomWriter(DicomSyntax.RLE)
                .grey("MONOCHROME2", 1, 4, 16, 16, false)
                .fragment(DicomWriter.rle(high, low));
    }

    @Test
    void rleLosslessDecodesRepeatAndLiteralRuns() throws IOException {
        // pydicom (its numpy RLE handler): ds.pixel_array -> [[258 258 258 2571]]; min-max -> 0, 0, 0, 255.
        Path f = rle().write(dir.resolve("rle.dcm"));
        DicomImage d = DicomFile.read(f);
        assertThat(new int[] {d.stored(0, 0), d.stored(1, 0), d.stored(2, 0), d.stored(3, 0)})
                .containsExactly(258, 258, 258, 2571);
        assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.GREY))).containsExactly(0, 0, 0, 255);
    }

    @Test
    void ofSeveralFramesTheFirstIsDecoded() throws IOException {
        // Two 1 x 2 frames of 8-bit MONOCHROME2: (10, 20) then (200, 250). Min-max of the first: 0 and 255.
        Path f = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .text(DicomAttributes.NUMBER_OF_FRAMES, "IS", "2")
                .grey("MONOCHROME2", 1, 2, 8, 8, false)
                .pixels(new byte[] {10, 20, (byte) 200, (byte) 250}, false)
                .write(dir.resolve("frames.dcm"));
        assertThat(pixels(ImageFiles.read(f, ImageFiles.Mode.GREY))).containsExactly(0, 255);
    }

    @Test
    void theSopInstanceUidIsReadFromTheHeaderAlone() throws IOException {
        Path f = monochrome1(DicomSyntax.DEFLATED_EXPLICIT_LITTLE).write(dir.resolve("uid.dcm"));
        assertThat(DicomFile.sopInstanceUid(f)).isEqualTo("1.2.826.0.1.3680043.8.498.1");
        Path none = windowed(DicomSyntax.EXPLICIT_BIG, "LINEAR").write(dir.resolve("none.dcm"));
        assertThat(DicomFile.sopInstanceUid(none)).isNull();
    }

    static int[] pixels(Image img) {
        int[] out = new int[img.pixels().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = img.pixels()[i] & 0xff;
        }
        return out;
    }
}
