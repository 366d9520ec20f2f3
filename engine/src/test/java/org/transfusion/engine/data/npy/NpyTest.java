package org.transfusion.engine.data.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Fixtures;
import org.transfusion.engine.data.SharedData;
import org.transfusion.error.BadInputException;

class NpyTest {

    /** Bytes written by numpy 2.4.6: {@code np.save(buf, np.array(['p1', 'pat22', 'é€😀']))} (dtype <U5). */
    private static final String NUMPY_UNICODE = "k05VTVBZAQB2AHsnZGVzY3InOiAnPFU1JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXB"
            + "lJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIApwAAAAMQ"
            + "AAAAAAAAAAAAAAAAAAAHAAAABhAAAAdAAAADIAAAAyAAAA6QAAAKwgAAAA9gEAAAAAAAAAAAA=";

    /** Bytes written by numpy 2.4.6: {@code np.save(buf, np.array([b'ab', b'c']))} (dtype |S2). */
    private static final String NUMPY_BYTES = "k05VTVBZAQB2AHsnZGVzY3InOiAnfFMyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBl"
            + "JzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAphYmMA";

    @Test
    void readsNumpyFixedWidthUnicodeIncludingCharactersOutsideTheBmp() throws IOException {
        NpyArray a = Npy.read(new ByteArrayInputStream(Base64.getDecoder().decode(NUMPY_UNICODE)), "ids.npy");
        assertThat(a.kind()).isEqualTo(NpyArray.Kind.STRINGS);
        assertThat(a.shape()).containsExactly(3);
        assertThat(a.strings()).containsExactly("p1", "pat22", "é€😀");
    }

    @Test
    void readsNumpyByteStrings() throws IOException {
        NpyArray a = Npy.read(new ByteArrayInputStream(Base64.getDecoder().decode(NUMPY_BYTES)), "ids.npy");
        assertThat(a.strings()).containsExactly("ab", "c");
    }

    @Test
    void integersReadAsTextTheSameWayAsStrings() throws IOException {
        NpyArray ints = Npy.read(new ByteArrayInputStream(Fixtures.npy(Fixtures.int64(new long[] {7, -2}, 2))), "x");
        assertThat(ints.getString(0)).isEqualTo("7");
        assertThat(ints.getString(1)).isEqualTo("-2");
        assertThat(ints.isNumeric()).isTrue();
    }

    @Test
    void objectArraysStayRejected() {
        byte[] bytes = Fixtures.npy(new Fixtures.Array("|O", new long[] {1}, new byte[8]));
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(bytes), "obj.npy"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("obj.npy")
                .hasMessageContaining("'|O'");
    }

    @Test
    void truncatedPayloadNamesTheArray() {
        byte[] full = Fixtures.npy(Fixtures.uint8(new byte[16], 4, 4));
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 5);
        assertThatThrownBy(() -> Npy.read(new ByteArrayInputStream(cut), "img.npy"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("img.npy: truncated");
    }

    @Test
    void missingMemberListsThosePresent(@TempDir Path dir) throws IOException {
        Path f = Fixtures.npz(dir.resolve("a.npz"), Fixtures.arrays("x", Fixtures.uint8(new byte[2], 2)));
        assertThatThrownBy(() -> Npy.readNpz(f, List.of("y")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("a.npz")
                .hasMessageContaining("no array 'y' (the file has x)");
    }

    @Test
    void nihSharedNpzHasTheDtypesTheReaderExpects() {
        // dtypes checked with python3 + numpy on ../shared/data: images uint8 (1000,64,64), labels uint8 (1000,14),
        // patient_id int32 (1000,).
        Path f = SharedData.file("nih-cxr14/nih1000_cxr14_64.npz");
        Map<String, NpyArray> a = Npy.readNpz(f, List.of("images", "labels", "patient_id"));
        assertThat(a.get("images").shape()).containsExactly(1000, 64, 64);
        assertThat(a.get("images").isUnsignedBytes()).isTrue();
        assertThat(a.get("labels").shape()).containsExactly(1000, 14);
        assertThat(a.get("patient_id").dtype()).isEqualTo("<i4");
    }
}
