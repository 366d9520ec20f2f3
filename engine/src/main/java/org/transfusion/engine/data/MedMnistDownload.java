package org.transfusion.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.transfusion.error.BadInputException;

/**
 * Fetches an official MedMNIST file that is not on disk: when online, from its published URL into
 * {@code --data-dir} (or the cache), through a temporary file that is renamed only after its MD5 matches the
 * published one, so an interrupted or corrupted download never leaves a file that later reads as data. When
 * offline, a message says which file to put where.
 */
final class MedMnistDownload {
    private MedMnistDownload() {}

    static Dataset fetch(String spec, String name, List<Path> searched, DataOptions options) {
        String where = searched.stream().map(Path::toString).collect(Collectors.joining(", "));
        MedMnistSources.Source source = MedMnistSources.find(name);
        if (source == null) {
            throw new BadInputException(name + ".npz not found (looked in " + where + ") and no official file has that "
                    + "name (official sizes: NAME, NAME_64, NAME_128, NAME_224)");
        }
        Path target = searched.get(0).resolve(name + ".npz");
        if (!options.online()) {
            throw new BadInputException(name + ".npz not found (looked in " + where + "); offline, so not downloaded: "
                    + "get " + source.url() + " (MD5 " + source.md5() + ") and put it in one of those folders, "
                    + "or pass --data-dir");
        }
        download(source, target, System.err);
        return NpzDataset.read(spec, target);
    }

    /**
     * Downloads {@code source} to {@code target} with a progress bar on {@code progress}. On any failure the
     * partial file is removed and a one-line error names the URL and what went wrong.
     */
    static void download(MedMnistSources.Source source, Path target, PrintStream progress) {
        Path dir = target.toAbsolutePath().getParent();
        Path part = null;
        try {
            Files.createDirectories(dir);
            part = Files.createTempFile(dir, target.getFileName().toString() + ".", ".part");
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            HttpRequest request = HttpRequest.newBuilder(source.url()).timeout(Duration.ofMinutes(30)).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String md5;
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new BadInputException("download of " + source.url() + " failed: HTTP " + response.statusCode()
                            + "; get the file by hand and put it at " + target);
                }
                long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                md5 = copyWithMd5(in, part, total, target.getFileName().toString(), progress);
            }
            if (!md5.equalsIgnoreCase(source.md5())) {
                throw new BadInputException("download of " + source.url() + " has MD5 " + md5 + ", expected "
                        + source.md5() + " (corrupt or not the official file); removed it");
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            part = null;
        } catch (IOException e) {
            throw new BadInputException("download of " + source.url() + " failed (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); get the file by hand and put it at "
                    + target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInputException("download of " + source.url() + " interrupted; nothing was kept");
        } finally {
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // best effort: the .part name never reads as a dataset
                }
            }
        }
    }

    private static String copyWithMd5(InputStream in, Path part, long total, String label, PrintStream progress)
            throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ProgressBar bar = new ProgressBar(label, total, progress);
        byte[] buf = new byte[1 << 16];
        long done = 0;
        try (OutputStream out = Files.newOutputStream(part)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                md.update(buf, 0, n);
                done += n;
                bar.update(done);
            }
        }
        bar.finish(done);
        return HexFormat.of().formatHex(md.digest());
    }

    /** A one-line terminal progress bar, redrawn at most five times a second. */
    static final class ProgressBar {
        private final String label;
        private final long total;
        private final PrintStream out;
        private final long start = System.nanoTime();
        private long lastDraw;

        ProgressBar(String label, long total, PrintStream out) {
            this.label = label;
            this.total = total;
            this.out = out;
        }

        void update(long done) {
            long now = System.nanoTime();
            if (now - lastDraw > 200_000_000L) {
                lastDraw = now;
                out.print("\r" + line(done, now));
                out.flush();
            }
        }

        void finish(long done) {
            out.println("\r" + line(done, System.nanoTime()));
            out.flush();
        }

        String line(long done, long now) {
            double seconds = Math.max(1e-3, (now - start) / 1e9);
            double rate = done / seconds;
            StringBuilder sb = new StringBuilder("downloading ").append(label).append(' ');
            if (total > 0) {
                int width = 30;
                int filled = (int) Math.min(width, width * done / total);
                sb.append('[').append("=".repeat(filled)).append(" ".repeat(width - filled)).append("] ")
                        .append(String.format(Locale.ROOT, "%3d%% %s/%s", 100 * done / total, mb(done), mb(total)));
                if (done < total && rate > 0) {
                    sb.append(String.format(Locale.ROOT, " %s/s, %ds left", mb((long) rate),
                            (long) ((total - done) / rate)));
                }
            } else {
                sb.append(mb(done)).append(String.format(Locale.ROOT, " %s/s", mb((long) rate)));
            }
            return sb.toString();
        }

        private static String mb(long bytes) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
    }
}
