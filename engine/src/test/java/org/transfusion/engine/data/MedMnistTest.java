package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class MedMnistTest {
    @TempDir Path dir;
    private LoopbackServer server;

    @BeforeEach
    void serve() throws IOException {
        server = new LoopbackServer();
    }

    @AfterEach
    void stop() {
        server.close();
        System.clearProperty(MedMnistSources.MIRROR_PROPERTY);
    }

    private String base() {
        return server.base();
    }

    @Test
    void retinaMnistCountsPerSplitAndClass() {
        Path medmnist = SharedData.require().resolve("medmnist");
        Dataset d = DatasetSpecs.open("medmnist:retinamnist", DataOptions.defaults().withDataDir(medmnist));
        // python3 + numpy: np.bincount(z[s + '_labels'].ravel()) for s in train, val, test of retinamnist.npz.
        assertThat(d.sizes()).containsEntry("train", 1080).containsEntry("val", 120).containsEntry("test", 400);
        assertThat(classCounts(d.split(Split.TRAIN), 5)).containsExactly(486, 128, 206, 194, 66);
        assertThat(classCounts(d.split(Split.VAL), 5)).containsExactly(54, 12, 28, 20, 6);
        assertThat(classCounts(d.split(Split.TEST), 5)).containsExactly(174, 46, 92, 68, 20);
        assertThat(d.defaultTask()).isEqualTo("grade");
        // python3: z['train_images'][0, 14, 14] -> [139, 101, 54].
        Image first = d.split(Split.TRAIN).image(0);
        assertThat(new int[] {first.pixel(14, 14, 0), first.pixel(14, 14, 1), first.pixel(14, 14, 2)})
                .containsExactly(139, 101, 54);
    }

    @Test
    void pneumoniaMnistSubsetLoads() {
        Path medmnist = SharedData.require().resolve("medmnist");
        Dataset d = DatasetSpecs.open("medmnist:pneumoniamnist_subset", DataOptions.defaults().withDataDir(medmnist));
        // Sizes from the data README; class counts from python3 + numpy as above.
        assertThat(d.sizes()).containsEntry("train", 3882).containsEntry("val", 524).containsEntry("test", 624);
        assertThat(classCounts(d.split(Split.TRAIN), 2)).containsExactly(388, 3494);
        assertThat(classCounts(d.split(Split.TEST), 2)).containsExactly(234, 390);
        assertThat(d.labels().names()).containsExactly("normal", "pneumonia");
        assertThat(d.defaultTask()).isEqualTo("binary");
        assertThat(d.split(Split.VAL).image(0).channels()).isEqualTo(1);
    }

    /**
     * MedMNIST+ files (NAME_64, NAME_128, NAME_224) are read at their stored size, as the official 28 px ones: a
     * RetinaMNIST-layout file of 64 x 64 RGB images made here (each pixel a known function of image, row, column and
     * channel) is found by name in the data folder, keeps its 64 px and its pixels, and takes RetinaMNIST's schema.
     */
    @Test
    void aMedMnistPlusFileIsReadAtItsStoredSize() throws IOException {
        int side = 64;
        Map<String, Fixtures.Array> arrays = new LinkedHashMap<>();
        for (String split : List.of("train", "val", "test")) {
            int n = 5;
            byte[] pixels = new byte[n * side * side * 3];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) pixel(i / (side * side * 3), i / (side * 3) % side, i / 3 % side, i % 3);
            }
            long[] labels = {0, 1, 2, 3, 4};
            arrays.put(split + "_images", Fixtures.uint8(pixels, n, side, side, 3));
            arrays.put(split + "_labels", Fixtures.int64(labels, n, 1));
        }
        Fixtures.npz(dir.resolve("retinamnist_64.npz"), arrays);
        Dataset d = DatasetSpecs.open("medmnist:retinamnist_64", DataOptions.defaults().withDataDir(dir));
        assertThat(d.sizes()).containsEntry("train", 5).containsEntry("val", 5).containsEntry("test", 5);
        assertThat(d.defaultTask()).isEqualTo("grade");
        Image img = d.split(Split.TEST).image(3);
        assertThat(new int[] {img.width(), img.height(), img.channels()}).containsExactly(side, side, 3);
        // Image.pixel takes (row, column, channel).
        assertThat(new int[] {img.pixel(40, 50, 0), img.pixel(40, 50, 2)})
                .containsExactly(pixel(3, 40, 50, 0), pixel(3, 40, 50, 2));
    }

    /** The test file's pixel value at (image, row, column, channel). */
    private static int pixel(int image, int row, int column, int channel) {
        return (image * 31 + row * 3 + column * 5 + channel * 70) % 256;
    }

    @Test
    void theSharedRetinaMnistIsTheOfficialFileByItsPublishedMd5() throws IOException {
        Path file = SharedData.file("medmnist/retinamnist.npz");
        assertThat(FileIdentity.md5(file)).isEqualTo(MedMnistSources.find("retinamnist").md5());
    }

    @Test
    void offlineTheErrorSaysWhatToPutWhere() {
        DataOptions offline = new DataOptions(dir, 0, "u-ones", true, false);
        assertThatThrownBy(() -> DatasetSpecs.open("medmnist:bloodmnist_128", offline))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("bloodmnist_128.npz not found (looked in " + dir)
                .hasMessageContaining("offline, so not downloaded: get "
                        + "https://zenodo.org/records/10519652/files/bloodmnist_128.npz?download=1 "
                        + "(MD5 adace1e0ed228fccda1f39692059dd4c)")
                .hasMessageEndingWith("or pass --data-dir");
    }

    @Test
    void unknownNamesAreRejectedBeforeAnyDownload() {
        DataOptions online = new DataOptions(dir, 0, "u-ones", true, true);
        assertThatThrownBy(() -> DatasetSpecs.open("medmnist:kidneymnist", online))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("unknown MedMNIST dataset 'kidneymnist'");
    }

    /** A name that is a path must not reach a file outside the data folders, even one that exists there. */
    @Test
    void pathsAreNotNames() throws IOException {
        Path inside = Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("outside.npz"), new byte[] {1, 2, 3});
        DataOptions options = new DataOptions(inside, 0, "u-ones", false, true);
        for (String spec : List.of("medmnist:../outside", "medmnist:../outside.npz", "medmnist:/etc/passwd",
                "medmnist:retina/../../outside")) {
            assertThatThrownBy(() -> DatasetSpecs.open(spec, options)).as(spec)
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining("expected a MedMNIST dataset name such as retinamnist or retinamnist_64, "
                            + "not a path (use npz:PATH for a file)");
        }
    }

    @Test
    void onlineDownloadFromAMirrorIsVerifiedAndOpened() throws IOException {
        // The local server plays Zenodo and serves the shared official file, whose MD5 is the published one.
        server.body = Files.readAllBytes(SharedData.file("medmnist/retinamnist.npz"));
        System.setProperty(MedMnistSources.MIRROR_PROPERTY, base());
        PrintStream savedErr = System.err;
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Dataset d;
        try {
            System.setErr(new PrintStream(progress, true, StandardCharsets.UTF_8));
            d = DatasetSpecs.open("medmnist:retinamnist", new DataOptions(dir, 0, "u-ones", true, true));
        } finally {
            System.setErr(savedErr);
        }
        assertThat(d.sizes()).containsEntry("train", 1080);
        assertThat(dir.resolve("retinamnist.npz")).hasSameBinaryContentAs(SharedData.file("medmnist/retinamnist.npz"));
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("downloading retinamnist.npz [")
                .contains("100% 3.3 MB/3.3 MB");
        assertThat(leftovers()).isZero();
    }

    @Test
    void anMd5MismatchIsAnErrorAndLeavesNoFile() throws IOException {
        server.body = "not the official bytes".getBytes(StandardCharsets.UTF_8);
        MedMnistSources.Source source = new MedMnistSources.Source("retinamnist", URI.create(base() + "retinamnist.npz"),
                "bd4c0672f1bba3e3a89f0e4e876791e4");
        Path target = dir.resolve("retinamnist.npz");
        assertThatThrownBy(() -> MedMnistDownload.download(source, target, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(BadInputException.class)
                // MD5 of the served bytes, from python3:
                // hashlib.md5(b'not the official bytes').hexdigest()
                .hasMessage(source.url() + ": MD5 9b7a7d2598620be6b4583879c7bfdb64 does not match "
                        + "bd4c0672f1bba3e3a89f0e4e876791e4 (MedMNIST's published MD5); the download was discarded "
                        + "and nothing was cached");
        assertThat(target).doesNotExist();
        assertThat(leftovers()).isZero();
    }

    @Test
    void anHttpErrorNamesTheUrlAndLeavesNoFile() throws IOException {
        server.body = null; // 404
        MedMnistSources.Source source = new MedMnistSources.Source("x", URI.create(base() + "x.npz"), "0");
        Path target = dir.resolve("x.npz");
        assertThatThrownBy(() -> MedMnistDownload.download(source, target, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(BadInputException.class)
                .hasMessage(source.url() + ": HTTP 404; download it by hand and put it at " + target.toAbsolutePath());
        assertThat(leftovers()).isZero();
    }

    private long leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).count();
        }
    }

    private static int[] classCounts(ImageSplit s, int classes) {
        int[] c = new int[classes];
        for (int i = 0; i < s.size(); i++) {
            c[(int) s.labels(i)[0]]++;
        }
        return c;
    }
}
