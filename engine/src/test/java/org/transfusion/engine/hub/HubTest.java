package org.transfusion.engine.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Normalisation;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.init.InitSchemes;
import org.transfusion.engine.io.Download;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.DeterministicWeights;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Fetching published weights against a hub served on 127.0.0.1 by the test (the Hugging Face hub's protocol as
 * {@code hf_hub_download} uses it: a HEAD on {@code /REPO/resolve/REV/FILE} whose {@code X-Linked-Etag} is the
 * file's SHA-256, then a GET, ranged when resuming). The expected SHA-256 values are computed here with
 * {@link MessageDigest} over the bytes the server sends. The server is a plain socket loop rather than the JDK's
 * HttpServer because a cut connection (a body shorter than its Content-Length, then the socket closed) must be
 * producible.
 */
class HubTest {
    @TempDir Path dir;

    private ServerSocket server;
    private Thread loop;
    private volatile byte[] bytes;
    private volatile String reportedSha;
    private int cutAfter = -1; // the first GET sends only this many bytes, then closes the connection
    private volatile boolean stallGet; // the first GET gets no answer until released
    private volatile int stallAfter = -1; // the first GET sends this many bytes, then nothing until released
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    private final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final PretrainedSource SOURCE = new PretrainedSource("resnet18", "timm/resnet18.tv_in1k",
            "model.safetensors", "main", null, "BSD-3-Clause", "test", 224, List.of(0.5, 0.5, 0.5),
            List.of(0.5, 0.5, 0.5), "conv1", "fc", 1000);

    @BeforeEach
    void start() throws IOException {
        bytes = new byte[300_000];
        new Random(3).nextBytes(bytes);
        reportedSha = sha256(bytes);
        server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
        loop = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    serve(s);
                } catch (IOException closed) {
                    // the server was stopped, or the client went away
                }
            }
        });
        loop.setDaemon(true);
        loop.start();
    }

    @AfterEach
    void stop() throws Exception {
        System.clearProperty(Download.IDLE_TIMEOUT);
        release.countDown();
        server.close();
        loop.join(5_000);
    }

    /** One request per connection: HEAD reports the hash, GET (ranged or not) sends the bytes, maybe cut short. */
    private void serve(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String first = in.readLine();
        String range = null;
        for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("range:")) {
                range = h.substring(6).trim();
            }
        }
        String method = first.split(" ")[0];
        requests.add(method + (range == null ? "" : " " + range));
        paths.add(first.split(" ")[1]);
        OutputStream out = s.getOutputStream();
        if (method.equals("HEAD")) {
            out.write(("HTTP/1.1 200 OK\r\nX-Linked-Etag: \"" + reportedSha + "\"\r\nX-Linked-Size: " + bytes.length
                    + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return;
        }
        if (stallGet) {
            stallGet = false;
            awaitRelease(); // the request is read and never answered
            return;
        }
        int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
        out.write(((range == null ? "HTTP/1.1 200 OK" : "HTTP/1.1 206 Partial Content") + "\r\nContent-Length: "
                + (bytes.length - from) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        int to = cutAfter > 0 ? cutAfter : stallAfter > 0 ? stallAfter : bytes.length;
        boolean cut = cutAfter > 0;
        boolean stall = stallAfter > 0;
        cutAfter = -1;
        stallAfter = -1;
        out.write(bytes, from, to - from);
        out.flush();
        if (stall) {
            awaitRelease(); // the connection stays open, silent
        }
        if (cut) {
            // Give the client time to take in what was sent before the connection drops: the JDK's HttpClient
            // discards bytes it has received but not yet handed to the reader once it sees the early close.
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Hub.Config config(boolean offline) {
        return new Hub.Config(URI.create("http://127.0.0.1:" + server.getLocalPort()), offline,
                dir.resolve("cache"), null);
    }

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void aGoodFileIsVerifiedCachedAndNotDownloadedTwice() throws IOException {
        Hub.Fetched f = Hub.fetch(SOURCE, config(false), QUIET);
        assertThat(f.file()).isEqualTo(Hub.cachePath(SOURCE, config(false)));
        assertThat(Files.readAllBytes(f.file())).isEqualTo(bytes);
        assertThat(f.sha256()).isEqualTo(reportedSha);
        assertThat(f.provenance()).containsEntry("licence", "BSD-3-Clause").containsEntry("sha256", reportedSha)
                .containsEntry("source", Hub.url(SOURCE, config(false)).toString());
        assertThat(requests).containsExactly("HEAD", "GET");

        Hub.Fetched again = Hub.fetch(SOURCE, config(false), QUIET);
        assertThat(again.file()).isEqualTo(f.file());
        assertThat(requests).as("the second fetch is served from the cache").containsExactly("HEAD", "GET");
        assertThat(Hub.provenance(f.file())).containsEntry("sha256", reportedSha);
    }

    /**
     * efficientnet-b0's published weights, as its card names them (timm/efficientnet_b0.ra_in1k), fetched from the
     * stand-in hub: a safetensors file with every key and shape of timm's efficientnet_b0 (1000 classes; the values
     * {@link DeterministicWeights}'), cached with its licence, and loaded by the pretrained scheme.
     */
    @Test
    void efficientNetB0WeightsAreFetchedByTheirCardAndLoad() throws IOException {
        Architecture timm = ModelRegistry.get("efficientnet-b0").build(3, 1000, 1.0);
        StateDict published = DeterministicWeights.of(timm);
        Path file = dir.resolve("served.safetensors");
        SafeTensors.write(file, published, java.util.Map.of());
        bytes = Files.readAllBytes(file);
        reportedSha = sha256(bytes);
        PretrainedSource source = PretrainedSource.of("efficientnet-b0");

        Hub.Fetched f = Hub.fetch(source, config(false), QUIET);
        assertThat(Hub.url(source, config(false)).getPath())
                .isEqualTo("/timm/efficientnet_b0.ra_in1k/resolve/main/model.safetensors");
        assertThat(f.provenance()).containsEntry("licence", "Apache-2.0").containsEntry("sha256", reportedSha);
        assertThat(requests).containsExactly("HEAD", "GET");
        assertThat(SafeTensors.shapes(f.file()).keySet()).containsExactlyInAnyOrderElementsOf(timm.specs().keySet());
        StateDict init = InitSchemes.apply("pretrained", ModelRegistry.get("efficientnet-b0").build(3, 2, 1.0),
                f.file(), 0).weights();
        assertThat(init.get("blocks.6.0.se.conv_reduce.weight").values())
                .isEqualTo(published.get("blocks.6.0.se.conv_reduce.weight").values());
    }

    /** The modern backbones' cards give sources that fetch like resnet18's, from their own repository and file. */
    @Test
    void theModernBackbonesWeightsFetchFromTheirCardsRepositories() throws IOException {
        for (String model : List.of("vit-small-p16", "convnext-tiny")) {
            PretrainedSource source = PretrainedSource.of(model);
            paths.clear();
            Hub.Fetched f = Hub.fetch(source, config(false), QUIET);
            assertThat(Files.readAllBytes(f.file())).isEqualTo(bytes);
            assertThat(f.provenance()).as(model).containsEntry("licence", "Apache-2.0")
                    .containsEntry("sha256", reportedSha);
            assertThat(paths).as(model).containsOnly("/" + source.repo() + "/resolve/main/model.safetensors");
        }
        assertThat(PretrainedSource.of("vit-small-p16").repo()).isEqualTo("timm/vit_small_patch16_224.augreg_in21k_ft_in1k");
        assertThat(PretrainedSource.of("convnext-tiny").repo()).isEqualTo("timm/convnext_tiny.fb_in1k");
        assertThat(PretrainedSource.of("vit-small-p8")).as("no published weights on this card").isNull();
    }

    /**
     * A model's further checkpoints (issue 31: pretraining sources as a factor) fetch by their tags from their own
     * repositories, with their own licences, into caches of their own beside the default's.
     */
    @Test
    void aCheckpointByItsTagFetchesFromItsOwnRepositoryWithItsLicence() throws IOException {
        String[][] cases = {{"resnet50", "a1_in1k", "Apache-2.0"}, {"resnet50", "fb_swsl_ig1b_ft_in1k", "CC-BY-NC-4.0"},
            {"convnext-tiny", "fb_in22k", "Apache-2.0"}, {"vit-small-p16", "augreg_in1k", "Apache-2.0"},
            {"vit-small-p16", "dino", "Apache-2.0"}, {"vit-small-p16", "fb_in1k", "Apache-2.0"},
            {"vit-small-p8", "dino", "Apache-2.0"}};
        java.util.Set<Path> files = new java.util.HashSet<>();
        for (String[] c : cases) {
            PretrainedSource source = PretrainedSource.of(c[0], c[1]);
            assertThat(source.tag()).isEqualTo(c[1]);
            paths.clear();
            Hub.Fetched f = Hub.fetch(source, config(false), QUIET);
            assertThat(paths).as(c[1]).containsOnly("/" + source.repo() + "/resolve/main/model.safetensors");
            assertThat(source.repo()).endsWith("." + c[1]);
            assertThat(f.provenance()).as(c[1]).containsEntry("licence", c[2]).containsEntry("sha256", reportedSha);
            files.add(f.file());
        }
        assertThat(files).hasSize(cases.length);
        assertThat(PretrainedSource.of("resnet50", "in22k")).isNull();
        assertThat(PretrainedSource.of("resnet50-slim", "a1_in1k").repo()).isEqualTo("timm/resnet50.a1_in1k");
    }

    /**
     * A checkpoint trained on inputs normalised otherwise than its card's default carries its own normalisation:
     * timm's pretrained_cfg (timm aa4b585, vision_transformer.py and deit.py) gives the DINO ViTs and DeiT-S
     * ImageNet's mean and std where the AugReg ViT-S/16 has 0.5, and DINO no head (num_classes 0).
     */
    @Test
    void aCheckpointTrainedWithOtherInputStatisticsCarriesItsOwn() {
        assertThat(PretrainedSource.of("vit-small-p16").normalisation()).isEqualTo(Normalisation.INCEPTION);
        assertThat(PretrainedSource.of("vit-small-p16", "augreg_in1k").normalisation())
                .isEqualTo(Normalisation.INCEPTION);
        PretrainedSource dino = PretrainedSource.of("vit-small-p16", "dino");
        assertThat(dino.repo()).isEqualTo("timm/vit_small_patch16_224.dino");
        assertThat(dino.normalisation()).isEqualTo(Normalisation.IMAGENET);
        assertThat(dino.classes()).isZero();
        PretrainedSource deit = PretrainedSource.of("vit-small-p16", "fb_in1k");
        assertThat(deit.repo()).isEqualTo("timm/deit_small_patch16_224.fb_in1k");
        assertThat(deit.normalisation()).isEqualTo(Normalisation.IMAGENET);
        assertThat(deit.classes()).isEqualTo(1000);
        assertThat(PretrainedSource.of("vit-small-p8", "dino").repo()).isEqualTo("timm/vit_small_patch8_224.dino");
        assertThat(PretrainedSource.of("vit-small-p8", "dino").normalisation()).isEqualTo(Normalisation.IMAGENET);
    }

    @Test
    void bytesThatDoNotMatchTheReportedHashAreRejectedAndNothingIsCached() throws IOException {
        reportedSha = sha256("other bytes".getBytes());
        assertThatThrownBy(() -> Hub.fetch(SOURCE, config(false), QUIET)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("SHA-256 " + sha256(bytes) + " does not match " + reportedSha
                        + " (reported by the hub)").hasMessageContaining("nothing was cached");
        assertThat(cachedFiles()).isEmpty();
    }

    @Test
    void bytesThatDoNotMatchAPinnedHashAreRejectedAndNothingIsCached() throws IOException {
        String pin = sha256("the real file".getBytes());
        PretrainedSource pinned = new PretrainedSource(SOURCE.model(), SOURCE.repo(), SOURCE.file(), "main", pin,
                SOURCE.licence(), "", 224, SOURCE.mean(), SOURCE.std(), "conv1", "fc", 1000);
        assertThatThrownBy(() -> Hub.fetch(pinned, config(false), QUIET)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("does not match " + pin + " (pinned in the model registry)");
        assertThat(cachedFiles()).isEmpty();
    }

    @Test
    void aDownloadCutHalfWayResumesWhereItStopped() throws IOException {
        cutAfter = 120_000;
        assertThatThrownBy(() -> Hub.fetch(SOURCE, config(false), QUIET)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("cannot download " + Hub.url(SOURCE, config(false)));
        Path part = Hub.cachePath(SOURCE, config(false)).resolveSibling("model.safetensors.part");
        // The server sent 120,000 bytes and closed; the client keeps what reached its reader (the JDK's HttpClient
        // may drop its last unread buffers on an early close, so the part can be a little shorter, never longer),
        // and every byte kept is the file's own.
        long have = Files.size(part);
        assertThat(have).isPositive().isLessThanOrEqualTo(120_000);
        assertThat(Files.readAllBytes(part)).isEqualTo(java.util.Arrays.copyOf(bytes, (int) have));

        Hub.Fetched f = Hub.fetch(SOURCE, config(false), QUIET);
        assertThat(Files.readAllBytes(f.file())).isEqualTo(bytes);
        assertThat(requests).containsExactly("HEAD", "GET", "HEAD", "GET bytes=" + have + "-");
        assertThat(part).doesNotExist();
    }

    @Test
    void offlineItSaysWhichUrlToFetchAndWhereToPutIt() {
        Hub.Config offline = config(true);
        assertThatThrownBy(() -> Hub.fetch(SOURCE, offline, QUIET)).isInstanceOf(BadInputException.class)
                .hasMessage("HF_HUB_OFFLINE is set and timm/resnet18.tv_in1k is not cached: download "
                        + Hub.url(SOURCE, offline) + " by hand and place it at "
                        + Hub.cachePath(SOURCE, offline).toAbsolutePath());
        assertThat(requests).isEmpty();
    }

    @Test
    void anUnreachableEndpointSaysTheSame() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        Hub.Config unreachable = new Hub.Config(URI.create("http://127.0.0.1:" + closedPort), false,
                dir.resolve("cache"), null);
        assertThatThrownBy(() -> Hub.fetch(SOURCE, unreachable, QUIET)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("cannot reach " + Hub.url(SOURCE, unreachable))
                .hasMessageContaining("place it at " + Hub.cachePath(SOURCE, unreachable).toAbsolutePath());
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails rather than blocks the build
    void aServerThatAnswersHeadButNeverGetEndsInRerunToResume() throws IOException {
        System.setProperty(Download.IDLE_TIMEOUT, "1");
        stallGet = true;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Hub.fetch(SOURCE, config(false), QUIET)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("cannot download " + Hub.url(SOURCE, config(false)))
                .hasMessageContaining("the server sent nothing for 1 s before answering "
                        + "(TRANSFUSION_DOWNLOAD_IDLE_TIMEOUT=1; rerun to resume)");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds, a loose bound: it waited for the timeout only")
                .isLessThan(60);
        assertThat(cachedFiles()).isEmpty();

        release.countDown();
        assertThat(Files.readAllBytes(Hub.fetch(SOURCE, config(false), QUIET).file())).isEqualTo(bytes);
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails rather than blocks the build
    void aServerThatStallsMidFileEndsInRerunToResumeAndTheNextFetchResumes() throws IOException {
        System.setProperty(Download.IDLE_TIMEOUT, "2");
        bytes = new byte[2_000_000];
        new Random(4).nextBytes(bytes);
        reportedSha = sha256(bytes);
        stallAfter = 1_000_000;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Hub.fetch(SOURCE, config(false), QUIET)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("cannot download " + Hub.url(SOURCE, config(false)))
                .hasMessageMatching(".*the server sent nothing for 2 s after [0-9.]+ MB of 2\\.0 MB "
                        + "\\(TRANSFUSION_DOWNLOAD_IDLE_TIMEOUT=2; rerun to resume\\).*");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds, a loose bound").isLessThan(60);
        // What arrived is kept for the next attempt: a prefix of the file, at most the 1 MB the server sent.
        Path part = Hub.cachePath(SOURCE, config(false)).resolveSibling("model.safetensors.part");
        long have = Files.size(part);
        assertThat(have).isPositive().isLessThanOrEqualTo(1_000_000);
        assertThat(Files.readAllBytes(part)).isEqualTo(java.util.Arrays.copyOf(bytes, (int) have));

        release.countDown();
        Hub.Fetched f = Hub.fetch(SOURCE, config(false), QUIET);
        assertThat(Files.readAllBytes(f.file())).isEqualTo(bytes);
        assertThat(requests).containsExactly("HEAD", "GET", "HEAD", "GET bytes=" + have + "-");
    }

    @Test
    void aBadIdleTimeoutIsRefusedBeforeAnyRequest() {
        for (String bad : new String[] {"soon", "0", "-5", "1.5", "100000"}) {
            System.setProperty(Download.IDLE_TIMEOUT, bad);
            assertThatThrownBy(() -> Hub.fetch(SOURCE, config(false), QUIET)).as(bad)
                    .isInstanceOf(BadInputException.class).hasMessage("TRANSFUSION_DOWNLOAD_IDLE_TIMEOUT is '" + bad
                            + "' (expected whole seconds from 1 to 86400 that a download waits for the server; "
                            + "default 60)");
        }
        assertThat(requests).isEmpty();
    }

    /** Overwrites 4 bytes in the middle of {@code file}, as an edit in place would (same size). */
    private static void overwriteInPlace(Path file) throws IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            f.write(new byte[] {1, 2, 3, 4});
        }
    }

    @Test
    void aCachedFileChangedSinceItWasFetchedIsRefusedOfflineAndFetchedAgainOnline() throws IOException {
        Path file = Hub.fetch(SOURCE, config(false), QUIET).file();
        FileTime fetchedAt = Files.getLastModifiedTime(file);
        overwriteInPlace(file);
        // An edit moves the modification time; set here, as a file system's clock may tick coarser than the test.
        Files.setLastModifiedTime(file, FileTime.fromMillis(fetchedAt.toMillis() + 5_000));
        String now = sha256(Files.readAllBytes(file));
        String changed = file + " has SHA-256 " + now + ", not the " + reportedSha + " recorded when it was fetched "
                + "(changed since)";

        assertThat(Hub.cached(SOURCE, config(false))).as("not offered as cached").isNull();
        assertThatThrownBy(() -> Hub.fetch(SOURCE, config(true), QUIET)).isInstanceOf(BadInputException.class)
                .hasMessage("HF_HUB_OFFLINE is set and timm/resnet18.tv_in1k's cached " + changed + ": download "
                        + Hub.url(SOURCE, config(true)) + " by hand and place it at " + file.toAbsolutePath());
        // What run.json records: the hash of the bytes a run would use, so the changed file is refused there too.
        assertThatThrownBy(() -> Hub.provenance(file)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(changed + "; " + file + ".json vouches only for the file as fetched");

        Hub.Fetched again = Hub.fetch(SOURCE, config(false), QUIET);
        assertThat(Files.readAllBytes(again.file())).isEqualTo(bytes);
        assertThat(requests).containsExactly("HEAD", "GET", "HEAD", "GET");
        assertThat(Hub.provenance(again.file())).containsEntry("sha256", reportedSha);
    }

    @Test
    void aChangeThatKeepsSizeAndTimeIsFoundByAFullCheckOnly() throws IOException {
        Path file = Hub.fetch(SOURCE, config(false), QUIET).file();
        FileTime fetchedAt = Files.getLastModifiedTime(file);
        overwriteInPlace(file);
        Files.setLastModifiedTime(file, fetchedAt);
        // The cheap check trusts an unchanged size and time (what `weights verify` is for) ...
        assertThat(Hub.inCache(SOURCE, config(false), false).changed()).isNull();
        // ... the full one hashes the bytes.
        assertThat(Hub.inCache(SOURCE, config(false), true).changed()).isEqualTo(file + " has SHA-256 "
                + sha256(Files.readAllBytes(file)) + ", not the " + reportedSha + " recorded when it was fetched "
                + "(changed since)");
    }

    @Test
    void aFileTouchedButUnchangedIsHashedAgainAndKept() throws IOException {
        Path file = Hub.fetch(SOURCE, config(false), QUIET).file();
        FileTime touched = FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000);
        Files.setLastModifiedTime(file, touched);
        assertThat(Hub.cached(SOURCE, config(false))).isNotNull();
        assertThat(Files.readString(file.resolveSibling("model.safetensors.json")))
                .as("the new time is recorded, so the next check is cheap").contains(touched.toString());
        assertThat(requests).containsExactly("HEAD", "GET");
    }

    /**
     * A sidecar as the release before format_version wrote it (7eadd72: the provenance keys, when it was fetched,
     * the file's size and time; no version) still vouches for its file: served from the cache without a request,
     * and run.json's provenance is the same keys as then (the modification time left out, the path added).
     */
    @Test
    void aSidecarOfThePreviousReleaseStillReads() throws IOException {
        Path file = Hub.cachePath(SOURCE, config(true));
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        String url = Hub.url(SOURCE, config(true)).toString();
        Files.writeString(file.resolveSibling("model.safetensors.json"), "{\n"
                + "  \"source\" : \"" + url + "\",\n"
                + "  \"repo\" : \"timm/resnet18.tv_in1k\",\n"
                + "  \"revision\" : \"main\",\n"
                + "  \"sha256\" : \"" + reportedSha + "\",\n"
                + "  \"licence\" : \"BSD-3-Clause\",\n"
                + "  \"fetched\" : \"2025-01-02T03:04:05Z\",\n"
                + "  \"size\" : " + bytes.length + ",\n"
                + "  \"modified\" : \"" + Files.getLastModifiedTime(file) + "\"\n"
                + "}\n");
        Hub.Fetched f = Hub.fetch(SOURCE, config(true), QUIET);
        assertThat(f.sha256()).isEqualTo(reportedSha);
        assertThat(f.url()).isEqualTo(url);
        assertThat(f.licence()).isEqualTo("BSD-3-Clause");
        assertThat(requests).isEmpty();
        assertThat(Hub.provenance(file)).containsExactly(java.util.Map.entry("source", url),
                java.util.Map.entry("repo", "timm/resnet18.tv_in1k"), java.util.Map.entry("revision", "main"),
                java.util.Map.entry("sha256", reportedSha), java.util.Map.entry("licence", "BSD-3-Clause"),
                java.util.Map.entry("fetched", "2025-01-02T03:04:05Z"), java.util.Map.entry("size", (long) bytes.length),
                java.util.Map.entry("path", file.toAbsolutePath().normalize().toString()));
    }

    @Test
    void aSidecarIsWrittenWithItsVersionAndANewerOneIsRefusedInOneLine() throws IOException {
        Path file = Hub.fetch(SOURCE, config(false), QUIET).file();
        Path sidecar = file.resolveSibling("model.safetensors.json");
        assertThat(SidecarRecord.read(sidecar).formatVersion()).isEqualTo(SidecarRecord.FORMAT);
        assertThat(Files.readString(sidecar)).startsWith("{\n  \"format_version\" : " + SidecarRecord.FORMAT + ",");
        assertThat(Hub.provenance(file)).doesNotContainKey("format_version").doesNotContainKey("modified");
        Files.writeString(sidecar, Files.readString(sidecar).replace("\"format_version\" : " + SidecarRecord.FORMAT,
                "\"format_version\" : 99"));
        assertThatThrownBy(() -> Hub.cached(SOURCE, config(true))).isInstanceOf(BadInputException.class)
                .hasMessage(sidecar + ": format_version 99 is newer than this release reads (up to "
                        + SidecarRecord.FORMAT + "); update transfusion");
    }

    private List<Path> cachedFiles() throws IOException {
        if (!Files.exists(dir.resolve("cache"))) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir.resolve("cache"))) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
