package org.transfusion.engine.hub;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.io.CacheDir;
import org.transfusion.engine.io.Download;
import org.transfusion.error.BadInputException;

/**
 * Fetches published weights from the Hugging Face hub as {@code hf_hub_download} does: {@code HF_ENDPOINT} (default
 * {@code https://huggingface.co}), {@code HF_HUB_OFFLINE=1} to never touch the network, {@code HF_TOKEN} for gated
 * repositories. The file's SHA-256 is what the hub reports for it (its LFS object id, the {@code X-Linked-Etag} of
 * a HEAD request) and, where the registry pins one, that too; the download goes through {@link Download} (resumed,
 * verified, moved into the cache only when verified). Beside each cached file a small JSON sidecar records where it
 * came from, its hash and licence (what a run's provenance reports), and the file's size and modification time when
 * it was last hashed: a file whose size or time differ is hashed again, and one that no longer has its hash is not
 * used (fetched again, or refused offline).
 */
public final class Hub {
    /** Where and how to fetch: from the environment ({@link #fromEnvironment}) or given (tests). */
    public record Config(URI endpoint, boolean offline, Path cache, String token) {
        /**
         * The settings, each checked where it is read: a value that cannot be what its variable means is a one-line
         * bad input naming the variable, never a stack trace from the HTTP client later.
         */
        public static Config fromEnvironment() {
            return new Config(endpoint(CacheDir.setting("HF_ENDPOINT")), offline(CacheDir.setting("HF_HUB_OFFLINE")),
                    CacheDir.of("hub"), token(CacheDir.setting("HF_TOKEN")));
        }

        /** {@code HF_ENDPOINT}: an http(s) URL with a host and a valid port, a path allowed (a mirror's prefix). */
        static URI endpoint(String value) {
            if (value == null) {
                return URI.create("https://huggingface.co");
            }
            String bad = "HF_ENDPOINT is '" + BadInputException.printable(value) + "'";
            String expected = " (expected an http:// or https:// URL such as https://huggingface.co)";
            URI uri;
            try {
                uri = new URI(value.strip().replaceAll("/+$", ""));
            } catch (URISyntaxException e) {
                throw new BadInputException(bad + ", not a URL: " + BadInputException.printable(e.getReason())
                        + expected);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new BadInputException(bad + (scheme.isEmpty() ? ", without a scheme" : ", a " + scheme
                        + ": URL") + expected);
            }
            if (uri.getHost() == null) {
                throw new BadInputException(bad + ", without a host name (or with a port outside 1-65535)"
                        + expected);
            }
            if (uri.getPort() == 0 || uri.getPort() > 65535) {
                throw new BadInputException(bad + ", port " + uri.getPort() + " (expected 1-65535)");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new BadInputException(bad + ", with a query, fragment or user name" + expected
                        + "; a token goes in HF_TOKEN");
            }
            return uri;
        }

        /** {@code HF_HUB_OFFLINE}: 1, true, yes, on, or 0, false, no, off (any case), as {@code huggingface_hub}. */
        static boolean offline(String value) {
            if (value == null) {
                return false;
            }
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (List.of("1", "true", "yes", "on").contains(v)) {
                return true;
            }
            if (List.of("0", "false", "no", "off").contains(v)) {
                return false;
            }
            throw new BadInputException("HF_HUB_OFFLINE is '" + BadInputException.printable(value) + "' (expected 1, "
                    + "true, yes or on to stay offline; 0, false, no or off to fetch)");
        }

        /**
         * {@code HF_TOKEN}: printable ASCII without spaces (it goes into an HTTP header, where a line break would end
         * it). The token is a secret: a message names where it is wrong, never what it holds.
         */
        static String token(String value) {
            if (value == null) {
                return null;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x21 || c > 0x7e) {
                    throw new BadInputException("HF_TOKEN holds " + (c == '\n' || c == '\r' ? "a line break"
                            : c == ' ' ? "a space" : String.format(Locale.ROOT, "character U+%04X", (int) c))
                            + " at position " + (i + 1) + " of " + value.length() + " (expected the token alone, "
                            + "printable ASCII such as hf_...; the token itself is not printed)");
                }
            }
            return value;
        }
    }

    /** A fetched (or cached) weights file with its provenance. */
    public record Fetched(Path file, String url, String sha256, String licence, String repo, String revision) {
        public Map<String, Object> provenance() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", url);
            m.put("repo", repo);
            m.put("revision", revision);
            m.put("sha256", sha256);
            m.put("licence", licence);
            return m;
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20)).build();

    private Hub() {}

    /** The cache path of a source's file (whether or not it is there yet). */
    public static Path cachePath(PretrainedSource s, Config config) {
        return config.cache().resolve("models--" + s.repo().replace("/", "--")).resolve(s.revision()).resolve(s.file());
    }

    /** The download URL of a source's file. */
    public static URI url(PretrainedSource s, Config config) {
        return URI.create(config.endpoint() + "/" + s.repo() + "/resolve/" + s.revision() + "/" + s.file());
    }

    /**
     * A source's file in the cache with its sidecar: its provenance, and why it may not be used when it no longer
     * holds the bytes whose SHA-256 the sidecar records ({@code changed}, null when it does).
     */
    public record CacheEntry(Fetched fetched, String changed) {}

    /**
     * The cache entry of {@code s}, or null when it is not cached (file or sidecar missing, or cached under another
     * pin). Whether the file still has its recorded hash is checked cheaply (see {@link #changed}); {@code fullHash}
     * hashes it in full whatever its size and time say.
     */
    public static CacheEntry inCache(PretrainedSource s, Config config, boolean fullHash) {
        Path file = cachePath(s, config);
        Path sidecar = sidecar(file);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(sidecar)) {
            return null;
        }
        SidecarRecord side = SidecarRecord.read(sidecar);
        String sha = side.sha256();
        if (sha == null || s.sha256() != null && !s.sha256().equalsIgnoreCase(sha)) {
            return null; // cached under another pin (or no hash recorded): fetch (and verify) again
        }
        return new CacheEntry(new Fetched(file, side.source(), sha, side.licence(), s.repo(), s.revision()),
                changed(file, sidecar, side, fullHash));
    }

    /** The cached file with its provenance, or null when it is not cached or no longer has its recorded hash. */
    public static Fetched cached(PretrainedSource s, Config config) {
        CacheEntry e = inCache(s, config, false);
        return e == null || e.changed() != null ? null : e.fetched();
    }

    /**
     * The weights of {@code s}: from the cache when there with the bytes it was fetched with (no network), else
     * downloaded and verified (a cached file changed since is fetched again). Offline and not cached, or changed, or
     * unreachable: one line naming the URL and the exact path where a user may place the file by hand.
     */
    public static Fetched fetch(PretrainedSource s, Config config, PrintStream progress) {
        CacheEntry cached = inCache(s, config, false);
        if (cached != null && cached.changed() == null) {
            return cached.fetched();
        }
        URI url = url(s, config);
        Path file = cachePath(s, config);
        if (config.offline()) {
            throw new BadInputException("HF_HUB_OFFLINE is set and " + s.repo() + (cached == null ? " is not cached"
                    : "'s cached " + cached.changed()) + ": download " + url + " by hand and place it at "
                    + file.toAbsolutePath());
        }
        String reported = reportedSha256(url, config, file);
        List<Download.Expected> expected = new ArrayList<>();
        if (reported != null) {
            expected.add(new Download.Expected("SHA-256", reported, "reported by the hub"));
        }
        if (s.sha256() != null) {
            expected.add(new Download.Expected("SHA-256", s.sha256(), "pinned in the model registry"));
        }
        if (expected.isEmpty()) {
            throw new BadInputException(url + ": the hub reported no SHA-256 for the file and none is pinned, so it "
                    + "cannot be verified; download it by hand and place it at " + file.toAbsolutePath());
        }
        progress.println("fetching " + s.repo() + " (" + s.licence() + ") from " + config.endpoint());
        Download.fetch(url, file, expected, config.token() == null ? Map.of()
                : Map.of("Authorization", "Bearer " + config.token()), progress);
        String sha = expected.get(0).hex();
        try {
            new SidecarRecord(SidecarRecord.FORMAT, url.toString(), s.repo(), s.revision(), sha, s.licence(),
                    Instant.now().toString(), Files.size(file), Files.getLastModifiedTime(file).toString())
                    .write(sidecar(file));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return new Fetched(file, url.toString(), sha, s.licence(), s.repo(), s.revision());
    }

    /**
     * The provenance of a weights file: its sidecar when the hub put it there (refused when the file no longer has
     * the hash the sidecar records: run.json records the hash of the bytes used), else its path and SHA-256.
     */
    public static Map<String, Object> provenance(Path weights) {
        Path sidecar = sidecar(weights);
        if (Files.isRegularFile(sidecar)) {
            SidecarRecord side = SidecarRecord.read(sidecar);
            String changed = changed(weights, sidecar, side, false);
            if (changed != null) {
                throw new BadInputException(changed + "; " + sidecar + " vouches only for the file as fetched: "
                        + "fetch it again (transfusion weights fetch MODEL), or delete that sidecar to use the file "
                        + "as weights of your own");
            }
            Map<String, Object> m = side.provenance();
            m.put("path", weights.toAbsolutePath().normalize().toString());
            return m;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", weights.toAbsolutePath().normalize().toString());
        try {
            if (Files.isDirectory(weights)) {
                // A Keras export folder: the hash of each file in it.
                Map<String, String> files = new java.util.TreeMap<>();
                try (var list = Files.list(weights)) {
                    for (Path f : list.filter(Files::isRegularFile).toList()) {
                        files.put(f.getFileName().toString(), Download.hash(f, "SHA-256"));
                    }
                }
                m.put("sha256", files);
            } else {
                m.put("sha256", Download.hash(weights, "SHA-256"));
            }
        } catch (IOException e) {
            throw new BadInputException(weights + ": cannot read (" + e.getMessage() + ")");
        }
        return m;
    }

    private static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + ".json");
    }

    /**
     * Null when {@code file} still holds the bytes whose SHA-256 its sidecar {@code side} records, else why not.
     * Cheap: the hash is computed again only when the file's size or modification time differ from those recorded
     * beside it (a sidecar written before they were recorded counts as differing), or always when {@code fullHash};
     * a file whose hash still matches has its new size and time recorded.
     */
    private static String changed(Path file, Path sidecar, SidecarRecord side, boolean fullHash) {
        try {
            long size = Files.size(file);
            String modified = Files.getLastModifiedTime(file).toString();
            boolean same = side.size() != null && side.size() == size && modified.equals(side.modified());
            if (same && !fullHash) {
                return null;
            }
            String sha = Download.hash(file, "SHA-256");
            String recorded = side.sha256();
            if (!sha.equalsIgnoreCase(recorded)) {
                return file + " has SHA-256 " + sha + ", not the " + recorded + " recorded when it was fetched "
                        + "(changed since)";
            }
            if (!same) {
                try {
                    side.hashedAt(size, modified).write(sidecar);
                } catch (BadInputException readOnly) {
                    // a cache that cannot be written: the record only saves time, and the next check hashes again
                }
            }
            return null;
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * The SHA-256 the hub reports for a file: a HEAD request without following the redirect to the CDN, whose
     * {@code X-Linked-Etag} is the LFS object id (the file's SHA-256); {@code ETag} when the file is not in LFS is a
     * git blob id, not a SHA-256, and not used.
     */
    private static String reportedSha256(URI url, Config config, Path file) {
        HttpRequest.Builder head = HttpRequest.newBuilder(url).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Download.idleTimeout());
        if (config.token() != null) {
            head.header("Authorization", "Bearer " + config.token());
        }
        HttpResponse<Void> r;
        try {
            r = CLIENT.send(head.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new BadInputException("cannot reach " + url + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); download it by hand and place it at "
                    + file.toAbsolutePath() + " (or set HF_ENDPOINT to a mirror)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInputException("interrupted while asking " + url + " for the file's hash");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new BadInputException(url + ": HTTP " + r.statusCode() + " (a gated or private repository: set "
                    + "HF_TOKEN), or download it by hand and place it at " + file.toAbsolutePath());
        }
        if (r.statusCode() >= 400) {
            throw new BadInputException(url + ": HTTP " + r.statusCode() + "; download it by hand and place it at "
                    + file.toAbsolutePath());
        }
        String linked = r.headers().firstValue("X-Linked-Etag").orElse(null);
        if (linked == null) {
            return null;
        }
        String sha = linked.replace("\"", "").replaceFirst("^W/", "").toLowerCase(Locale.ROOT);
        return sha.matches("[0-9a-f]{64}") ? sha : null;
    }
}
