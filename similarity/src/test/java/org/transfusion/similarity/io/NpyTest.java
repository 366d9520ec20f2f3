package org.transfusion.similarity.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
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
                .hasMessageContaining("'|O'");
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
}
