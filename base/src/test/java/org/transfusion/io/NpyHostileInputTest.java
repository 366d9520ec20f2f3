package org.transfusion.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * Crafted {@code .npy}/{@code .npz} files that once ran out of memory, crashed or read silently wrong (issue 18):
 * each is refused with a {@link BadInputException} naming the file and what was expected, and the size bombs are
 * refused from their headers, fast and without allocating what they declare.
 */
class NpyHostileInputTest {

    @TempDir Path tmp;

    /** A version-1.0 {@code .npy} header for {@code descr} and {@code shape} (text as numpy writes it), no data. */
    private static byte[] header(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(text.length() & 0xff);
        out.write(text.length() >>> 8);
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Bytes this thread has allocated so far (HotSpot's per-thread counter). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void zeroWidthStringsDeclaringHalfABillionElementsAreRefusedFromTheHeader() throws IOException {
        // The file: 128 bytes, '|S0', 5e8 elements; once 16 s and then out of memory decoding 5e8 strings.
        byte[] bytes = header("|S0", "(500000000,)");
        assertThat(bytes).hasSize(128); // 10-byte prefix + header padded to 64-byte alignment, as numpy writes
        Path file = Files.write(tmp.resolve("s0.npy"), bytes);
        long t0 = System.nanoTime();
        long before = allocated();
        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": dtype '|S0' is a string of width 0, which holds nothing (expected a width of "
                        + "at least 1, e.g. |S8 or <U8)");
        assertThat(allocated() - before).as("bytes allocated").isLessThan(16L << 20);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(1);
    }

    @Test
    void moreStringsThanTheBudgetAreRefusedFromTheHeader() throws IOException {
        // One more than the budget of 2^24 one-byte strings: the file holds all of its data (16 MiB), so only the
        // count can refuse it, before one Java string per element is made.
        long count = (1L << 24) + 1; // Npy.MAX_STRINGS + 1
        Path file = Files.write(tmp.resolve("ids.npy"), concat(header("|S1", "(" + count + ",)"), new byte[(int) count]));
        long before = allocated();
        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": shape (16777217,) of |S1 holds 16777217 strings, more than the 16777216 ids or "
                        + "names this reads");
        assertThat(allocated() - before).as("bytes allocated").isLessThan(16L << 20);
    }

    @Test
    void stringsWhereNumbersAreExpectedAreBadInput() throws IOException {
        // '<U2' element "ab": two UTF-32LE code units
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt('a').putInt('b').array();
        Path unicode = Files.write(tmp.resolve("u.npy"), concat(header("<U2", "(1,)"), data));
        assertThatThrownBy(() -> Npy.read(unicode).toFloatArray()).isInstanceOf(BadInputException.class)
                .hasMessage(unicode + ": dtype is <U2 (strings), expected numbers");
        Path bytes = Files.write(tmp.resolve("s.npy"), concat(header("|S2", "(1,)"), new byte[] {'a', 'b'}));
        assertThatThrownBy(() -> Npy.read(bytes).getDouble(0)).isInstanceOf(BadInputException.class)
                .hasMessage(bytes + ": dtype is |S2 (strings), expected numbers");
    }

    @Test
    void npzMemberDeclaringMoreThanItHoldsIsRefusedBeforeAllocating() throws IOException {
        // The archive: a member declaring 2.1 GB of uint8 with 200 KiB of data (random, so that the
        // archive is about as large as its data); once 2.1 GB were allocated before the truncation was seen.
        byte[] payload = new byte[200 * 1024];
        new Random(18).nextBytes(payload);
        Path npz = tmp.resolve("bomb.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            zip.putNextEntry(new ZipEntry("train_images.npy"));
            zip.write(concat(header("|u1", "(2100000000,)"), payload));
            zip.closeEntry();
        }
        long t0 = System.nanoTime();
        long before = allocated();
        assertThatThrownBy(() -> Npy.readNpz(npz, List.of("train_images"))).isInstanceOf(BadInputException.class)
                .hasMessage("bomb.npz:train_images: truncated .npy file (shape (2100000000,) of uint8 needs "
                        + "2100000000 data bytes, found 204800)");
        assertThat(allocated() - before).as("bytes allocated").isLessThan(64L << 20);
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(1);
    }

    @Test
    void zipDirectoryPromisingMoreThanDeflateCanGiveIsRefused() throws IOException {
        Path npz = tmp.resolve("liar.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            zip.putNextEntry(new ZipEntry("a.npy"));
            zip.write(concat(header("|u1", "(4,)"), new byte[] {1, 2, 3, 4}));
            zip.closeEntry();
        }
        // Patch the central directory's uncompressed size (offset 24 of its file header, signature PK\1\2; APPNOTE
        // 4.3.12) to 2,100,000,000: no deflate stream of a few dozen bytes inflates to that.
        byte[] zipBytes = Files.readAllBytes(npz);
        int cen = indexOf(zipBytes, new byte[] {'P', 'K', 1, 2});
        ByteBuffer.wrap(zipBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(cen + 24, 2_100_000_000);
        Files.write(npz, zipBytes);
        assertThatThrownBy(() -> Npy.readNpz(npz, List.of())).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(npz + ": array 'a' claims 2100000000 bytes from ")
                .hasMessageEndingWith(" compressed bytes, more than deflate can give (at most 1032:1); the archive "
                        + "is corrupt");
    }

    @Test
    void zipMemberWithAFlippedByteFailsItsCrc() throws IOException {
        // A stored member (numpy.savez without compression): nothing but the CRC-32 can notice a changed byte.
        byte[] npy = concat(header("<f4", "(2,)"),
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array());
        CRC32 crc = new CRC32();
        crc.update(npy);
        Path npz = tmp.resolve("flipped.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(npz))) {
            ZipEntry entry = new ZipEntry("x.npy");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(npy.length);
            entry.setCompressedSize(npy.length);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(npy);
            zip.closeEntry();
        }
        assertThat(Npy.readNpz(npz, List.of()).get("x").toFloatArray()).containsExactly(1.5f, -2f);
        byte[] zipBytes = Files.readAllBytes(npz);
        int data = indexOf(zipBytes, npy);
        zipBytes[data + npy.length - 1] ^= (byte) 0x80; // the sign bit of -2f: reads as +2f without the check
        Files.write(npz, zipBytes);
        assertThatThrownBy(() -> Npy.readNpz(npz, List.of())).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(npz + ": array 'x' fails its CRC-32 check (the archive records "
                        + Long.toHexString(crc.getValue()) + ", the data give ")
                .hasMessageEndingWith("): the file is corrupt");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
