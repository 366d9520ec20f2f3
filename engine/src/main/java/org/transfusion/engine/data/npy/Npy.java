package org.transfusion.engine.data.npy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.transfusion.engine.io.Float16;
import org.transfusion.error.BadInputException;

/**
 * Reader for numpy's {@code .npy} format (versions 1-3) and {@code .npz} archives (zip, stored or deflated,
 * zip64 through {@link ZipFile}). Little and big endian; bool, (u)int8-64, float16/32/64, and fixed-width
 * strings ({@code <Un} unicode, {@code |Sn} bytes: patient ids and image names are often saved that way);
 * C order only. Fortran order, object arrays and truncated data are rejected with a {@link BadInputException}
 * naming the file, since reading them silently would give wrong images.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Reads one {@code .npy} file. */
    public static NpyArray read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Lists the member names of an {@code .npz} archive without the {@code .npy} suffix, in archive order. */
    public static List<String> members(Path npz) {
        try (ZipFile zip = openZip(npz)) {
            List<String> names = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                names.add(stripSuffix(e.nextElement().getName()));
            }
            return names;
        } catch (IOException e) {
            throw new BadInputException(npz + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads the named members of an {@code .npz} archive (all members when {@code names} is empty). A missing
     * member is an error that lists the members present.
     */
    public static Map<String, NpyArray> readNpz(Path npz, List<String> names) {
        try (ZipFile zip = openZip(npz)) {
            Map<String, ZipEntry> entries = new LinkedHashMap<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                entries.put(stripSuffix(entry.getName()), entry);
            }
            List<String> wanted = names.isEmpty() ? new ArrayList<>(entries.keySet()) : names;
            Map<String, NpyArray> out = new LinkedHashMap<>();
            for (String name : wanted) {
                ZipEntry entry = entries.get(name);
                if (entry == null) {
                    throw new BadInputException(npz + ": no array '" + name + "' (the file has "
                            + String.join(", ", entries.keySet()) + ")");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    out.put(name, read(in, npz.getFileName() + ":" + name));
                } catch (ZipException e) {
                    throw new BadInputException(npz + ": array '" + name + "' is corrupt (" + e.getMessage() + ")");
                } catch (EOFException e) {
                    throw new BadInputException(npz + ": array '" + name + "' is truncated");
                }
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException(npz + ": cannot read (" + e.getMessage() + ")");
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
                    + e.getMessage() + ")");
        }
    }

    private static String stripSuffix(String name) {
        return name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
    }

    /** Reads one array from a stream positioned at the {@code .npy} magic. {@code source} names it in errors. */
    public static NpyArray read(InputStream raw, String source) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] magic = new byte[6];
        readFully(in, magic, source);
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new BadInputException(source + ": not a .npy array (bad magic bytes)");
            }
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        long headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        } else if (major == 2 || major == 3) {
            headerLength = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        } else {
            throw new BadInputException(source + ": unsupported .npy version " + major);
        }
        if (headerLength > 1 << 20) {
            throw new BadInputException(source + ": .npy header too long (" + headerLength + " bytes)");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        readFully(in, headerBytes, source);
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String descr = group(DESCR, header, source, "descr");
        if ("True".equals(group(FORTRAN, header, source, "fortran_order"))) {
            throw new BadInputException(source + ": Fortran-ordered arrays are not supported; save it in C order "
                    + "(numpy.ascontiguousarray)");
        }
        long[] shape = parseShape(group(SHAPE, header, source, "shape"), source);
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new BadInputException(source + ": array of " + count + " elements is too large");
        }
        return decode(in, source, descr, shape, (int) count);
    }

    private static NpyArray decode(DataInputStream in, String source, String descr, long[] shape, int n)
            throws IOException {
        if (descr.length() < 3) {
            throw new BadInputException(source + ": unsupported dtype '" + descr + "'");
        }
        char order = descr.charAt(0);
        char type = descr.charAt(1);
        int width;
        try {
            width = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            throw new BadInputException(source + ": unsupported dtype '" + descr + "' (object, string or structured "
                    + "arrays cannot hold images or labels)");
        }
        if (type == 'O' || type == 'V') {
            throw new BadInputException(source + ": unsupported dtype '" + descr + "' (object and structured arrays "
                    + "are not allowed; save strings as fixed-width, e.g. numpy.array(ids, dtype=str))");
        }
        ByteOrder byteOrder = order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (type == 'U' || type == 'S') {
            return decodeStrings(in, source, descr, shape, n, type == 'U' ? 4 : 1, width, byteOrder);
        }
        if ((type == 'u' || type == 'b') && width == 1) {
            byte[] b = new byte[n];
            readFully(in, b, source);
            return new NpyArray(source, descr, shape, NpyArray.Kind.BYTES, b);
        }
        long bytes = (long) n * width;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new BadInputException(source + ": array of " + bytes + " bytes is too large");
        }
        byte[] rawBytes = new byte[(int) bytes];
        readFully(in, rawBytes, source);
        ByteBuffer buf = ByteBuffer.wrap(rawBytes).order(byteOrder);
        switch (type) {
            case 'i', 'u' -> {
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = switch (width) {
                        case 1 -> type == 'u' ? buf.get() & 0xffL : buf.get();
                        case 2 -> type == 'u' ? buf.getShort() & 0xffffL : buf.getShort();
                        case 4 -> type == 'u' ? buf.getInt() & 0xffffffffL : buf.getInt();
                        case 8 -> buf.getLong();
                        default -> throw new BadInputException(source + ": unsupported integer width in '" + descr + "'");
                    };
                }
                return new NpyArray(source, descr, shape, NpyArray.Kind.LONGS, out);
            }
            case 'f' -> {
                if (width == 8) {
                    double[] out = new double[n];
                    buf.asDoubleBuffer().get(out);
                    return new NpyArray(source, descr, shape, NpyArray.Kind.DOUBLES, out);
                }
                float[] out = new float[n];
                if (width == 4) {
                    buf.asFloatBuffer().get(out);
                } else if (width == 2) {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float16.toFloat(buf.getShort());
                    }
                } else {
                    throw new BadInputException(source + ": unsupported float width in '" + descr + "'");
                }
                return new NpyArray(source, descr, shape, NpyArray.Kind.FLOATS, out);
            }
            default -> throw new BadInputException(source + ": unsupported dtype '" + descr + "'");
        }
    }

    /**
     * Fixed-width strings: {@code width} code units per element, UTF-32 for {@code U} (4 bytes each) or one
     * byte for {@code S}; numpy pads short strings with NUL, which is stripped.
     */
    private static NpyArray decodeStrings(DataInputStream in, String source, String descr, long[] shape, int n,
                                          int unitBytes, int width, ByteOrder byteOrder) throws IOException {
        long bytes = (long) n * width * unitBytes;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new BadInputException(source + ": array of " + bytes + " bytes is too large");
        }
        byte[] raw = new byte[(int) bytes];
        readFully(in, raw, source);
        ByteBuffer buf = ByteBuffer.wrap(raw).order(byteOrder);
        String[] out = new String[n];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.setLength(0);
            for (int k = 0; k < width; k++) {
                int cp = unitBytes == 4 ? buf.getInt() : buf.get() & 0xff;
                if (cp == 0) {
                    buf.position(buf.position() + (width - k - 1) * unitBytes);
                    break;
                }
                if (!Character.isValidCodePoint(cp)) {
                    throw new BadInputException(source + ": element " + i + " of '" + descr
                            + "' is not valid unicode (code point " + cp + ")");
                }
                sb.appendCodePoint(cp);
            }
            out[i] = sb.toString();
        }
        return new NpyArray(source, descr, shape, NpyArray.Kind.STRINGS, out);
    }

    private static void readFully(DataInputStream in, byte[] dst, String source) throws IOException {
        try {
            in.readFully(dst);
        } catch (EOFException e) {
            throw new BadInputException(source + ": truncated (expected " + dst.length + " more bytes)");
        }
    }

    private static String group(Pattern p, String header, String source, String field) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new BadInputException(source + ": .npy header has no '" + field + "'");
        }
        return m.group(1);
    }

    private static long[] parseShape(String text, String source) {
        String[] parts = text.split(",");
        List<Long> dims = new ArrayList<>();
        for (String part : parts) {
            String t = part.trim();
            if (!t.isEmpty()) {
                try {
                    dims.add(Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
                } catch (NumberFormatException e) {
                    throw new BadInputException(source + ": bad shape '(" + text + ")' in .npy header");
                }
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
