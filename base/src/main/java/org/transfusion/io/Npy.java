package org.transfusion.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.transfusion.error.BadInputException;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0 to 3.0) and reads {@code .npz} archives (zip,
 * stored or deflated, zip64 through {@link ZipFile}).
 *
 * <p>Reading accepts little- and big-endian bool, signed and unsigned integers, float16/32/64 and fixed-width strings
 * ({@code <Un} unicode, {@code |Sn} bytes: patient ids and image names are often saved that way), in C order. Fortran
 * order, object arrays, complex numbers, structured dtypes and truncated data are rejected, since reading them silently
 * would give wrong numbers or images; so are zero-width strings and more strings than 2^24 (ids and names, decoded one
 * string each). An {@code .npz} member is checked against its zip entry before anything is allocated (the data its
 * header declares must fit in the member, whose size must be one deflate can give) and after it is read (its CRC-32).
 * Every error is a {@link BadInputException} naming the file. Writing produces little-endian float32 or float64 in C
 * order, atomically (a temporary file renamed into place).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy writes headers of a few hundred bytes; a longer one is corrupt, not an allocation to attempt. */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    /** The largest Java array some JVMs allow. */
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    /** zlib's bound on deflate's compression ratio (its FAQ, "What's the maximum compression ratio?"). */
    private static final long MAX_DEFLATE_RATIO = 1032;
    /**
     * String arrays are decoded into one Java string per element, tens of bytes each whatever the file holds;
     * patient ids and image names of the largest datasets used (ImageNet, 1.28 million images) fit many times.
     */
    private static final long MAX_STRINGS = 1L << 24;
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*(['\"])(.*?)\\1");
    private static final Pattern STRUCTURED = Pattern.compile("['\"]descr['\"]\\s*:\\s*\\[");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Reads a {@code .npy} file; the data are memory-mapped, not copied. */
    public static NpyArray read(Path path) {
        String source = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            Header header = readHeader((into, off, len) -> readFully(ch, into, off, len), fileSize, source);
            checkLength(source, header, fileSize - header.dataOffset);
            List<ByteBuffer> chunks = new ArrayList<>();
            // a whole number of elements per chunk, so that no element straddles two mappings
            long chunkBytes = header.itemSize == 0 ? NpyArray.CHUNK_BYTES
                    : NpyArray.CHUNK_BYTES / header.itemSize * header.itemSize;
            for (long at = 0; at < header.dataBytes; at += chunkBytes) {
                long len = Math.min(chunkBytes, header.dataBytes - at);
                chunks.add(ch.map(FileChannel.MapMode.READ_ONLY, header.dataOffset + at, len));
            }
            if (chunks.isEmpty()) {
                chunks.add(ByteBuffer.allocate(0));
            }
            return header.array(source, chunks.toArray(new ByteBuffer[0]));
        } catch (IOException e) {
            throw new BadInputException(source + ": cannot read .npy file (" + describe(e) + ")", e);
        }
    }

    /**
     * Reads a {@code .npy} image from a stream positioned at its magic string (for example an {@code .npz} zip
     * entry) into memory. {@code source} names it in errors.
     */
    public static NpyArray read(InputStream in, String source) {
        try {
            return readStream(in, source, -1);
        } catch (IOException e) {
            throw new BadInputException(source + ": cannot read .npy data (" + describe(e) + ")", e);
        }
    }

    /** Lists the member names of an {@code .npz} archive without the {@code .npy} suffix, in archive order. */
    public static List<String> members(Path npz) {
        try (ZipFile zip = openZip(npz)) {
            return new ArrayList<>(entries(zip).keySet());
        } catch (IOException e) {
            throw new BadInputException(npz + ": cannot read (" + BadInputException.printable(e.getMessage()) + ")");
        }
    }

    /**
     * Reads the named members of an {@code .npz} archive (all members when {@code names} is empty), in memory. A
     * missing member is an error that lists the members present.
     */
    public static Map<String, NpyArray> readNpz(Path npz, List<String> names) {
        try (ZipFile zip = openZip(npz)) {
            Map<String, ZipEntry> entries = entries(zip);
            List<String> wanted = names.isEmpty() ? new ArrayList<>(entries.keySet()) : names;
            Map<String, NpyArray> out = new LinkedHashMap<>();
            for (String name : wanted) {
                ZipEntry entry = entries.get(name);
                if (entry == null) {
                    throw new BadInputException(npz + ": no array '" + BadInputException.printable(name) + "' (the file has "
                            + BadInputException.printable(String.join(", ", entries.keySet())) + ")");
                }
                checkEntrySizes(npz, name, entry);
                try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(entry), new CRC32())) {
                    NpyArray array = readStream(in, npz.getFileName() + ":" + BadInputException.printable(name), entry.getSize());
                    in.transferTo(OutputStream.nullOutputStream()); // the CRC covers the whole member
                    long crc = in.getChecksum().getValue();
                    if (entry.getCrc() != -1 && crc != entry.getCrc()) {
                        throw new BadInputException(npz + ": array '" + BadInputException.printable(name) + "' fails its CRC-32 check"
                                + " (the archive records " + Long.toHexString(entry.getCrc()) + ", the data give "
                                + Long.toHexString(crc) + "): the file is corrupt");
                    }
                    out.put(name, array);
                } catch (ZipException e) {
                    throw new BadInputException(npz + ": array '" + BadInputException.printable(name) + "' is corrupt ("
                            + BadInputException.printable(e.getMessage()) + ")");
                } catch (EOFException e) {
                    throw new BadInputException(npz + ": array '" + BadInputException.printable(name) + "' is truncated");
                }
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException(npz + ": cannot read (" + BadInputException.printable(e.getMessage()) + ")");
        }
    }

    /** Writes float32 data in C order; {@code data.length} must equal the product of {@code shape}. */
    public static void write(Path path, long[] shape, float[] data) {
        checkShape(path, shape, data.length);
        ByteBuffer body = ByteBuffer.allocate(Math.multiplyExact(data.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        writeAtomically(path, header("<f4", shape), body);
    }

    /** Writes float64 data in C order; {@code data.length} must equal the product of {@code shape}. */
    public static void write(Path path, long[] shape, double[] data) {
        checkShape(path, shape, data.length);
        ByteBuffer body = ByteBuffer.allocate(Math.multiplyExact(data.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        body.asDoubleBuffer().put(data);
        writeAtomically(path, header("<f8", shape), body);
    }

    // ---------------------------------------------------------------------------------------------------------

    private record Header(NpyArray.Dtype dtype, String descr, ByteOrder order, long[] shape, int itemSize,
                          long dataOffset, long dataBytes) {
        NpyArray array(String source, ByteBuffer[] chunks) {
            return new NpyArray(source, dtype, descr, order, shape, itemSize, chunks);
        }
    }

    /** Reads the next {@code len} bytes of an image in sequence; fewer only at its end. */
    private interface Input {
        int read(byte[] into, int off, int len) throws IOException;
    }

    /**
     * The payload goes into one array of exactly its size: images are large and must not be held twice.
     * {@code available} is the image's size when known (a zip member's uncompressed size), else -1; a header that
     * declares more data than that is refused before anything is allocated. Of a stream of unknown length, the
     * payload is read into a growing buffer, since its header alone may lie.
     */
    private static NpyArray readStream(InputStream in, String source, long available) throws IOException {
        Header header = readHeader(in::readNBytes, available, source);
        if (available >= 0) {
            checkLength(source, header, available - header.dataOffset);
        }
        String tooLarge = source + ": .npy data of " + header.dataBytes + " bytes is too large to read into memory";
        if (header.dataBytes > MAX_ARRAY_BYTES) {
            throw new BadInputException(tooLarge);
        }
        byte[] data;
        try {
            data = available >= 0 ? new byte[(int) header.dataBytes] : readUpTo(in, (int) header.dataBytes);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(tooLarge, e);
        }
        checkLength(source, header, available >= 0 ? in.readNBytes(data, 0, data.length) : data.length);
        return header.array(source, new ByteBuffer[] {ByteBuffer.wrap(data)});
    }

    /**
     * Up to {@code n} bytes of a stream whose length is unknown, in a buffer that grows as bytes arrive: a header
     * that declares a gigabyte in front of a few bytes then allocates about what the stream holds, not what it
     * declares (found by fuzzing, issue 18). The final buffer is exactly {@code n} bytes when the stream has them.
     */
    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        byte[] buf = new byte[Math.min(n, 1 << 16)];
        int got = 0;
        while (got < n) {
            if (got == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
            }
            int r = in.read(buf, got, buf.length - got);
            if (r < 0) {
                break;
            }
            got += r;
        }
        return got == buf.length ? buf : Arrays.copyOf(buf, got);
    }

    /**
     * Validates magic and version, reads the header and works out where the data are. {@code available} is the
     * size of the whole image, or -1 for a stream of unknown length.
     */
    private static Header readHeader(Input in, long available, String source) throws IOException {
        byte[] prefix = new byte[12];
        int got = in.read(prefix, 0, 10);
        if (got < 10) {
            throw new BadInputException(source + ": not a .npy file (only " + got + " bytes, too short for a header)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                throw new BadInputException(source + ": not a .npy file (missing the \\x93NUMPY magic string)");
            }
        }
        ByteBuffer le = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
        byte major = prefix[6];
        long length;
        if (major == 1) {
            length = le.getShort(8) & 0xFFFF;
        } else if (major == 2 || major == 3) {
            if (in.read(prefix, 10, 2) < 2) {
                throw new BadInputException(source + ": truncated .npy header");
            }
            length = le.getInt(8) & 0xFFFFFFFFL;
        } else {
            throw new BadInputException(source + ": unsupported .npy format version " + major + "." + prefix[7]
                    + " (expected 1.0, 2.0 or 3.0)");
        }
        int prefixLength = major == 1 ? 10 : 12;
        if (available >= 0 && prefixLength + length > available) {
            throw new BadInputException(source + ": truncated .npy file (header of " + length + " bytes, file has "
                    + available + " bytes)");
        }
        if (length > MAX_HEADER_BYTES) {
            throw new BadInputException(source + ": .npy header of " + length + " bytes is too long to be genuine");
        }
        byte[] text = new byte[(int) length];
        int gotText = in.read(text, 0, text.length);
        if (gotText < length) {
            throw new BadInputException(source + ": truncated .npy file (header of " + length + " bytes, found "
                    + gotText + ")");
        }
        Charset charset = major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        return parseHeader(new String(text, charset), prefixLength + length, source);
    }

    private static Header parseHeader(String header, long dataOffset, String source) {
        if (STRUCTURED.matcher(header).find()) {
            throw new BadInputException(source + ": structured dtype is not supported (expected a plain numeric "
                    + "or string array)");
        }
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new BadInputException(source + ": malformed .npy header (expected keys descr, fortran_order and shape): "
                    + BadInputException.printable(header.strip()));
        }
        if (f.group(1).equals("True")) {
            throw new BadInputException(source + ": Fortran-order arrays are not supported (expected C order; "
                    + "save with np.ascontiguousarray)");
        }
        String descr = d.group(2);
        if (descr.length() < 2) {
            throw new BadInputException(source + ": unsupported dtype '" + BadInputException.printable(descr) + "'");
        }
        char endian = descr.charAt(0);
        char kind = descr.charAt(1);
        int number;
        try {
            number = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            number = -1;
        }
        NpyArray.Dtype dtype = NpyArray.Dtype.of(kind, number);
        long itemSize = dtype == null ? -1 : dtype.isString() ? (long) number * dtype.unitBytes : dtype.unitBytes;
        if (dtype == null || "<>|=".indexOf(endian) < 0 || itemSize > NpyArray.CHUNK_BYTES) {
            String why = kind == 'O' ? "object arrays cannot be read safely; save strings as fixed-width, e.g. "
                    + "numpy.array(ids, dtype=str)"
                    : kind == 'c' ? "complex numbers are not supported"
                    : "not a supported type";
            throw new BadInputException(source + ": unsupported dtype '" + BadInputException.printable(descr) + "' (" + why
                    + "; expected bool, integer, float or fixed-width string)");
        }
        if (dtype.isString() && itemSize == 0) {
            throw new BadInputException(source + ": dtype '" + descr + "' is a string of width 0, which holds "
                    + "nothing (expected a width of at least 1, e.g. |S8 or <U8)");
        }
        ByteOrder order = endian == '>' ? ByteOrder.BIG_ENDIAN
                : endian == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.nativeOrder();
        long[] shape = parseShape(s.group(1), source);
        long count = NpyArray.elementCount(shape, source);
        if (dtype.isString() && count > MAX_STRINGS) {
            throw new BadInputException(source + ": shape " + NpyArray.shapeString(shape) + " of " + descr + " holds "
                    + count + " strings, more than the " + MAX_STRINGS + " ids or names this reads");
        }
        long dataBytes;
        try {
            dataBytes = Math.multiplyExact(count, itemSize);
        } catch (ArithmeticException e) {
            throw new BadInputException(source + ": shape " + NpyArray.shapeString(shape) + " is too large");
        }
        return new Header(dtype, descr, order, shape, (int) itemSize, dataOffset, dataBytes);
    }

    private static long[] parseShape(String inner, String source) {
        List<Long> dims = new ArrayList<>();
        for (String part : inner.split(",")) {
            String t = part.strip();
            if (t.endsWith("L")) {
                t = t.substring(0, t.length() - 1);
            }
            if (t.isEmpty()) {
                continue;
            }
            try {
                dims.add(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new BadInputException(source + ": malformed shape (" + BadInputException.printable(inner) + ") in .npy header");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static void checkLength(String source, Header header, long available) {
        if (available < header.dataBytes) {
            throw new BadInputException(source + ": truncated .npy file (shape " + NpyArray.shapeString(header.shape)
                    + " of " + header.dtype.name().toLowerCase() + " needs " + header.dataBytes + " data bytes, found "
                    + Math.max(available, 0) + ")");
        }
    }

    /**
     * A member's sizes from the zip directory, checked before it is inflated: a stored member is as long as it is
     * stored, and deflate gives at most {@value #MAX_DEFLATE_RATIO} bytes per compressed byte, so a directory that
     * promises more than that is corrupt (and the declared size is then a bound on what reading allocates).
     */
    private static void checkEntrySizes(Path npz, String name, ZipEntry entry) {
        long size = entry.getSize();
        long compressed = entry.getCompressedSize();
        if (size < 0 || compressed < 0) {
            return;
        }
        boolean stored = entry.getMethod() == ZipEntry.STORED;
        long most = stored ? compressed : compressed * MAX_DEFLATE_RATIO + 1024;
        if (size > most) {
            throw new BadInputException(npz + ": array '" + BadInputException.printable(name) + "' claims " + size + " bytes from "
                    + compressed
                    + (stored ? " stored bytes" : " compressed bytes, more than deflate can give (at most "
                    + MAX_DEFLATE_RATIO + ":1)") + "; the archive is corrupt");
        }
    }

    private static ZipFile openZip(Path npz) throws IOException {
        if (!Files.exists(npz)) {
            throw new BadInputException(npz + ": file not found");
        }
        try {
            return new ZipFile(npz.toFile());
        } catch (ZipException e) {
            throw new BadInputException(npz + ": not a readable .npz (zip) archive, truncated or corrupt ("
                    + BadInputException.printable(e.getMessage()) + ")");
        }
    }

    /** The entries by member name (numpy's {@code NAME.npy} without the suffix), in archive order. */
    private static Map<String, ZipEntry> entries(ZipFile zip) {
        Map<String, ZipEntry> entries = new LinkedHashMap<>();
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            ZipEntry entry = e.nextElement();
            String name = entry.getName();
            entries.put(name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name, entry);
        }
        return entries;
    }

    private static int readFully(FileChannel ch, byte[] into, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into, off, len);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                break;
            }
        }
        return b.position() - off;
    }

    private static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + BadInputException.printable(e.getMessage());
    }

    private static void checkShape(Path path, long[] shape, int length) {
        long n = NpyArray.elementCount(shape, path.toString());
        if (n != length) {
            throw new IllegalArgumentException("shape " + NpyArray.shapeString(shape) + " has " + n
                    + " elements but " + length + " values were given for " + path);
        }
    }

    /** Version 1.0 header padded with spaces so that the data start on a 64-byte boundary. */
    private static ByteBuffer header(String descr, long[] shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + NpyArray.shapeString(shape) + ", }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.flip();
    }

    private static void writeAtomically(Path path, ByteBuffer header, ByteBuffer body) {
        AtomicFiles.write(path, out -> {
            var channel = java.nio.channels.Channels.newChannel(out);
            while (header.hasRemaining()) {
                channel.write(header);
            }
            while (body.hasRemaining()) {
                channel.write(body);
            }
        });
    }
}
