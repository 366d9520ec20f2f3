package org.transfusion.similarity.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.transfusion.error.BadInputException;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0 to 3.0).
 *
 * <p>Reading accepts little- and big-endian float32/float64, signed and unsigned integers and bool, in C order.
 * Fortran order, object arrays, strings, complex numbers, float16 and structured dtypes are rejected, as are
 * truncated files; every error is a {@link BadInputException} naming the file. Writing produces little-endian
 * float32 or float64 in C order, atomically (a temporary file renamed into place).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
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
            ByteBuffer prefix = ByteBuffer.allocate((int) Math.min(fileSize, 12)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, prefix, 0);
            int headerLength = headerLength(prefix.flip(), fileSize, source);
            int dataOffset = prefixLength(prefix.get(6)) + headerLength;
            ByteBuffer headerBytes = ByteBuffer.allocate(headerLength);
            readFully(ch, headerBytes, prefixLength(prefix.get(6)));
            Header header = parseHeader(new String(headerBytes.array(), headerCharset(prefix.get(6))), source);
            long dataBytes = Math.multiplyExact(NpyArray.elementCount(header.shape, source), (long) header.dtype.itemSize);
            checkLength(source, header, dataBytes, fileSize - dataOffset);
            List<ByteBuffer> chunks = new ArrayList<>();
            for (long at = 0; at < dataBytes; at += NpyArray.CHUNK_BYTES) {
                long len = Math.min(NpyArray.CHUNK_BYTES, dataBytes - at);
                chunks.add(ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + at, len));
            }
            if (chunks.isEmpty()) {
                chunks.add(ByteBuffer.allocate(0));
            }
            return new NpyArray(source, header.dtype, header.order, header.shape, chunks.toArray(new ByteBuffer[0]));
        } catch (IOException e) {
            throw new BadInputException(source + ": cannot read .npy file (" + describe(e) + ")", e);
        }
    }

    /** Reads a {@code .npy} image from a stream (for example a {@code .npz} zip entry) into memory. */
    public static NpyArray read(InputStream in, String source) {
        try {
            return parse(ByteBuffer.wrap(in.readAllBytes()), source);
        } catch (IOException e) {
            throw new BadInputException(source + ": cannot read .npy data (" + describe(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new BadInputException(source + ": .npy entry is too large to read into memory", e);
        }
    }

    /** Parses a complete {@code .npy} image held in memory; the array shares the buffer's bytes. */
    public static NpyArray parse(ByteBuffer bytes, String source) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = b.position();
        long available = b.remaining();
        ByteBuffer prefix = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        prefix.limit((int) Math.min(available, 12));
        int headerLength = headerLength(prefix, available, source);
        int prefixLength = prefixLength(prefix.get(6));
        byte[] headerBytes = new byte[headerLength];
        b.position(start + prefixLength).get(headerBytes);
        Header header = parseHeader(new String(headerBytes, headerCharset(prefix.get(6))), source);
        long dataBytes = Math.multiplyExact(NpyArray.elementCount(header.shape, source), (long) header.dtype.itemSize);
        checkLength(source, header, dataBytes, available - prefixLength - headerLength);
        ByteBuffer data = b.slice();
        data.limit((int) dataBytes);
        return new NpyArray(source, header.dtype, header.order, header.shape, new ByteBuffer[] {data});
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

    private record Header(NpyArray.Dtype dtype, ByteOrder order, long[] shape) {}

    private static int prefixLength(byte major) {
        return major == 1 ? 10 : 12;
    }

    private static java.nio.charset.Charset headerCharset(byte major) {
        return major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    }

    /** Validates magic and version in the first bytes and returns the header length they announce. */
    private static int headerLength(ByteBuffer prefix, long available, String source) {
        if (prefix.remaining() < 10) {
            throw new BadInputException(source + ": not a .npy file (only " + available + " bytes, too short for a header)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix.get(i) != MAGIC[i]) {
                throw new BadInputException(source + ": not a .npy file (missing the \\x93NUMPY magic string)");
            }
        }
        byte major = prefix.get(6);
        long length;
        if (major == 1) {
            length = prefix.getShort(8) & 0xFFFF;
        } else if (major == 2 || major == 3) {
            if (prefix.remaining() < 12) {
                throw new BadInputException(source + ": truncated .npy header");
            }
            length = prefix.getInt(8) & 0xFFFFFFFFL;
        } else {
            throw new BadInputException(source + ": unsupported .npy format version " + major + "." + prefix.get(7)
                    + " (expected 1.0, 2.0 or 3.0)");
        }
        if (prefixLength(major) + length > available || length > Integer.MAX_VALUE) {
            throw new BadInputException(source + ": truncated .npy file (header of " + length + " bytes, file has "
                    + available + " bytes)");
        }
        return (int) length;
    }

    private static Header parseHeader(String header, String source) {
        if (STRUCTURED.matcher(header).find()) {
            throw new BadInputException(source + ": structured dtype is not supported (expected a plain numeric array)");
        }
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new BadInputException(source + ": malformed .npy header (expected keys descr, fortran_order and shape): "
                    + header.strip());
        }
        if (f.group(1).equals("True")) {
            throw new BadInputException(source + ": Fortran-order arrays are not supported (expected C order; "
                    + "save with np.ascontiguousarray)");
        }
        String descr = d.group(2);
        if (descr.length() < 3) {
            throw new BadInputException(source + ": unsupported dtype '" + descr + "'");
        }
        char endian = descr.charAt(0);
        char kind = descr.charAt(1);
        int itemSize;
        try {
            itemSize = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            itemSize = -1;
        }
        NpyArray.Dtype dtype = NpyArray.Dtype.of(kind, itemSize);
        if (dtype == null || "<>|=".indexOf(endian) < 0) {
            String why = kind == 'O' ? "object arrays cannot be read safely"
                    : kind == 'c' ? "complex numbers are not activations"
                    : kind == 'f' && itemSize == 2 ? "float16 is not supported" : "not a supported numeric type";
            throw new BadInputException(source + ": unsupported dtype '" + descr + "' (" + why
                    + "; expected float32, float64, integer or bool)");
        }
        ByteOrder order = endian == '>' ? ByteOrder.BIG_ENDIAN
                : endian == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.nativeOrder();
        return new Header(dtype, order, parseShape(s.group(1), source));
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
                throw new BadInputException(source + ": malformed shape (" + inner + ") in .npy header");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static void checkLength(String source, Header header, long dataBytes, long available) {
        if (available < dataBytes) {
            throw new BadInputException(source + ": truncated .npy file (shape " + NpyArray.shapeString(header.shape)
                    + " of " + header.dtype.name().toLowerCase() + " needs " + dataBytes + " data bytes, found "
                    + Math.max(available, 0) + ")");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = ch.read(into, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
    }

    private static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
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
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (header.hasRemaining()) {
                    ch.write(header);
                }
                while (body.hasRemaining()) {
                    ch.write(body);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot write .npy file (" + describe(e) + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is hidden and only left behind if the disk itself is failing
                }
            }
        }
    }
}
