package org.transfusion.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.error.BadInputException;

/** Provenance of a data file: path, size and a checksum, so two runs can be shown to have read the same bytes. */
public final class FileIdentity {
    /** Files larger than this are identified by size and modification time only (hashing would cost minutes). */
    private static final long HASH_LIMIT = 1L << 30;

    private FileIdentity() {}

    public static Map<String, Object> of(Path file) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("path", file.toAbsolutePath().normalize().toString());
        try {
            long size = Files.size(file);
            id.put("bytes", size);
            if (size <= HASH_LIMIT) {
                id.put("sha256", sha256(file));
            } else {
                id.put("modified", Files.getLastModifiedTime(file).toString());
            }
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return id;
    }

    public static String sha256(Path file) throws IOException {
        return digest(file, "SHA-256");
    }

    public static String md5(Path file) throws IOException {
        return digest(file, "MD5");
    }

    private static String digest(Path file, String algorithm) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
