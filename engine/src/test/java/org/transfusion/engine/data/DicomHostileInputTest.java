package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * Broken and hostile DICOM files are refused with one {@link BadInputException} line naming the file and the
 * field, before anything their lengths or sizes claim is allocated.
 */
class DicomHostileInputTest {
    @TempDir Path dir;

    private AbstractThrowableAssert<?, ? extends Throwable> refused(Path f) {
        return assertThatThrownBy(() -> ImageFiles.read(f, ImageFiles.Mode.GREY)).as(f.toString())
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(f + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /**
     * A file cut anywhere before the end of what the image needs is refused. That is the whole file for native
     * pixel data; for RLE all but the sequence delimiter after the first fragment (8 bytes, never read); for the
     * deflated file all but its last byte, since Inflater hands out the whole data set before it reads that byte.
     */
    @Test
    void everyTruncationOfAFileIsRefused() throws IOException {
        DicomWriter[] files = {DicomFileTest.monochrome1(DicomSyntax.EXPLICIT_LITTLE),
            DicomFileTest.monochrome1(DicomSyntax.IMPLICIT_LITTLE), DicomFileTest.monochrome1(DicomSyntax.EXPLICIT_BIG),
            DicomFileTest.monochrome1(DicomSyntax.DEFLATED_EXPLICIT_LITTLE), DicomFileTest.rle()};
        int[] unread = {0, 0, 0, 1, 8};
        for (int k = 0; k < files.length; k++) {
            byte[] whole = files[k].part10();
            assertThat(ImageFiles.read(write("whole.dcm", whole), ImageFiles.Mode.GREY).pixels()).isNotEmpty();
            for (int n = 0; n < whole.length - unread[k]; n++) {
                refused(write("cut.dcm", Arrays.copyOf(whole, n)));
            }
        }
    }

    @Test
    void aTruncatedPixelDataIsNamedWithWhatIsLeft() throws IOException {
        byte[] whole = DicomFileTest.monochrome1(DicomSyntax.EXPLICIT_LITTLE).part10();
        // The pixel data is the last 12 bytes (2 x 3 x 2); without its last 4 the 12 it declares are not there.
        refused(write("short.dcm", Arrays.copyOf(whole, whole.length - 4)))
                .hasMessageEndingWith("(7FE0,0010) Pixel Data at byte " + (whole.length - 12)
                        + " needs 12 bytes, but the file has only 8 left");
    }

    @Test
    void aLengthFieldBeyondTheFileIsRefusedBeforeAllocating() throws IOException {
        // A private OB element that claims 2^31 - 16 bytes in a file of a few hundred.
        DicomWriter explicit = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .header(0x00091010, "OB", 0x7FFFFFF0L).raw(new byte[] {1, 2, 3, 4});
        refused(write("ob.dcm", explicit.part10())).hasMessageContaining("(0009,1010) at byte")
                .hasMessageEndingWith("needs 2147483632 bytes, but the file has only 4 left");
        // Implicit VR: a 4-byte length of 0xFFFFFFF0, beyond any Java array.
        DicomWriter implicit = new DicomWriter(DicomSyntax.IMPLICIT_LITTLE)
                .header(0x00100010, null, 0xFFFFFFF0L).raw(new byte[] {1, 2});
        refused(write("implicit.dcm", implicit.part10())).hasMessageContaining("(0010,0010) at byte")
                .hasMessageEndingWith("needs 4294967280 bytes, but the file has only 2 left");
        // A kept attribute longer than any of its values can be.
        DicomWriter window = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .element(DicomAttributes.WINDOW_CENTER, "DS", new byte[2000]);
        refused(write("window.dcm", window.part10()))
                .hasMessageEndingWith("(0028,1050) Window Center is 2000 bytes long, expected at most 1024");
    }

    @Test
    void absurdRowsAndColumnsAreRefusedBeforeThePixelsAreRead() throws IOException {
        for (int[] size : new int[][] {{65535, 65535}, {8193, 8193}, {0, 4}}) {
            Path f = write("size.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                    .grey("MONOCHROME2", size[0], size[1], 8, 8, false)
                    .pixels(new byte[4], false).part10());
            refused(f).hasMessage(f + ": (0028,0010) Rows x (0028,0011) Columns is " + size[0] + " x " + size[1]
                    + ", expected from 1 x 1 to 67108864 pixels (8192 x 8192)");
        }
    }

    @Test
    void pixelDataShorterThanItsFormatIsRefused() throws IOException {
        Path f = write("few.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .grey("MONOCHROME2", 4, 4, 16, 12, false).pixels(new byte[30], true).part10());
        refused(f).hasMessage(f + ": (7FE0,0010) Pixel Data has 30 bytes, expected at least 32 (Rows x Columns x "
                + "Samples per Pixel x Bits Allocated / 8)");
    }

    @Test
    void sequencesNestedTooDeepAreRefused() throws IOException {
        DicomWriter w = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE);
        for (int i = 0; i < 40; i++) {
            w.header(0x00081140, "SQ", DicomWriter.UNDEFINED).item(0xFFFEE000, DicomWriter.UNDEFINED);
        }
        refused(write("deep.dcm", w.part10())).hasMessageContaining("sequences nested more than 32 deep");
    }

    @Test
    void whatIsNotDicomOrNotSupportedIsNamed() throws IOException {
        Path png = dir.resolve("photo.dcm");
        Fixtures.greyImage(png, 4, 4, 100);
        refused(png).hasMessage(png + ": not a DICOM file (no 'DICM' at byte 128, and it does not start with a "
                + "group 0002 or 0008 element)");

        byte[] unknownSyntax = DicomFileTest.monochrome1(DicomSyntax.EXPLICIT_LITTLE).part10();
        int at = indexOf(unknownSyntax, DicomSyntax.EXPLICIT_LITTLE.uid.getBytes());
        unknownSyntax[at + 16] = '7'; // 1.2.840.10008.1.2.1 -> 1.2.840.10008.1.7.1 (no such syntax)
        Path f = write("syntax.dcm", unknownSyntax);
        refused(f).hasMessageStartingWith(f + ": transfer syntax 1.2.840.10008.1.7.1 is not supported; supported: "
                + "Implicit VR Little Endian (1.2.840.10008.1.2), ");

        Path bits = write("bits.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .grey("MONOCHROME2", 1, 1, 32, 32, false).pixels(new byte[4], true).part10());
        refused(bits).hasMessage(bits + ": (0028,0100) Bits Allocated is 32, expected 8 or 16");

        Path palette = write("palette.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .grey("PALETTE COLOR", 1, 2, 8, 8, false).pixels(new byte[2], false).part10());
        refused(palette).hasMessage(palette + ": (0028,0004) Photometric Interpretation is 'PALETTE COLOR' with 1 "
                + "sample(s) per pixel; supported: MONOCHROME1, MONOCHROME2 (1 sample), RGB, YBR_FULL (3 samples)");

        byte[] vr = DicomFileTest.monochrome1(DicomSyntax.EXPLICIT_LITTLE).part10();
        int rows = indexOf(vr, new byte[] {0x28, 0, 0x10, 0, 'U', 'S'});
        vr[rows + 4] = 'Q';
        vr[rows + 5] = 0x01;
        Path badVr = write("vr.dcm", vr);
        refused(badVr).hasMessage(badVr + ": (0028,0010) Rows has value representation 'Q?' at byte " + (rows + 4)
                + ", which is not a DICOM VR");

        Path noPixels = write("nopixels.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .text(DicomAttributes.SOP_INSTANCE_UID, "UI", "1.2.3").part10());
        refused(noPixels).hasMessage(noPixels + ": no (7FE0,0010) Pixel Data (not an image)");
        Path pastPixels = write("past.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .grey("MONOCHROME2", 1, 1, 8, 8, false).element(0x7FE10010, "OB", new byte[2]).part10());
        refused(pastPixels).hasMessage(pastPixels + ": no (7FE0,0010) Pixel Data (not an image)");
    }

    @Test
    void aCorruptDeflatedDataSetIsRefused() throws IOException {
        byte[] whole = DicomFileTest.monochrome1(DicomSyntax.DEFLATED_EXPLICIT_LITTLE).part10();
        String uid = DicomSyntax.DEFLATED_EXPLICIT_LITTLE.uid; // the meta group's last value, 22 bytes: no padding
        int meta = indexOf(whole, uid.getBytes()) + uid.length();
        Arrays.fill(whole, meta, meta + 8, (byte) 0xFF); // 0b111 block type: invalid in every deflate stream
        Path f = write("deflate.dcm", whole);
        refused(f).hasMessageStartingWith(f + ": cannot read (");
    }

    @Test
    void brokenRleFramesAreRefused() throws IOException {
        // 1 x 4 grey, 8 bits: one segment expected.
        byte[] seg = {3, 1, 2, 3, 4};
        byte[] two = DicomWriter.rle(seg);
        DicomWriter.putLe32(two, 0, 2);
        Path count = write("count.dcm", new DicomWriter(DicomSyntax.RLE).grey("MONOCHROME2", 1, 4, 8, 8, false)
                .fragment(two).part10());
        refused(count).hasMessage(count + ": RLE header declares 2 segments, expected 1 (1 samples x 1 bytes)");

        byte[] offsets = DicomWriter.rle(seg);
        DicomWriter.putLe32(offsets, 4, 1000); // the segment starts past the fragment
        Path off = write("offset.dcm", new DicomWriter(DicomSyntax.RLE).grey("MONOCHROME2", 1, 4, 8, 8, false)
                .fragment(offsets).part10());
        refused(off).hasMessageContaining("RLE segment 1 spans bytes 1000 to ");

        Path shortRun = write("run.dcm", new DicomWriter(DicomSyntax.RLE).grey("MONOCHROME2", 1, 4, 8, 8, false)
                .fragment(DicomWriter.rle(new byte[] {1, 9, 9})).part10());
        refused(shortRun).hasMessage(shortRun + ": RLE segment 1 decodes to 2 bytes, expected 4 (Rows x Columns)");

        // A frame of 8192 x 8192 from a fragment of a few bytes: refused by size before the frame is allocated.
        Path tiny = write("tiny.dcm", new DicomWriter(DicomSyntax.RLE).grey("MONOCHROME2", 8192, 8192, 16, 16, false)
                .fragment(DicomWriter.rle(seg, seg)).part10());
        refused(tiny).hasMessageContaining("the RLE frame has 74 bytes, expected 2097216 to ");
    }

    @Test
    void framesTheHeaderDeclaresButThePixelDataLacksAreRefused() throws IOException {
        // 4 x 4 grey, 8 bits: 16 bytes a frame. Three declared, one there.
        byte[] frame = new byte[16];
        Path native1 = write("frames.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .grey("MONOCHROME2", 4, 4, 8, 8, false).text(DicomAttributes.NUMBER_OF_FRAMES, "IS", "3")
                .pixels(frame, false).part10());
        refused(native1).hasMessage(native1 + ": " + DicomAttributes.describe(DicomAttributes.PIXEL_DATA)
                + " has 16 bytes, expected at least 3 x 16 for the 3 frames of "
                + DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES));
        // All three there: read, the first frame decoded.
        Path native3 = write("frames3.dcm", new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .grey("MONOCHROME2", 4, 4, 8, 8, false).text(DicomAttributes.NUMBER_OF_FRAMES, "IS", "3")
                .pixels(new byte[48], false).part10());
        assertThat(ImageFiles.read(native3, ImageFiles.Mode.GREY).height()).isEqualTo(4);
        // RLE stores one fragment per frame: two declared, one fragment.
        Path rle = write("frames-rle.dcm", new DicomWriter(DicomSyntax.RLE).grey("MONOCHROME2", 1, 4, 8, 8, false)
                .text(DicomAttributes.NUMBER_OF_FRAMES, "IS", "2")
                .fragment(DicomWriter.rle(new byte[] {3, 1, 2, 3, 4})).part10());
        refused(rle).hasMessage(rle + ": " + DicomAttributes.describe(DicomAttributes.PIXEL_DATA)
                + " holds 1 frame(s) in 1 fragment(s), expected 2 ("
                + DicomAttributes.describe(DicomAttributes.NUMBER_OF_FRAMES) + ")");
    }

    /** Where {@code needle} first occurs (ISO-8859-1 maps every byte to one char, so String.indexOf finds it). */
    private static int indexOf(byte[] haystack, byte[] needle) {
        int at = new String(haystack, StandardCharsets.ISO_8859_1)
                .indexOf(new String(needle, StandardCharsets.ISO_8859_1));
        assertThat(at).as("bytes to patch").isNotNegative();
        return at;
    }
}
