package org.transfusion.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Fixtures.TarEntry;
import org.transfusion.engine.data.Fixtures;
import org.transfusion.error.BadInputException;

/** The minimal tar reader on archives written here: what it extracts, and the archives it refuses whole. */
class TarGzTest {
    @TempDir Path dir;

    @Test
    void onlyTheFolderIsExtractedAndOnlyItsRegularFiles() throws IOException {
        Path archive = write(List.of(TarEntry.file("data/a.bin", new byte[] {1, 2, 3}),
                TarEntry.file("data/sub/b.bin", new byte[600]),
                new TarEntry("data/link", '2', new byte[0]),
                TarEntry.file("other/c.bin", new byte[] {4}),
                TarEntry.file("./data/d.bin", new byte[] {5})));
        Path target = dir.resolve("out");
        TarGz.extractFolder(archive, "data", target);
        assertThat(target.resolve("a.bin")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(target.resolve("sub/b.bin")).hasBinaryContent(new byte[600]);
        assertThat(target.resolve("d.bin")).hasBinaryContent(new byte[] {5});
        assertThat(target.resolve("link")).doesNotExist();
        assertThat(names()).containsExactlyInAnyOrder("x.tar.gz", "out");
    }

    @Test
    void gnuLongNamesAndPaxPathsNameTheNextEntryAndAreCheckedToo() throws IOException {
        String longName = "data/" + "d".repeat(120) + "/e.bin";
        Path archive = write(List.of(new TarEntry("././@LongLink", 'L', (longName + "\0").getBytes()),
                TarEntry.file("data/short.bin", new byte[] {7})));
        TarGz.extractFolder(archive, "data", dir.resolve("out"));
        assertThat(dir.resolve("out").resolve(longName.substring(5))).hasBinaryContent(new byte[] {7});

        // A pax record "LENGTH path=VALUE\n", LENGTH counting itself: 2 digits + space + 13 characters = 16.
        Path pax = write(List.of(new TarEntry("PaxHeaders/a", 'x', "16 path=../evil\n".getBytes()),
                TarEntry.file("data/a.bin", new byte[] {1})));
        assertThatThrownBy(() -> TarGz.extractFolder(pax, "data", dir.resolve("out2")))
                .isInstanceOf(BadInputException.class)
                .hasMessage(pax + ": tar entry at byte 1024: entry '../evil' would be written outside the target "
                        + "folder (absolute or '..' path); refusing the archive");
        assertThat(names()).containsExactlyInAnyOrder("x.tar.gz", "out");
    }

    @Test
    void anAbsoluteNameRefusesTheArchive() throws IOException {
        Path archive = write(List.of(TarEntry.file("data/a.bin", new byte[] {1}), TarEntry.file("/data/b.bin",
                new byte[] {2})));
        assertThatThrownBy(() -> TarGz.extractFolder(archive, "data", dir.resolve("out")))
                .isInstanceOf(BadInputException.class)
                .hasMessage(archive + ": tar entry at byte 1024: entry '/data/b.bin' would be written outside the "
                        + "target folder (absolute or '..' path); refusing the archive");
        assertThat(names()).containsExactly("x.tar.gz");
    }

    @Test
    void aSizeBeyondWhatTheArchiveCanHoldIsRefusedBeforeWriting() throws IOException {
        // A header claiming 10 MB in an archive of a few hundred bytes: gzip cannot inflate more than ~1032:1.
        byte[] forged = Fixtures.tarHeader("data/big.bin", '0', 10_000_000L);
        Path archive = Files.write(dir.resolve("x.tar.gz"), Fixtures.gzip(forged));
        assertThatThrownBy(() -> TarGz.extractFolder(archive, "data", dir.resolve("out")))
                .isInstanceOf(BadInputException.class)
                .hasMessage(archive + ": tar entry at byte 0: entry 'data/big.bin' declares 10000000 bytes, more than "
                        + "this " + Files.size(archive) + "-byte archive can hold");
        assertThat(names()).containsExactly("x.tar.gz");
    }

    @Test
    void aTruncatedEntryAndANonTarFileAreErrors() throws IOException {
        byte[] tar = Fixtures.tar(List.of(TarEntry.file("data/a.bin", new byte[1000])));
        Path cut = Files.write(dir.resolve("x.tar.gz"), Fixtures.gzip(java.util.Arrays.copyOf(tar, 512 + 700)));
        assertThatThrownBy(() -> TarGz.extractFolder(cut, "data", dir.resolve("out")))
                .isInstanceOf(BadInputException.class)
                .hasMessage(cut + ": tar entry at byte 0: archive truncated inside an entry");
        Path notTar = Files.write(dir.resolve("x.tar.gz"), Fixtures.gzip("x".repeat(600).getBytes()));
        assertThatThrownBy(() -> TarGz.extractFolder(notTar, "data", dir.resolve("out")))
                .isInstanceOf(BadInputException.class)
                .hasMessage(notTar + ": tar entry at byte 0: header checksum does not match (not a tar archive, or "
                        + "damaged)");
        assertThat(names()).containsExactly("x.tar.gz");
    }

    @Test
    void anArchiveWithoutTheFolderIsAnError() throws IOException {
        Path archive = write(List.of(TarEntry.file("other/a.bin", new byte[] {1})));
        assertThatThrownBy(() -> TarGz.extractFolder(archive, "data", dir.resolve("out")))
                .isInstanceOf(BadInputException.class)
                .hasMessage(archive + ": holds no files under data/ (not the expected archive)");
        assertThat(names()).containsExactly("x.tar.gz");
    }

    private Path write(List<TarEntry> entries) throws IOException {
        return Files.write(dir.resolve("x.tar.gz"), Fixtures.gzip(Fixtures.tar(entries)));
    }

    /** What the folder holds: the archive, and the target only after a complete extraction (no temp folders). */
    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
