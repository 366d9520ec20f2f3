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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * {@code cifar10:download} against a local server playing the CIFAR page: a small archive with the official
 * layout, built here from synthetic records (see {@link Cifar10Test#records}), so every expected label and pixel
 * follows from what the test wrote.
 */
class Cifar10DownloadTest {
    private static final DataOptions ONLINE = new DataOptions(null, 0, "u-ones", true, true);
    private static final DataOptions OFFLINE = new DataOptions(null, 0, "u-ones", true, false);

    @TempDir Path dir;
    private LoopbackServer server;

    @BeforeEach
    void serveAndUseATemporaryCache() throws IOException {
        server = new LoopbackServer();
        System.setProperty("TRANSFUSION_CACHE", dir.resolve("cache").toString());
        System.setProperty(Cifar10Download.MIRROR, server.base());
    }

    @AfterEach
    void stop() {
        server.close();
        System.clearProperty("TRANSFUSION_CACHE");
        System.clearProperty(Cifar10Download.MIRROR);
    }

    private Path cache() {
        return dir.resolve("cache").resolve("cifar10");
    }

    @Test
    void theArchiveIsFetchedVerifiedExtractedAndReadAndASecondOpenDoesNotDownload() throws IOException {
        server.body = archive(List.of());
        Path bin = Cifar10Download.batches(source(md5(server.body)), cache(), true, quiet());
        assertThat(bin).isEqualTo(cache().resolve("cifar-10-batches-bin"));
        assertThat(bin.resolve("data_batch_5.bin")).hasBinaryContent(Cifar10Test.records(10, 5));
        assertThat(server.requests()).isEqualTo(1);

        // Through the spec, with the cache found by $TRANSFUSION_CACHE: the extracted folder is used as it is.
        Dataset d = DatasetSpecs.open("cifar10:download", ONLINE);
        assertThat(server.requests()).isEqualTo(1);
        assertThat(d.sizes()).containsEntry("train", 45).containsEntry("val", 5).containsEntry("test", 3);
        // Test record r: label r % 10, CHW byte (c, y, x) = c * 7 + y * 3 + x + r (Cifar10Test.records).
        assertThat(d.split(Split.TEST).labels(2)).containsExactly(2f);
        Image img = d.split(Split.TEST).image(2);
        assertThat(img.pixel(5, 4, 1)).isEqualTo(7 + 5 * 3 + 4 + 2);
        assertThat(img.pixel(31, 30, 2)).isEqualTo((14 + 31 * 3 + 30 + 2) & 0xff);
        assertThat(names(cache())).containsExactlyInAnyOrder("cifar-10-binary.tar.gz", "cifar-10-batches-bin",
                ".download.lock");
    }

    @Test
    void anArchiveWithoutThePublishedMd5IsRejectedAndNothingIsExtracted() throws IOException {
        server.body = archive(List.of());
        PrintStream savedErr = System.err;
        try {
            System.setErr(quiet());
            assertThatThrownBy(() -> DatasetSpecs.open("cifar10:download", ONLINE))
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(server.base() + "cifar-10-binary.tar.gz: MD5 " + md5(server.body) + " does not match "
                            + "c32a1d4ab5d03f1284b67883e8d87530 (the MD5 published on the CIFAR-10 page); the download "
                            + "was discarded and nothing was cached");
        } finally {
            System.setErr(savedErr);
        }
        assertThat(names(cache())).containsExactly(".download.lock");
    }

    @Test
    void anEntryClimbingOutOfTheFolderRejectsTheArchive() throws IOException {
        server.body = archive(List.of(Fixtures.TarEntry.file("cifar-10-batches-bin/../../escaped.bin",
                new byte[] {1})));
        assertThatThrownBy(() -> Cifar10Download.batches(source(md5(server.body)), cache(), true, quiet()))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("cifar-10-binary.tar.gz: tar entry at byte ")
                .hasMessageEndingWith(": entry 'cifar-10-batches-bin/../../escaped.bin' would be written outside "
                        + "the target folder (absolute or '..' path); refusing the archive");
        // Nothing extracted: no batches folder, no half-filled temporary folder, no escaped file anywhere.
        assertThat(names(cache())).containsExactlyInAnyOrder("cifar-10-binary.tar.gz", ".download.lock");
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.filter(p -> p.getFileName().toString().equals("escaped.bin"))).isEmpty();
        }
    }

    @Test
    void offlineTheErrorNamesTheUrlAndTheFolder() {
        Path folder = cache().resolve("cifar-10-batches-bin");
        System.clearProperty(Cifar10Download.MIRROR);
        assertThatThrownBy(() -> DatasetSpecs.open("cifar10:download", OFFLINE))
                .isInstanceOf(BadInputException.class)
                .hasMessage("cifar10:download: " + folder + " not found; offline, so not downloaded: get "
                        + "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz "
                        + "(MD5 c32a1d4ab5d03f1284b67883e8d87530) and extract it so that " + folder + " holds data_batch_1..5.bin and test_batch.bin, or pass "
                        + "cifar10:PATH");
        assertThat(server.requests()).isZero();
    }

    /**
     * The official layout in miniature: a folder entry, five training batches of 10 records (one per class, so the
     * 10% val split has one of each) and a 3-record test batch, then any {@code extra} entries.
     */
    private static byte[] archive(List<Fixtures.TarEntry> extra) {
        List<Fixtures.TarEntry> entries = new ArrayList<>();
        entries.add(new Fixtures.TarEntry("cifar-10-batches-bin/", '5', new byte[0]));
        for (int k = 1; k <= 5; k++) {
            entries.add(Fixtures.TarEntry.file("cifar-10-batches-bin/data_batch_" + k + ".bin",
                    Cifar10Test.records(10, k)));
        }
        entries.add(Fixtures.TarEntry.file("cifar-10-batches-bin/test_batch.bin", Cifar10Test.records(3, 9)));
        entries.addAll(extra);
        return Fixtures.gzip(Fixtures.tar(entries));
    }

    private Cifar10Download.Source source(String md5) {
        return new Cifar10Download.Source(URI.create(server.base() + "cifar-10-binary.tar.gz"), md5);
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
