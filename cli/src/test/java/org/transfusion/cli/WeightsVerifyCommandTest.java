package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.hub.Hub;
import org.transfusion.engine.hub.PretrainedSource;

/**
 * The hub cache is not trusted on its sidecar alone (issue 27): a cached file overwritten in place is refused by
 * {@code weights fetch} and {@code train --init pretrained} offline, and {@code weights verify} hashes it in full
 * even when its size and time were kept. The cache here is laid out by hand as a fetch leaves it (the file and a
 * sidecar recording its SHA-256, without the size and time this change adds, as sidecars written before it); the
 * expected hashes are computed with {@link MessageDigest} over the bytes written. Fetching itself is tested against
 * a local hub in the engine's HubTest.
 */
class WeightsVerifyCommandTest {
    @TempDir Path dir;

    private Path file;

    @BeforeEach
    void cache() {
        System.setProperty("TRANSFUSION_CACHE", dir.toString());
        file = Hub.cachePath(PretrainedSource.of("resnet18"), Hub.Config.fromEnvironment());
    }

    @AfterEach
    void clear() {
        System.clearProperty("TRANSFUSION_CACHE");
        System.clearProperty("HF_HUB_OFFLINE");
    }

    private String cacheFile() throws IOException {
        byte[] bytes = new byte[100_000];
        new Random(5).nextBytes(bytes);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        String sha = sha256(Files.readAllBytes(file));
        Files.writeString(file.resolveSibling("model.safetensors.json"), "{\"source\": \"https://huggingface.co/timm/"
                + "resnet18.tv_in1k/resolve/main/model.safetensors\", \"sha256\": \"" + sha + "\", \"licence\": "
                + "\"BSD-3-Clause\"}\n");
        return sha;
    }

    private void overwriteInPlace() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(50_000);
            f.write(new byte[] {9, 9, 9, 9});
        }
    }

    @Test
    void aFileChangedInPlaceIsFoundByVerifyAndRefusedByFetchAndTrain() throws IOException {
        String fetched = cacheFile();
        CliRun ok = CliRun.of("weights", "verify", "resnet18");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).isEqualTo("resnet18        timm/resnet18.tv_in1k                ok " + file + System.lineSeparator());

        // Changed in place with its size and time kept: only the full hash of `weights verify` can tell.
        FileTime before = Files.getLastModifiedTime(file);
        overwriteInPlace();
        Files.setLastModifiedTime(file, before);
        String now = sha256(Files.readAllBytes(file));
        String changed = file + " has SHA-256 " + now + ", not the " + fetched + " recorded when it was fetched "
                + "(changed since)";
        CliRun verify = CliRun.of("weights", "verify", "resnet18");
        verify.assertOneLineError("cached weights changed since they were fetched: resnet18 (expected the bytes "
                + "fetched; fetch again with `transfusion weights fetch resnet18`, online)");
        assertThat(verify.out()).isEqualTo("resnet18        timm/resnet18.tv_in1k                CHANGED: " + changed + System.lineSeparator());
        CliRun all = CliRun.of("weights", "verify", "--all");
        all.assertOneLineError("cached weights changed since they were fetched: resnet18 ");
        assertThat(all.out()).contains("resnet18        timm/resnet18.tv_in1k                CHANGED: ")
                .contains("resnet50        timm/resnet50.tv_in1k                not cached")
                .contains("resnet50        timm/resnet50.a1_in1k                not cached");

        // An edit that moved the time (set here: a file system's clock may tick coarser than the test) is found by
        // every command that uses the cache.
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 5_000));
        System.setProperty("HF_HUB_OFFLINE", "1");
        String offline = "HF_HUB_OFFLINE is set and timm/resnet18.tv_in1k's cached " + changed + ": download ";
        CliRun.of("weights", "fetch", "resnet18").assertOneLineError(offline);
        Path out = dir.resolve("run");
        CliRun.of("train", "--data", "synthetic:retina?n=40&size=32", "--model", "resnet18", "--init", "pretrained",
                "--out", out.toString()).assertOneLineError(offline);
        assertThat(out).doesNotExist();
        CliRun list = CliRun.of("weights", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("changed since fetched (see `weights verify resnet18`)");
    }

    @Test
    void verifyNeedsOneModelOrAllAndSaysWhatIsNotCached() {
        CliRun.of("weights", "verify").assertOneLineError("weights verify: give one MODEL or --all");
        CliRun.of("weights", "verify", "resnet18", "--all").assertOneLineError("give one MODEL or --all");
        CliRun.of("weights", "verify", "resnet18").assertOneLineError("resnet18 is not cached (expected its weights "
                + "fetched by `transfusion weights fetch resnet18`)");
        CliRun all = CliRun.of("weights", "verify", "--all");
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out().lines()).hasSize(PretrainedSource.allCheckpoints().size()).allMatch(l -> l.endsWith(" not cached"));
    }

    @Test
    void itsHelpFitsEightyColumns() {
        CliRun help = CliRun.of("weights", "verify", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--all");
        assertThat(help.out().lines()).allMatch(l -> l.length() <= 80, "at most 80 columns");
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
