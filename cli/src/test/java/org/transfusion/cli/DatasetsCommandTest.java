package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsCommandTest {
    @TempDir Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static void assertOneLineError(CliRun r, String what) {
        r.assertOneLineError(what);
    }

    @Test
    void inspectRetinaMnistPrintsCountsPrevalenceAndWritesAContactSheet() throws IOException {
        Path medmnist = sharedData().resolve("medmnist");
        Path png = dir.resolve("sheets").resolve("retina.png");
        CliRun r = run("datasets", "inspect", "medmnist:retinamnist", "--data-dir", medmnist.toString(),
                "--out", png.toString(), "--per-class", "4");
        assertThat(r.code()).as(r.err()).isZero();
        // Counts from python3 + numpy on retinamnist.npz: train 1080 (486 grade 0 = 45.0%), val 120, test 400
        // (20 grade 4 = 5.0%); images 28x28 RGB.
        assertThat(r.out()).containsPattern("train\\s+1080\\s+28x28x3")
                .containsPattern("val\\s+120\\s+28x28x3")
                .containsPattern("test\\s+400\\s+28x28x3")
                .containsPattern("0 no DR\\s+486 \\(45\\.0%\\)\\s+54 \\(45\\.0%\\)\\s+174 \\(43\\.5%\\)")
                .containsPattern("4 proliferative\\s+66 \\(6\\.1%\\)\\s+6 \\(5\\.0%\\)\\s+20 \\(5\\.0%\\)")
                .contains("contact sheet: " + png);
        BufferedImage sheet = ImageIO.read(png.toFile());
        // 5 classes x 4 examples of 96 px cells (ContactSheet: 170 px caption column, 22 px title, 2 px gaps).
        assertThat(sheet.getHeight()).isEqualTo(22 + 5 * 98 + 2);
        assertThat(sheet.getWidth()).isEqualTo(170 + 4 * 98 + 2);
    }

    @Test
    void inspectNihNpzShowsPatientsPerSplit() {
        Path npz = sharedData().resolve("nih-cxr14").resolve("nih1000_cxr14_64.npz");
        CliRun r = run("datasets", "inspect", "nih-cxr14:" + npz, "--task", "chexpert5", "--seed", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("task      chexpert5 (multilabel, 5 outputs)")
                .contains("split     patient-level 70/10/20, seed 3")
                .containsPattern("patients  \\{train=\\d+, val=\\d+, test=\\d+}")
                .containsPattern("Effusion\\s+\\d+ \\(")
                .contains("64x64x1");
    }

    @Test
    void inspectSyntheticRetinaForTheReferableTask() {
        CliRun r = run("datasets", "inspect", "synthetic:retina?n=100&size=32", "--task", "referable");
        assertThat(r.code()).as(r.err()).isZero();
        // 70/10/20 of 100 images; one binary output.
        assertThat(r.out()).containsPattern("train\\s+70\\s+32x32x3")
                .containsPattern("val\\s+10\\s+32x32x3")
                .containsPattern("test\\s+20\\s+32x32x3")
                .contains("task      referable (binary, 1 output)")
                .contains("referable (grade >= 2)");
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("missing.npz");
        assertOneLineError(run("datasets", "inspect", "npz:" + missing), missing + ": file not found");
    }

    @Test
    void truncatedNpz() throws IOException {
        Path good = writeMedMnistLayout(dir.resolve("good.npz"), 4, 4);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.npz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertOneLineError(run("datasets", "inspect", "npz:" + cut), cut + ": not a readable .npz (zip) archive");
    }

    @Test
    void corruptMemberInsideAnNpz() throws IOException {
        Path good = writeMedMnistLayout(dir.resolve("good.npz"), 4, 4);
        byte[] bytes = Files.readAllBytes(good);
        // Overwrite the start of the first member's deflated data (after its 30-byte local header and name).
        int dataStart = 30 + "train_images.npy".length();
        for (int i = dataStart; i < dataStart + 40; i++) {
            bytes[i] = (byte) 0xFF;
        }
        Path bad = Files.write(dir.resolve("corrupt.npz"), bytes);
        assertOneLineError(run("datasets", "inspect", "npz:" + bad), bad + ": array 'train_images' is corrupt");
    }

    @Test
    void wrongKeys() throws IOException {
        Path f = dir.resolve("keys.npz");
        byte[] small = npy("|u1", new long[] {2}, new byte[2]);
        writeNpz(f, List.of("x", "y"), List.of(small, small));
        assertOneLineError(run("datasets", "inspect", "npz:" + f), f + ": no array 'train_images' (the file has x, y)");
    }

    @Test
    void labelAndImageCountsDiffer() throws IOException {
        Path f = writeMedMnistLayout(dir.resolve("mismatch.npz"), 4, 3);
        assertOneLineError(run("datasets", "inspect", "npz:" + f),
                f + ": train_labels has 3 rows but train_images has 4 images");
    }

    @Test
    void unknownSpecKind() {
        assertOneLineError(run("datasets", "inspect", "dicomdir:/data/x"), "unknown data spec kind 'dicomdir'");
    }

    @Test
    void unknownTask() {
        assertOneLineError(run("datasets", "inspect", "synthetic:natural?n=20&size=16", "--task", "chexpert5"),
                "task 'chexpert5' needs multi-label findings but synthetic:natural?n=20&size=16");
    }

    @Test
    void unreadableImageInACsvDataset() throws IOException {
        // EyePACS layout, 4 patients x 2 eyes; one file is not an image at all.
        List<String> rows = new ArrayList<>(List.of("image,level"));
        for (int p = 1; p <= 4; p++) {
            for (String eye : new String[] {"left", "right"}) {
                rows.add(p + "_" + eye + "," + (p % 5));
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                ImageIO.write(img, "jpeg", dir.resolve(p + "_" + eye + ".jpeg").toFile());
            }
        }
        Files.writeString(dir.resolve("3_left.jpeg"), "<html>404 Not Found</html>");
        Files.write(dir.resolve("trainLabels.csv"), rows);
        assertOneLineError(run("datasets", "inspect", "eyepacs:" + dir),
                dir.resolve("3_left.jpeg") + ": not a readable image");
    }

    @Test
    void helpListsTheInspectCommand() {
        CliRun r = run("datasets", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("inspect");
    }

    /**
     * issue 32: a folder of DICOM files, one of them JPEG-LS: `datasets inspect` and `train` refuse it before any
     * image is read, listing the file; with unreadable=skip / --skip-unreadable, inspect reports the syntaxes,
     * modalities and photometric interpretations it found, and train trains and records the count in run.json.
     */
    @Test
    void aDicomFolderWithAnUndecodableFileIsRefusedOrTrainedWithoutIt() throws IOException {
        Path pydicom = sharedData().resolve("dicom").resolve("pydicom_test_files");
        Path data = dicomFolder(pydicom);
        Path run = dir.resolve("run");
        String[] train = {"train", "--data", "folder:" + data, "--model", "cbr-tiny", "--steps", "2",
            "--batch-size", "4", "--eval-every", "2", "--image-size", "16", "--threads", "1", "--out", run.toString()};

        CliRun refused = run(train);
        assertThat(refused.code()).as(refused.err()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(refused.err()).startsWith("transfusion: error: " + data + ": 1 of 25 DICOM files cannot be "
                + "decoded (found by the header scan, before training):\n  " + data.resolve("a").resolve("ls.dcm")
                + ": JPEG-LS Lossless Image Compression (1.2.840.10008.1.2.4.80) is not supported")
                .doesNotContain("Exception");
        assertThat(refused.out()).doesNotContain("training cbr-tiny");
        assertThat(run).doesNotExist();

        CliRun inspect = run("datasets", "inspect", "folder:" + data + "?unreadable=skip");
        assertThat(inspect.code()).as(inspect.err()).isZero();
        // what the files are (pydicom reads the same: 12 MR_small JPEG 2000 lossless, 12 CT_small explicit VR LE)
        assertThat(inspect.out())
                .contains("DICOM     24 files, 24 frames (0 multi-frame files; the first frame of each is read")
                .contains("syntaxes  Explicit VR Little Endian (1.2.840.10008.1.2.1) 12, JPEG 2000 Image "
                        + "Compression (Lossless Only) (1.2.840.10008.1.2.4.90) 12")
                .contains("modality  CT 12, MR 12")
                .contains("photometric MONOCHROME2 24")
                .contains("skipped   1 unreadable file(s) left out (unreadable=skip): ls.dcm");

        CliRun trained = run(append(train, "--skip-unreadable"));
        assertThat(trained.code()).as(trained.err()).isZero();
        String runJson = Files.readString(run.resolve("run.json"));
        assertThat(runJson).containsPattern("\"unreadable_skipped\"\\s*:\\s*1")
                .contains("folder:" + data + "?unreadable=skip");
    }

    /** Class a: 12 copies of MR_small (JPEG 2000 lossless) and a JPEG-LS file; class b: 12 copies of CT_small. */
    private Path dicomFolder(Path pydicom) throws IOException {
        Path data = dir.resolve("dcm");
        Files.createDirectories(data.resolve("a"));
        Files.createDirectories(data.resolve("b"));
        for (int i = 0; i < 12; i++) {
            Files.copy(pydicom.resolve("MR_small_jp2klossless.dcm"), data.resolve("a").resolve("mr" + i + ".dcm"));
            Files.copy(pydicom.resolve("CT_small.dcm"), data.resolve("b").resolve("ct" + i + ".dcm"));
        }
        Files.copy(pydicom.resolve("MR_small_jpeg_ls_lossless.dcm"), data.resolve("a").resolve("ls.dcm"));
        return data;
    }

    private static String[] append(String[] args, String... more) {
        String[] out = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }

    // --- fixtures -------------------------------------------------------------------------------------------

    /**
     * The shared data folder ({@code transfusion.shared.data}, set by Surefire): skips when absent, fails under CI.
     * (The same rule as engine's SharedData test helper, which this module's tests cannot see.)
     */
    private static Path sharedData() {
        String prop = System.getProperty("transfusion.shared.data");
        Path p = prop == null ? null : Path.of(prop);
        if (p != null && Files.isDirectory(p)) {
            return p;
        }
        String why = "../shared/data not found: " + (prop == null ? "transfusion.shared.data unset" : prop);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.fail(why + " (CI=true: real-data tests must run)");
        }
        Assumptions.abort(why);
        return null;
    }

    /** MedMNIST layout with {@code images} 2x2 grey images and {@code labels} labels in every split. */
    private static Path writeMedMnistLayout(Path file, int images, int labels) throws IOException {
        List<String> names = new ArrayList<>();
        List<byte[]> arrays = new ArrayList<>();
        for (String split : new String[] {"train", "val", "test"}) {
            names.add(split + "_images");
            arrays.add(npy("|u1", new long[] {images, 2, 2}, new byte[images * 4]));
            names.add(split + "_labels");
            ByteBuffer b = ByteBuffer.allocate(labels * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < labels; i++) {
                b.putLong(i % 2);
            }
            arrays.add(npy("<i8", new long[] {labels, 1}, b.array()));
        }
        return writeNpz(file, names, arrays);
    }

    private static Path writeNpz(Path file, List<String> names, List<byte[]> arrays) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (int i = 0; i < names.size(); i++) {
                zip.putNextEntry(new ZipEntry(names.get(i) + ".npy"));
                zip.write(arrays.get(i));
                zip.closeEntry();
            }
        }
        return file;
    }

    /** A version-1 .npy file: magic, header dict padded to 64 bytes, payload. */
    private static byte[] npy(String descr, long[] shape, byte[] payload) {
        StringBuilder s = new StringBuilder();
        for (long d : shape) {
            s.append(d).append(", ");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + s.toString().strip() + "), }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(payload);
        return out.toByteArray();
    }
}
