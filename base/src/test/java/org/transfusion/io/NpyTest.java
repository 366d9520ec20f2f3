package org.transfusion.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/** Reader tests use files written by numpy itself (see src/test/resources/npy/README.md). */
class NpyTest {

    @TempDir Path tmp;

    static Path resource(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** np.arange(6).reshape(2, 3) * 0.5 - 1. */
    private static final double[] BASE = {-1.0, -0.5, 0.0, 0.5, 1.0, 1.5};

    @Test
    void readsLittleEndianFloat32() {
        NpyArray a = Npy.read(resource("f32_le_2x3.npy"));
        assertThat(a.dtype()).isEqualTo(NpyArray.Dtype.FLOAT32);
        assertThat(a.byteOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.toDoubleArray()).containsExactly(BASE);
    }

    @Test
    void readsBigEndianFloat64AndFormatVersion2() {
        NpyArray be = Npy.read(resource("f64_be_2x3.npy"));
        assertThat(be.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(be.toDoubleArray()).containsExactly(BASE);
        assertThat(Npy.read(resource("v2_f64_2x3.npy")).toDoubleArray()).containsExactly(BASE);
    }

    @Test
    void readsIntegers() {
        assertThat(Npy.read(resource("i16_2x2.npy")).toDoubleArray()).containsExactly(1, -2, 3, -4);
        NpyArray u8 = Npy.read(resource("u8_2x2.npy"));
        assertThat(u8.dtype()).isEqualTo(NpyArray.Dtype.UINT8);
        assertThat(u8.toDoubleArray()).containsExactly(0, 255, 7, 128);
    }

    @Test
    void readsBigEndianInt64ExactlyAsTextAndUnsignedInt64AsUnsigned() {
        NpyArray i64 = Npy.read(resource("i64_be_2.npy"));
        assertThat(i64.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        // 2**53 + 1 has no double; as text it must stay exact, like a patient id
        assertThat(i64.getString(0)).isEqualTo("9007199254740993");
        assertThat(i64.getString(1)).isEqualTo("-3");
        NpyArray u64 = Npy.read(resource("u64_2.npy"));
        assertThat(u64.getString(0)).isEqualTo("18446744073709551615");
        assertThat(u64.getDouble(0)).isEqualTo(0x1p64);
        assertThat(u64.getString(1)).isEqualTo("7");
    }

    @Test
    void readsFloat16IncludingSubnormalsAndInfinity() {
        NpyArray a = Npy.read(resource("f16_5.npy"));
        assertThat(a.dtype()).isEqualTo(NpyArray.Dtype.FLOAT16);
        assertThat(a.toDoubleArray()).containsExactly(1.5, -2, 65504, 0x1p-24, Double.NEGATIVE_INFINITY);
        assertThat(a.getString(2)).isEqualTo("65504");
        assertThat(a.getString(0)).isEqualTo("1.5");
    }

    @Test
    void readsNumpyFixedWidthUnicodeIncludingCharactersOutsideTheBmp() {
        NpyArray a = Npy.read(resource("u5_ids.npy"));
        assertThat(a.dtype()).isEqualTo(NpyArray.Dtype.UNICODE);
        assertThat(a.descr()).isEqualTo("<U5");
        assertThat(a.isNumeric()).isFalse();
        assertThat(a.shape()).containsExactly(3);
        assertThat(a.strings()).containsExactly("p1", "pat22", "é€😀");
        assertThat(a.getString(1)).isEqualTo("pat22");
        assertThatThrownBy(() -> a.getDouble(0)).isInstanceOf(BadInputException.class).hasMessageContaining("<U5");
    }

    @Test
    void readsNumpyByteStrings() {
        NpyArray a = Npy.read(resource("s2_ids.npy"));
        assertThat(a.dtype()).isEqualTo(NpyArray.Dtype.BYTE_STRING);
        assertThat(a.strings()).containsExactly("ab", "c");
    }

    @Test
    void integersReadAsTextTheSameWayAsStrings() {
        NpyArray ints = Npy.read(resource("i16_2x2.npy"));
        assertThat(ints.getString(0)).isEqualTo("1");
        assertThat(ints.getString(1)).isEqualTo("-2");
        assertThat(ints.isNumeric()).isTrue();
        assertThatThrownBy(ints::strings).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void uint8AndBoolAreKeptAsBytes() throws IOException {
        NpyArray u8 = Npy.read(resource("u8_2x2.npy"));
        assertThat(u8.isUnsignedBytes()).isTrue();
        assertThat(u8.bytes()).containsExactly(0, 255, 7, 128);
        NpyArray bool = Npy.read(resource("b1_3.npy"));
        assertThat(bool.isUnsignedBytes()).isTrue();
        assertThat(bool.bytes()).containsExactly(1, 0, 1);
        assertThat(bool.toDoubleArray()).containsExactly(1, 0, 1);
        NpyArray i16 = Npy.read(resource("i16_2x2.npy"));
        assertThat(i16.isUnsignedBytes()).isFalse();
        assertThatThrownBy(i16::bytes).isInstanceOf(IllegalStateException.class).hasMessageContaining("<i2");

        // read from a stream the bytes are handed out, not copied again: images are large
        try (InputStream in = Files.newInputStream(resource("u8_2x2.npy"))) {
            NpyArray streamed = Npy.read(in, "u8");
            assertThat(streamed.bytes()).isSameAs(streamed.bytes()).containsExactly(0, 255, 7, 128);
        }
    }

    @Test
    void readsFourDimensionalInCOrder() {
        NpyArray a = Npy.read(resource("f32_4d_2x3x2x2.npy"));
        assertThat(a.shape()).containsExactly(2, 3, 2, 2);
        // element (1, 2, 0, 1) of np.arange(24).reshape(2, 3, 2, 2) is 1*12 + 2*4 + 0*2 + 1 = 21
        assertThat(a.getDouble(((1 * 3 + 2) * 2 + 0) * 2 + 1)).isEqualTo(21.0);
    }

    @Test
    void rejectsFortranOrderNamingTheFile() {
        assertThatThrownBy(() -> Npy.read(resource("fortran_2x3.npy")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("fortran_2x3.npy")
                .hasMessageContaining("Fortran");
    }

    @Test
    void rejectsObjectArrays() {
        assertThatThrownBy(() -> Npy.read(resource("object.npy")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("object.npy")
                .hasMessageContaining("'|O'")
                .hasMessageContaining("fixed-width");
    }

    @Test
    void rejectsTruncatedFiles() {
        assertThatThrownBy(() -> Npy.read(resource("truncated_2x3.npy")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("truncated_2x3.npy")
                .hasMessageContaining("truncated")
                .hasMessageContaining("needs 24 data bytes, found 20");
    }

    @Test
    void rejectsMissingAndNonNpyFiles() throws IOException {
        Path missing = tmp.resolve("missing.npy");
        assertThatThrownBy(() -> Npy.read(missing))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("missing.npy")
                .hasMessageContaining("cannot read");
        Path text = Files.writeString(tmp.resolve("text.npy"), "hello, this is not numpy");
        assertThatThrownBy(() -> Npy.read(text))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("text.npy")
                .hasMessageContaining("magic");
        Path empty = Files.write(tmp.resolve("empty.npy"), new byte[0]);
        assertThatThrownBy(() -> Npy.read(empty)).isInstanceOf(BadInputException.class).hasMessageContaining("empty.npy");
    }

    @Test
    void writerRoundTripsFloat32AndFloat64() {
        Path f32 = tmp.resolve("a.npy");
        float[] values = {1.5f, -2f, Float.MIN_VALUE, 3e30f, 0f, -0.25f};
        Npy.write(f32, new long[] {3, 2}, values);
        NpyArray a = Npy.read(f32);
        assertThat(a.dtype()).isEqualTo(NpyArray.Dtype.FLOAT32);
        assertThat(a.shape()).containsExactly(3, 2);
        assertThat(a.toFloatArray()).containsExactly(values);

        Path f64 = tmp.resolve("b.npy");
        double[] doubles = {Math.PI, -1e-300, 7};
        Npy.write(f64, new long[] {3}, doubles);
        assertThat(Npy.read(f64).toDoubleArray()).containsExactly(doubles);
    }

    @Test
    void writerAlignsDataTo64BytesLikeNumpy() throws IOException {
        Path p = tmp.resolve("c.npy");
        Npy.write(p, new long[] {2, 3}, new float[6]);
        byte[] bytes = Files.readAllBytes(p);
        assertThat((bytes.length - 6 * 4) % 64).isZero();
        assertThat(bytes[bytes.length - 6 * 4 - 1]).isEqualTo((byte) '\n');
        // numpy's own file for the same dtype and shape has the same size
        assertThat(bytes.length).isEqualTo((int) Files.size(resource("f32_le_2x3.npy")));
    }

    @Test
    void writerRejectsShapeMismatch() {
        assertThatThrownBy(() -> Npy.write(tmp.resolve("d.npy"), new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesFromStream() throws IOException {
        byte[] bytes = Files.readAllBytes(resource("f32_le_2x3.npy"));
        NpyArray a = Npy.read(new ByteArrayInputStream(bytes), "x.npz:a.npy");
        assertThat(a.toDoubleArray()).containsExactly(BASE);
        assertThat(a.source()).isEqualTo("x.npz:a.npy");
    }

    @Test
    void truncatedStreamNamesTheArray() throws IOException {
        byte[] full = Files.readAllBytes(resource("f32_le_2x3.npy"));
        byte[] cut = Arrays.copyOf(full, full.length - 5);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(cut), "img.npy"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("img.npy: truncated")
                .hasMessageContaining("needs 24 data bytes, found 19");
        byte[] headerOnly = Arrays.copyOf(full, 40);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(headerOnly), "img.npy"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("img.npy: truncated");
    }

    @Test
    void readsNumpyNpzArchivesDeflatedAndStored() {
        for (String name : List.of("deflated.npz", "stored.npz")) {
            Path npz = resource(name);
            Map<String, NpyArray> all = Npy.readNpz(npz, List.of());
            assertThat(all.get("images").shape()).containsExactly(2, 2, 2);
            assertThat(all.get("images").bytes()).containsExactly(0, 30, 60, 90, 120, 150, 180, 210);
            assertThat(all.get("images").source()).isEqualTo(name + ":images");
            assertThat(all.get("labels").toDoubleArray()).containsExactly(1, 0);
        }
        assertThat(Npy.members(resource("deflated.npz"))).containsExactly("images", "labels", "ids");
        Map<String, NpyArray> some = Npy.readNpz(resource("deflated.npz"), List.of("ids", "labels"));
        assertThat(some.keySet()).containsExactly("ids", "labels");
        assertThat(some.get("ids").strings()).containsExactly("a", "bc");
    }

    @Test
    void missingMemberListsThosePresent() {
        Path f = resource("stored.npz");
        assertThatThrownBy(() -> Npy.readNpz(f, List.of("y")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("stored.npz")
                .hasMessageContaining("no array 'y' (the file has images, labels)");
    }

    @Test
    void npzErrorsNameTheArchive() throws IOException {
        Path missing = tmp.resolve("missing.npz");
        assertThatThrownBy(() -> Npy.readNpz(missing, List.of()))
                .isInstanceOf(BadInputException.class)
                .hasMessage(missing + ": file not found");
        Path notZip = Files.writeString(tmp.resolve("text.npz"), "not a zip");
        assertThatThrownBy(() -> Npy.members(notZip))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(notZip + ": not a readable .npz (zip) archive");
        Path truncatedMember = tmp.resolve("cut.npz");
        byte[] npy = Files.readAllBytes(resource("f32_le_2x3.npy"));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(truncatedMember))) {
            zip.putNextEntry(new ZipEntry("a.npy"));
            zip.write(npy, 0, npy.length - 4);
            zip.closeEntry();
        }
        assertThatThrownBy(() -> Npy.readNpz(truncatedMember, List.of("a")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("cut.npz:a: truncated .npy file");
    }
}
