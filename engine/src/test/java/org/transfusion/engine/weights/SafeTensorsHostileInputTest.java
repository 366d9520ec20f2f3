package org.transfusion.engine.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.error.BadInputException;

/**
 * Crafted safetensors files (issue 18): the header is checked in full before any tensor is allocated or read, so a
 * sparse file of gigabytes, byte ranges past the file and negative shapes are refused fast, each with one line
 * naming the file, the tensor and what was expected; weights holding NaN or infinity are refused where they are
 * loaded as pretrained weights.
 */
class SafeTensorsHostileInputTest {
    @TempDir Path dir;

    /** 3 GiB: the sparse file, larger than one Java array or one file mapping. */
    private static final long THREE_GIB = 3L << 30;

    /** A file of the 8-byte header length, {@code header} (JSON) and {@code dataBytes} of zeros (a sparse tail). */
    static Path file(Path path, String header, long dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            f.write(json);
            f.setLength(8 + json.length + dataBytes); // extends without writing: a hole on Linux file systems
        }
        return path;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void sparseGigabytesBehindASmallHeaderAreRefusedBeforeReading() throws IOException {
        // One 2-value F32 tensor (8 bytes) and 3 GiB of data after the header that no tensor declares.
        Path f = file(dir.resolve("sparse.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", THREE_GIB);
        long t0 = System.nanoTime();
        long before = allocated();
        String expected = f + ": the tensors cover 8 data bytes but the file has 3221225472 after its header "
                + "(expected exactly the tensors' bytes)";
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(BadInputException.class).hasMessage(expected);
        assertThatThrownBy(() -> SafeTensors.shapes(f)).isInstanceOf(BadInputException.class).hasMessage(expected);
        assertThat(allocated() - before).as("bytes allocated").isLessThan(16L << 20);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(1);
    }

    @Test
    void aSparseTensorOfGigabytesIsRefusedByItsDeclaredSize() throws IOException {
        // 3 GiB of F32 is 805,306,368 values, over the 2^28 = 268,435,456 a file may hold.
        Path f = file(dir.resolve("huge.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[805306368],\"data_offsets\":[0,3221225472]}}", THREE_GIB);
        long t0 = System.nanoTime();
        long before = allocated();
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": tensor 'w' has shape [805306368], more than the 268435456 values this reads");
        assertThat(allocated() - before).as("bytes allocated").isLessThan(16L << 20);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(1);
    }

    @Test
    void byteRangesPastTheFileAreRefused() throws IOException {
        // 1,000 F32 values need 4,000 bytes; the file holds 8 after its header.
        Path f = file(dir.resolve("short.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000],\"data_offsets\":[0,4000]}}", 8);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": tensor 'w' has byte range [0, 4000) past the file's 8 data bytes (truncated?)");
    }

    @Test
    void negativeShapesAreRefused() throws IOException {
        // [-1, -4] multiplies to 4 and [0, 16) holds 4 F32 values: only the sign can refuse it.
        Path f = file(dir.resolve("negative.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,-4],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": tensor 'w' has shape [-1,-4], expected non-negative integers");
        assertThatThrownBy(() -> SafeTensors.shapes(f)).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": tensor 'w' has shape [-1,-4], expected non-negative integers");
    }

    @Test
    void gapsBetweenTensorsAreRefused() throws IOException {
        // 'a' is [0, 4), 'b' starts at 8: four bytes belong to no tensor
        Path f = file(dir.resolve("gap.safetensors"), "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": tensor 'b' starts at data byte 8, expected 4 (tensors must cover the data without "
                        + "gaps or overlaps)");
    }

    @Test
    void filesItWritesStillReadBack() {
        StateDict w = new StateDict();
        w.put("a.weight", new HostTensor(new long[] {2, 1, 1, 1}, new float[] {1.5f, -2f}));
        w.put("a.num_batches_tracked", new HostTensor(new long[] {}, new float[] {7}));
        w.put("empty", new HostTensor(new long[] {0}, new float[0]));
        Path f = dir.resolve("ok.safetensors");
        SafeTensors.write(f, w, Map.of("model", "x"));
        SafeTensors.Contents back = SafeTensors.readWithMetadata(f);
        assertThat(back.tensors().get("a.weight").values()).containsExactly(1.5f, -2f);
        assertThat(back.tensors().get("a.num_batches_tracked").values()).containsExactly(7f);
        assertThat(back.tensors().get("empty").shape()).containsExactly(0);
        assertThat(back.metadata()).containsEntry("model", "x");
        assertThat(SafeTensors.shapes(f).get("a.weight")).containsExactly(2, 1, 1, 1);
    }

    @Test
    void nonFiniteWeightsAreNamed() {
        StateDict w = new StateDict();
        w.put("conv.weight", new HostTensor(new long[] {3}, new float[] {0.5f, Float.NaN, 1f}));
        Path f = dir.resolve("nan.safetensors");
        assertThatThrownBy(() -> SafeTensors.requireFinite(f, w)).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": tensor 'conv.weight' holds NaN at index 1 (expected finite weights)");
        w.put("conv.weight", new HostTensor(new long[] {3}, new float[] {0.5f, 1f, Float.NEGATIVE_INFINITY}));
        assertThatThrownBy(() -> SafeTensors.requireFinite(f, w)).isInstanceOf(BadInputException.class)
                .hasMessage(f + ": tensor 'conv.weight' holds -Infinity at index 2 (expected finite weights)");
    }

    @Test
    void duplicateHeaderKeysAreRefusedNamingTheKey() throws IOException {
        // Two entries for 'w' with the same range: a reader keeping the first and one keeping the last could read
        // different tensors from one file; neither is right, so the file is refused.
        Path f = file(dir.resolve("duplicate.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],"
                + "\"data_offsets\":[0,8]},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        String expected = f + ": safetensors header has the key 'w' twice (expected each key once)";
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(BadInputException.class).hasMessage(expected);
        assertThatThrownBy(() -> SafeTensors.shapes(f)).isInstanceOf(BadInputException.class).hasMessage(expected);
        Path meta = file(dir.resolve("duplicate-meta.safetensors"), "{\"__metadata__\":{\"m\":\"1\",\"m\":\"2\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafeTensors.read(meta)).isInstanceOf(BadInputException.class)
                .hasMessage(meta + ": safetensors header has the key 'm' twice (expected each key once)");
    }

    @Test
    void theDeclaredDtypeOfEachTensorIsKept() {
        StateDict w = new StateDict();
        w.put("a.weight", new HostTensor(new long[] {2}, new float[] {1.5f, -2f}));
        w.put("a.num_batches_tracked", new HostTensor(new long[] {}, new float[] {7}));
        Path f = dir.resolve("dtypes.safetensors");
        SafeTensors.write(f, w, Map.of());
        // write() stores counters as I64 and everything else as F32 (its javadoc); the dtypes are those it wrote.
        assertThat(SafeTensors.readWithMetadata(f).dtypes()).containsExactly(Map.entry("a.weight", "F32"),
                Map.entry("a.num_batches_tracked", "I64"));
    }
}
