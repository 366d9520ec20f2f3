package org.transfusion.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NpyArray#getDoubles}, the bulk read behind large activation files, against the files numpy wrote (see
 * src/test/resources/npy/README.md) and against values written here, known by construction.
 */
class NpyBulkReadTest {

    @TempDir Path tmp;

    /** np.arange(6).reshape(2, 3) * 0.5 - 1, the content of the f32_le, f64_be and v2_f64 test files. */
    private static final double[] BASE = {-1.0, -0.5, 0.0, 0.5, 1.0, 1.5};

    @Test
    void readsNumpysFilesInEveryFloatLayout() {
        for (String name : new String[] {"f32_le_2x3.npy", "f64_be_2x3.npy", "v2_f64_2x3.npy"}) {
            double[] out = new double[6];
            Npy.read(NpyTest.resource(name)).getDoubles(0, out, 0, 6);
            assertThat(out).as(name).containsExactly(BASE);
        }
    }

    @Test
    void readsARangeIntoAnOffset() {
        double[] out = {9, 9, 9, 9};
        Npy.read(NpyTest.resource("f64_be_2x3.npy")).getDoubles(2, out, 1, 3);
        assertThat(out).containsExactly(9, 0.0, 0.5, 1.0);
    }

    @Test
    void widensFloat32Exactly() {
        // more values than one widening buffer (65,536) holds, each exactly representable in float32
        int n = 70_000;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i * 0.25f - 1000.5f;
        }
        Path file = tmp.resolve("f32.npy");
        Npy.write(file, new long[] {n}, values);
        double[] out = new double[n - 3];
        Npy.read(file).getDoubles(3, out, 0, n - 3);
        for (int i = 0; i < out.length; i++) {
            assertThat(out[i]).isEqualTo((i + 3) * 0.25 - 1000.5);
        }
    }

    @Test
    void otherDtypesGoElementByElement() {
        // i16_2x2.npy: [[1, -2], [3, -4]] as <i2 (README of the test files)
        double[] out = new double[4];
        Npy.read(NpyTest.resource("i16_2x2.npy")).getDoubles(0, out, 0, 4);
        assertThat(out).containsExactly(1, -2, 3, -4);
    }

    @Test
    void refusesARangeOutsideTheArray() {
        NpyArray a = Npy.read(NpyTest.resource("f64_be_2x3.npy"));
        assertThatThrownBy(() -> a.getDoubles(4, new double[3], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> a.getDoubles(0, new double[3], 1, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
