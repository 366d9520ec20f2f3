package org.transfusion.engine.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.transfusion.error.BadInputException;

/**
 * Extracts one folder of a {@code .tar.gz} archive (e.g. CIFAR-10's {@code cifar-10-batches-bin/}) with the JDK
 * alone. A minimal tar reader: 512-byte ustar/GNU headers (with GNU long names and pax paths), regular files only
 * (folders are implied by their files; links and devices are skipped, never created). Archives come from the
 * network, so every entry name is checked before anything is written: no absolute paths, no {@code ..}, nothing
 * outside the target; a declared size larger than the archive could inflate to is refused before a byte is
 * written. The folder is extracted into a hidden temporary sibling and renamed into place only when complete, so
 * the target path never holds a partial extraction.
 */
public final class TarGz {
    /** DEFLATE cannot expand data more than about 1032:1, which bounds what a gzip file of a given size holds. */
    private static final long MAX_INFLATION = 1032;
    private static final int BLOCK = 512;
    /** Long names and pax records are a few hundred bytes; anything far larger is not a real one. */
    private static final int MAX_EXTENDED = 1 << 16;

    private TarGz() {}

    /**
     * Extracts the entries under {@code folder/} of {@code archive} to {@code target} (which then holds what
     * {@code folder/} held). If another process put {@code target} in place meanwhile, its copy is kept.
     */
    public static void extractFolder(Path archive, String folder, Path target) {
        Path parent = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(parent);
            temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".extracting-");
            long files = extract(archive, folder, temp);
            Path extracted = temp.resolve(folder);
            if (files == 0 || !Files.isDirectory(extracted)) {
                throw new BadInputException(archive + ": holds no files under " + folder + "/ (not the expected "
                        + "archive)");
            }
            try {
                Files.move(extracted, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // A concurrent process finished first; its folder was also renamed in only when complete.
            }
        } catch (IOException e) {
            throw new BadInputException(archive + ": cannot extract to " + target + " (" + e.getMessage() + ")");
        } finally {
            deleteTree(temp);
        }
    }

    /** Writes the regular files under {@code folder/} into {@code into}; returns how many. */
    private static long extract(Path archive, String folder, Path into) throws IOException {
        long limit = MAX_INFLATION * Files.size(archive);
        Path wanted = Path.of(folder);
        byte[] header = new byte[BLOCK];
        byte[] buffer = new byte[1 << 16];
        long files = 0;
        String longName = null;
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16))) {
            for (long at = 0; ; ) {
                int n = in.readNBytes(header, 0, BLOCK);
                if (n == 0) {
                    return files; // the stream ended without the end-of-archive blocks, as some writers do
                }
                if (n < BLOCK) {
                    throw bad(archive, at, "truncated header");
                }
                if (isZero(header)) {
                    return files; // end-of-archive block
                }
                if (!checksumMatches(header)) {
                    throw bad(archive, at, "header checksum does not match (not a tar archive, or damaged)");
                }
                byte type = header[156];
                long size = size(archive, at, header);
                String name = longName != null ? longName : name(header);
                if (size > limit) {
                    throw bad(archive, at, "entry '" + name + "' declares " + size + " bytes, more than this "
                            + Files.size(archive) + "-byte archive can hold");
                }
                long padding = (BLOCK - size % BLOCK) % BLOCK;
                if (type == 'L' || type == 'x') {
                    // GNU long name / pax extended header: its data names the next entry (pax: when it has 'path').
                    if (size > MAX_EXTENDED) {
                        throw bad(archive, at, "extended header of " + size + " bytes (at most " + MAX_EXTENDED + ")");
                    }
                    byte[] data = in.readNBytes((int) size);
                    if (data.length < size) {
                        throw bad(archive, at, "archive truncated inside an entry");
                    }
                    skip(in, padding, archive, at);
                    longName = type == 'L' ? text(data, 0, data.length) : paxPath(archive, at, data, longName);
                    at += BLOCK + size + padding;
                    continue;
                }
                longName = null;
                Path relative = confined(archive, at, name);
                if ((type == '0' || type == 0) && relative.startsWith(wanted) && !relative.equals(wanted)) {
                    Path out = into.resolve(relative);
                    Files.createDirectories(out.getParent());
                    try (OutputStream os = Files.newOutputStream(out)) {
                        copy(in, os, size, buffer, archive, at);
                    }
                    files++;
                    skip(in, padding, archive, at);
                } else {
                    skip(in, size + padding, archive, at);
                }
                at += BLOCK + size + padding;
            }
        }
    }

    /** The entry's path relative to the extraction folder; anything that could land outside it is refused. */
    private static Path confined(Path archive, long offset, String name) {
        if (name.isEmpty()) {
            throw bad(archive, offset, "entry with an empty name");
        }
        Path p = Path.of(name);
        boolean escapes = name.startsWith("/") || p.isAbsolute();
        for (Path part : p) {
            escapes |= part.toString().equals("..");
        }
        if (escapes) {
            throw bad(archive, offset, "entry '" + name + "' would be written outside the target folder "
                    + "(absolute or '..' path); refusing the archive");
        }
        return p.normalize();
    }

    /**
     * The {@code path} of a pax extended header ({@code "LENGTH key=value\n"} records), or {@code current} when it
     * has none. A {@code size} record (files over 8 GiB) is refused: the header's own size would then be wrong.
     */
    private static String paxPath(Path archive, long offset, byte[] data, String current) {
        String path = current;
        int pos = 0;
        while (pos < data.length && data[pos] != 0) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            String digits = new String(data, pos, space - pos, StandardCharsets.US_ASCII);
            int length = digits.matches("\\d{1,5}") ? Integer.parseInt(digits) : -1;
            if (length <= space - pos + 1 || pos + length > data.length) {
                throw bad(archive, offset, "malformed pax extended header");
            }
            String record = new String(data, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                path = record.substring(5);
            } else if (record.startsWith("size=")) {
                throw bad(archive, offset, "pax size record (a file over 8 GiB) not supported");
            }
            pos += length;
        }
        return path;
    }

    /** The ustar name: {@code prefix/name} when the prefix field (used for long paths) is set. */
    private static String name(byte[] h) {
        String name = text(h, 0, 100);
        boolean ustar = text(h, 257, 6).startsWith("ustar");
        String prefix = ustar ? text(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static long size(Path archive, long offset, byte[] h) {
        if ((h[124] & 0x80) != 0) {
            throw bad(archive, offset, "entry '" + name(h) + "' has a binary size field (over 8 GiB)");
        }
        String digits = text(h, 124, 12).trim();
        if (!digits.matches("[0-7]{1,11}")) {
            throw bad(archive, offset, "entry '" + name(h) + "' has size field '" + digits
                    + "', expected octal digits");
        }
        return Long.parseLong(digits, 8);
    }

    /** Tar's checksum: the byte sum of the header with its own 8-byte field read as spaces (signed or unsigned). */
    private static boolean checksumMatches(byte[] h) {
        String field = text(h, 148, 8).trim();
        if (!field.matches("[0-7]{1,8}")) {
            return false;
        }
        long stored = Long.parseLong(field, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            boolean inField = i >= 148 && i < 156;
            unsigned += inField ? ' ' : h[i] & 0xff;
            signed += inField ? ' ' : h[i];
        }
        return stored == unsigned || stored == signed;
    }

    /** A NUL-terminated ASCII field. */
    private static String text(byte[] h, int from, int length) {
        int end = from;
        while (end < from + length && h[end] != 0) {
            end++;
        }
        return new String(h, from, end - from, StandardCharsets.US_ASCII);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Copies exactly {@code size} bytes: the entry's, and none of the next header's. */
    private static void copy(InputStream in, OutputStream out, long size, byte[] buffer, Path archive, long offset)
            throws IOException {
        for (long left = size; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw bad(archive, offset, "archive truncated inside an entry");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, long bytes, Path archive, long offset) throws IOException {
        try {
            in.skipNBytes(bytes);
        } catch (java.io.EOFException e) {
            throw bad(archive, offset, "archive truncated inside an entry");
        }
    }

    private static BadInputException bad(Path archive, long offset, String what) {
        return new BadInputException(archive + ": tar entry at byte " + offset + ": " + what);
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover hidden temp folder is harmless; the extraction's own outcome is what the caller needs.
        }
    }
}
