package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.weights.SafeTensors;

/**
 * Crafted files fed to the commands (issue 18), each answered with one line on stderr and exit 2 rather than a
 * stack trace, an out-of-memory error or a half-written run folder.
 */
class HostileInputCommandTest {
    @TempDir Path dir;

    /** 200 synthetic fundus images at 16 px, as in {@code TrainCommandTest}. */
    private static final String DATA = "synthetic:retina?n=200&size=16";

    /** 3 GiB of data after the header, written as a hole: the sparse file. */
    private static final long THREE_GIB = 3L << 30;

    /** A safetensors file with {@code header} and {@code dataBytes} after it, extended without writing. */
    private static Path safetensors(Path path, String header, long dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            f.write(json);
            f.setLength(8 + json.length + dataBytes);
        }
        return path;
    }

    /** A sparse 3 GiB file whose only tensor is one 4-D conv weight of 2 values (8 bytes). */
    private static Path sparse(Path path) throws IOException {
        return safetensors(path,
                "{\"conv.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,1,1],\"data_offsets\":[0,8]}}", THREE_GIB);
    }

    private static final String SPARSE_ERROR = "sparse.safetensors: the tensors cover 8 data bytes but the file has "
            + "3221225472 after its header";

    /** The bytes of a version-1.0 .npy file: header padded to 64 bytes as numpy writes it, then {@code data}. */
    private static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) text.length(), 0});
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** An npz in MedMNIST's layout: 16x16 grey images, class labels 0/1; {@code val} holds {@code valImages}. */
    private Path npz(String name, int valImages, int side) throws IOException {
        Path file = dir.resolve(name);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (String split : new String[] {"train", "val", "test"}) {
                int n = split.equals("val") ? valImages : 10;
                int s = split.equals("train") ? side : 16;
                zip.putNextEntry(new ZipEntry(split + "_images.npy"));
                zip.write(npy("|u1", "(" + n + ", " + s + ", " + s + ")", new byte[n * s * s]));
                zip.putNextEntry(new ZipEntry(split + "_labels.npy"));
                zip.write(npy("|u1", "(" + n + ", 1)", new byte[n]));
            }
        }
        return file;
    }

    private static boolean isEmptyOrAbsent(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return true;
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.findAny().isEmpty();
        }
    }

    private CliRun train(Path out, String... extra) {
        String[] base = {"train", "--data", DATA, "--model", "cbr-small", "--steps", "4", "--batch-size", "8",
            "--eval-every", "2", "--out", out.toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void aSparseThreeGigabyteSafetensorsIsABadInputInEveryCommandThatReadsWeights() throws IOException {
        Path sparse = sparse(dir.resolve("sparse.safetensors"));
        CliRun.of("weights", "inspect", sparse.toString()).assertOneLineError(SPARSE_ERROR);
        CliRun.of("filters", sparse.toString(), "--out", dir.resolve("f.png").toString())
                .assertOneLineError(SPARSE_ERROR);
        Path refused = dir.resolve("refused");
        train(refused, "--init", "pretrained", "--weights", sparse.toString()).assertOneLineError(SPARSE_ERROR);
        assertThat(isEmptyOrAbsent(refused)).as("nothing written to the run folder").isTrue();
        // evaluate reads a run's best weights: a finished run whose weights file was replaced by the sparse one
        Path run = dir.resolve("run");
        CliRun trained = train(run);
        assertThat(trained.code()).as(trained.err()).isZero();
        Files.delete(run.resolve("weights.safetensors"));
        sparse(run.resolve("weights.safetensors")); // made in place: a copy would write the hole out as 3 GiB
        CliRun.of("evaluate", run.toString()).assertOneLineError("weights.safetensors: the tensors cover 8 data "
                + "bytes but the file has 3221225472 after its header");
    }

    @Test
    void aNegativeShapeInFiltersIsABadInput() throws IOException {
        // [-1, -4, 1, 1] multiplies to 4, and [0, 16) holds 4 F32 values: only the sign is wrong
        Path f = safetensors(dir.resolve("negative.safetensors"),
                "{\"conv.weight\":{\"dtype\":\"F32\",\"shape\":[-1,-4,1,1],\"data_offsets\":[0,16]}}", 16);
        CliRun.of("filters", f.toString(), "--out", dir.resolve("n.png").toString())
                .assertOneLineError("negative.safetensors: tensor 'conv.weight' has shape [-1,-4,1,1], expected "
                        + "non-negative integers");
    }

    @Test
    void filtersMaxMustBePositive() {
        StateDict w = new StateDict();
        w.put("conv.weight", new HostTensor(new long[] {2, 1, 3, 3}, new float[18]));
        Path f = dir.resolve("w.safetensors");
        SafeTensors.write(f, w, Map.of());
        for (String max : new String[] {"0", "-5"}) {
            CliRun.of("filters", f.toString(), "--max", max, "--out", dir.resolve("m.png").toString())
                    .assertOneLineError("--max must be at least 1 (filters to draw), got " + max);
        }
        assertThat(dir.resolve("m.png")).doesNotExist();
    }

    @Test
    void anEmptyValidationSplitIsRefusedBeforeTheRunFolderIsWritten() throws IOException {
        Path data = npz("noval.npz", 0, 16);
        Path out = dir.resolve("noval-run");
        CliRun.of("train", "--data", "npz:" + data, "--model", "cbr-small", "--steps", "2", "--out", out.toString())
                .assertOneLineError("noval.npz: val_images has shape (0, 16, 16), expected at least one image");
        assertThat(isEmptyOrAbsent(out)).as("nothing written to the run folder").isTrue();
    }

    @Test
    void zeroByZeroImagesAreRefusedBeforeTheRunFolderIsWritten() throws IOException {
        Path data = npz("flat.npz", 10, 0);
        Path out = dir.resolve("flat-run");
        CliRun.of("train", "--data", "npz:" + data, "--model", "cbr-small", "--steps", "2", "--out", out.toString())
                .assertOneLineError("flat.npz: train_images has shape (10, 0, 0), images of 0 x 0 pixels; expected "
                        + "at least 1 x 1");
        assertThat(isEmptyOrAbsent(out)).as("nothing written to the run folder").isTrue();
    }

    @Test
    void pretrainedWeightsHoldingNaNAreRefusedBeforeTraining() {
        // cbr-small's own keys and shapes (3 input channels, 10 classes), one value NaN
        Architecture a = ModelRegistry.get("cbr-small").build(3, 10, 1);
        StateDict w = RandomInit.of(a, 1);
        w.get("layers.0.conv.weight").values()[5] = Float.NaN;
        Path f = dir.resolve("nan.safetensors");
        SafeTensors.write(f, w, Map.of());
        Path out = dir.resolve("nan-run");
        train(out, "--init", "pretrained", "--weights", f.toString())
                .assertOneLineError("nan.safetensors: tensor 'layers.0.conv.weight' holds NaN at index 5 (expected "
                        + "finite weights)");
        assertThat(out.resolve("run.json")).doesNotExist();
    }

    @Test
    void stringArraysWhereNumbersAreExpectedAreABadInput() throws IOException {
        // '<U1' (2, 2): four one-character strings, 4 bytes each
        Path strings = Files.write(dir.resolve("s.npy"), npy("<U1", "(2, 2)", new byte[16]));
        Path numbers = dir.resolve("n.npy");
        org.transfusion.io.Npy.write(numbers, new long[] {2, 2}, new float[] {1, 2, 3, 4});
        CliRun.of("similarity", strings.toString(), numbers.toString())
                .assertOneLineError("s.npy: dtype <U1 holds strings, expected numbers (activations)");
        Path npz = dir.resolve("w.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            zip.putNextEntry(new ZipEntry("names.npy"));
            zip.write(npy("|S2", "(1,)", new byte[] {'a', 'b'}));
        }
        CliRun.of("weights", "inspect", npz.toString())
                .assertOneLineError("w.npz: array 'names' has dtype |S2, expected numbers (weights)");
        // the 128-byte '|S0' file declaring 5e8 elements
        Path bomb = Files.write(dir.resolve("s0.npy"), npy("|S0", "(500000000,)", new byte[0]));
        long t0 = System.nanoTime();
        CliRun.of("similarity", bomb.toString(), numbers.toString())
                .assertOneLineError("s0.npy: dtype '|S0' is a string of width 0");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(2);
    }
}
