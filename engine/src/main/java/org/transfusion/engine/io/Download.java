package org.transfusion.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.transfusion.error.BadInputException;

/**
 * Downloads a public file into a cache the way a user can trust: into {@code TARGET.part} beside the target, resumed
 * from where an interrupted download stopped (HTTP range request), every expected hash checked over the whole file,
 * and moved to the target only when all match, so the target path only ever holds a verified file. A progress bar
 * goes to the given stream; two processes fetching the same file wait for each other (a file lock). A server that
 * sends nothing for {@value #IDLE_TIMEOUT} seconds (default 60), before its answer or in the middle of the file, ends
 * the download with the partial file kept for the next attempt to resume. Failures are one-line
 * {@link BadInputException}s naming the URL and the path where a user may put the file by hand.
 */
public final class Download {
    /** A hash the file must have, and who vouches for it (e.g. "the hub", "the registry pin", "MD5 published"). */
    public record Expected(String algorithm, String hex, String source) {
        public Expected {
            hex = hex.toLowerCase(Locale.ROOT);
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20)).build();

    /** The setting (environment variable, or system property of that name) of the idle timeout in seconds. */
    public static final String IDLE_TIMEOUT = "TRANSFUSION_DOWNLOAD_IDLE_TIMEOUT";

    private Download() {}

    /**
     * How long a download waits for the server's next byte (its answer, or more of the file) before it gives up:
     * {@value #IDLE_TIMEOUT} in whole seconds from 1 to 86400, default 60.
     */
    public static Duration idleTimeout() {
        String v = CacheDir.setting(IDLE_TIMEOUT);
        if (v == null) {
            return Duration.ofSeconds(60);
        }
        if (v.strip().matches("[0-9]{1,5}")) {
            long seconds = Long.parseLong(v.strip());
            if (seconds >= 1 && seconds <= 86_400) {
                return Duration.ofSeconds(seconds);
            }
        }
        throw new BadInputException(IDLE_TIMEOUT + " is '" + BadInputException.printable(v) + "' (expected whole "
                + "seconds from 1 to 86400 that a download waits for the server; default 60)");
    }

    /**
     * Returns {@code target}, downloading {@code url} to it first unless it is already there with the expected
     * hashes. {@code headers} go with every request (e.g. an access token).
     */
    public static Path fetch(URI url, Path target, List<Expected> expected, Map<String, String> headers,
                             PrintStream progress) {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Duration idle = idleTimeout();
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            // One hidden lock per folder: a second process fetching into the same cache waits, then finds the file.
            try (FileChannel lockFile = FileChannel.open(target.resolveSibling(".download.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
                if (Files.isRegularFile(target)) {
                    String bad = mismatch(target, expected);
                    if (bad == null) {
                        return target;
                    }
                    // A cached file that no longer verifies (edited, or cached under an older pin) is fetched again.
                    progress.println("cached " + target + " does not verify (" + bad + "); downloading it again");
                    Files.delete(target);
                }
                get(url, part, headers, target, idle, progress);
                String bad = mismatch(part, expected);
                if (bad != null) {
                    Files.deleteIfExists(part);
                    throw new BadInputException(url + ": " + bad + "; the download was discarded and nothing was cached");
                }
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return target;
            }
        } catch (IOException e) {
            throw new BadInputException("cannot download " + url + " (" + describe(e) + "); download it by hand and "
                    + "put it at " + target.toAbsolutePath());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInputException("download of " + url + " interrupted; rerun to resume it from " + part);
        }
    }

    /**
     * GETs {@code url} into {@code part}, continuing a partial file with a range request when one exists; a server
     * silent for {@code idle} ends it with what arrived kept in {@code part}.
     */
    private static void get(URI url, Path part, Map<String, String> headers, Path target, Duration idle,
                            PrintStream progress) throws IOException, InterruptedException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(idle).GET(); // until the answer's headers
        headers.forEach(request::header);
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw silent(idle, "before answering");
        }
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            boolean resumed = status == 206 && have > 0;
            if (status == 416 && have > 0) {
                return; // the partial file is already whole; the hash check decides
            }
            if (status != 200 && !resumed) {
                throw new BadInputException(url + ": HTTP " + status + "; download it by hand and put it at "
                        + target.toAbsolutePath());
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long total = length < 0 ? -1 : resumed ? have + length : length;
            long done = resumed ? have : 0;
            if (resumed) {
                progress.println("resuming " + target.getFileName() + " at " + ProgressBar.mb(have));
            }
            ProgressBar bar = new ProgressBar(target.getFileName().toString(), total, progress);
            byte[] buf = new byte[1 << 16];
            StandardOpenOption mode = resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    mode); IdleWatch watch = new IdleWatch(in, idle)) {
                try {
                    for (int n; (n = in.read(buf)) > 0; watch.progress()) {
                        out.write(buf, 0, n);
                        done += n;
                        bar.update(done);
                    }
                } catch (IOException e) {
                    if (!watch.fired()) {
                        throw e;
                    }
                }
                if (!watch.finish()) {
                    throw silent(idle, "after " + ProgressBar.mb(done) + (total < 0 ? "" : " of "
                            + ProgressBar.mb(total)));
                }
            }
            bar.finish(done);
            if (total >= 0 && done != total) {
                throw new IOException("connection closed at " + done + " of " + total + " bytes (rerun to resume)");
            }
        }
    }

    private static IOException silent(Duration idle, String when) {
        return new IOException("the server sent nothing for " + idle.toSeconds() + " s " + when + " ("
                + IDLE_TIMEOUT + "=" + idle.toSeconds() + "; rerun to resume)");
    }

    /**
     * Closes a response body from which nothing has been read for the idle timeout, so that a read blocked on a
     * silent server ends. Its thread sleeps until the timeout would pass and looks again; {@link #finish} says
     * whether the read loop ended by itself or was ended by the watch, whichever came first.
     */
    private static final class IdleWatch implements AutoCloseable {
        private static final int READING = 0;
        private static final int FINISHED = 1;
        private static final int FIRED = 2;
        private final AtomicInteger state = new AtomicInteger(READING);
        private volatile long last = System.nanoTime();
        private final Thread thread;

        IdleWatch(InputStream in, Duration idle) {
            thread = new Thread(() -> {
                try {
                    for (long left; state.get() == READING; ) {
                        left = last + idle.toNanos() - System.nanoTime();
                        if (left > 0) {
                            TimeUnit.NANOSECONDS.sleep(left);
                        } else if (state.compareAndSet(READING, FIRED)) {
                            in.close();
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    // the read loop finished (interrupt), or closing the stream failed: it is being closed anyway
                }
            }, "download-idle-watch");
            thread.setDaemon(true);
            thread.start();
        }

        void progress() {
            last = System.nanoTime();
        }

        boolean fired() {
            return state.get() == FIRED;
        }

        /** True when the read loop ended by itself (end of the body, or an error); false when the watch ended it. */
        boolean finish() {
            return state.compareAndSet(READING, FINISHED);
        }

        @Override
        public void close() {
            finish();
            thread.interrupt();
        }
    }

    /** Null when {@code file} has every expected hash; otherwise which one it does not have. */
    static String mismatch(Path file, List<Expected> expected) throws IOException {
        for (Expected e : expected) {
            String actual = hash(file, e.algorithm());
            if (!actual.equals(e.hex())) {
                return e.algorithm() + " " + actual + " does not match " + e.hex() + " (" + e.source() + ")";
            }
        }
        return null;
    }

    /** The hex digest of a file ("SHA-256", "MD5"). */
    public static String hash(Path file, String algorithm) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unknown hash " + algorithm, e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String describe(IOException e) {
        String what = e.getClass().getSimpleName();
        return e.getMessage() == null ? what : what + ": " + e.getMessage();
    }

    /** A one-line terminal progress bar, redrawn at most five times a second. */
    public static final class ProgressBar {
        private final String label;
        private final long total;
        private final PrintStream out;
        private final long start = System.nanoTime();
        private long lastDraw;

        public ProgressBar(String label, long total, PrintStream out) {
            this.label = label;
            this.total = total;
            this.out = out;
        }

        public void update(long done) {
            long now = System.nanoTime();
            if (now - lastDraw > 200_000_000L) {
                lastDraw = now;
                out.print("\r" + line(done, now));
                out.flush();
            }
        }

        public void finish(long done) {
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

        static String mb(long bytes) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
    }
}
