package org.transfusion.engine.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;
import org.transfusion.io.Float16;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each key to its dtype,
 * shape and byte range, then the raw little-endian data. Reads F32, F16, BF16, F64, I64, I32, U8 (widened to
 * float32 in memory, the declared dtype kept beside them); writes F32, and I64 for torchvision's {@code num_batches_tracked} counters so that
 * PyTorch loads our files unchanged.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The most values a file may hold, 2^28 (1 GiB as float32): the largest models here (Inception-v3, ResNet50) have about 25-27 million
     * weights, and a header declaring more is refused before anything is allocated.
     */
    static final long MAX_VALUES = 1L << 28;
    /** Bytes read at a time; a multiple of every dtype's width. */
    private static final int READ_BYTES = 1 << 20;

    private SafeTensors() {}

    /** A file's tensors (widened to float32), its {@code __metadata__} strings and each tensor's declared dtype. */
    public record Contents(StateDict tensors, Map<String, String> metadata, Map<String, String> dtypes) {}

    /** Shapes by key from the header alone (cheap: no tensor data is read), the header checked as by {@link #read}. */
    public static Map<String, long[]> shapes(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch);
            Map<String, long[]> out = new LinkedHashMap<>();
            for (Entry e : entries(file, h.json(), ch.size() - h.dataStart())) {
                out.put(e.key(), e.shape().clone());
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The parsed header and where the tensor data starts. */
    private record Header(JsonNode json, long dataStart) {}

    /** One tensor's header entry, checked: its values fit its byte range, which lies within the file's data. */
    private record Entry(String key, String dtype, long[] shape, long values, long begin, long end) {}

    private static Header header(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new BadInputException(file + ": not a safetensors file (only " + fileSize + " bytes)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > fileSize) {
            throw new BadInputException(file + ": not a safetensors file (header length " + headerLen + ")");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        ch.read(headerBuf, 8);
        String text = new String(headerBuf.array(), StandardCharsets.UTF_8);
        JsonNode json;
        String twice;
        try {
            twice = duplicateKey(text);
            json = JSON.readTree(text);
        } catch (IOException e) {
            throw new BadInputException(file + ": safetensors header is not valid JSON");
        }
        if (twice != null) {
            // JSON leaves a repeated key to the reader (Jackson keeps the last, others the first): one file, two
            // readings. Refused rather than picking one.
            throw new BadInputException(file + ": safetensors header has the key '" + BadInputException.printable(twice)
                    + "' twice (expected each key once)");
        }
        if (json == null || !json.isObject()) {
            throw new BadInputException(file + ": safetensors header is not a JSON object (expected tensor names "
                    + "mapped to dtype, shape and data_offsets)");
        }
        return new Header(json, 8 + headerLen);
    }

    /** The first key that one object of the JSON {@code text} holds twice (at any depth), or null. */
    private static String duplicateKey(String text) throws IOException {
        try (JsonParser p = JSON.getFactory().createParser(text)) {
            Deque<Set<String>> open = new ArrayDeque<>();
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t == JsonToken.START_OBJECT) {
                    open.push(new HashSet<>());
                } else if (t == JsonToken.END_OBJECT) {
                    open.pop();
                } else if (t == JsonToken.FIELD_NAME && !open.peek().add(p.currentName())) {
                    return p.currentName();
                }
            }
        }
        return null;
    }

    /**
     * The tensor entries of a header, checked before any data is read or allocated, as the safetensors format
     * requires: a known dtype, a shape of non-negative integers, a byte range that holds exactly the shape's
     * values, and ranges that cover the {@code dataBytes} after the header without gap or overlap (so a file that is
     * larger than its tensors, such as a sparse file of gigabytes behind a small header, is refused). All tensors
     * together hold at most {@value #MAX_VALUES} values.
     */
    private static List<Entry> entries(Path file, JsonNode header, long dataBytes) {
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                Entry entry = entry(file, e.getKey(), e.getValue(), dataBytes);
                total += entry.values();
                if (total > MAX_VALUES) {
                    throw new BadInputException(file + ": tensors up to '" + entry.key() + "' hold " + total
                            + " values, more than the " + MAX_VALUES + " this reads (expected the weights of one "
                            + "of the models here, at most tens of millions)");
                }
                entries.add(entry);
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        for (Entry e : byOffset) {
            if (e.begin() != covered) {
                throw new BadInputException(file + ": tensor '" + e.key() + "' starts at data byte " + e.begin()
                        + ", expected " + covered + " (tensors must cover the data without gaps or overlaps)");
            }
            covered = e.end();
        }
        if (covered != dataBytes) {
            throw new BadInputException(file + ": the tensors cover " + covered + " data bytes but the file has "
                    + dataBytes + " after its header (expected exactly the tensors' bytes)");
        }
        return entries;
    }

    private static Entry entry(Path file, String key, JsonNode info, long dataBytes) {
        String where = file + ": tensor '" + key + "'";
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!info.isObject() || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2
                || !isCount(offsets.get(0)) || !isCount(offsets.get(1))) {
            throw new BadInputException(where + " has a malformed header entry (expected dtype, shape and "
                    + "data_offsets [begin, end] of non-negative integers)");
        }
        String dtype = info.path("dtype").asText();
        int width = switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "F64", "I64" -> 8;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new BadInputException(where + " has unsupported dtype '" + dtype
                    + "' (expected F32, F16, BF16, F64, I64, I32, I16, I8, U8 or BOOL)");
        };
        long[] shape = new long[shapeNode.size()];
        long n = 1;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (!isCount(shapeNode.get(i))) {
                throw new BadInputException(where + " has shape " + shapeNode + ", expected non-negative integers");
            }
            shape[i] = shapeNode.get(i).asLong();
            empty |= shape[i] == 0;
            // saturates above the budget rather than overflowing
            n = n > MAX_VALUES || shape[i] > MAX_VALUES ? MAX_VALUES + 1 : n * shape[i];
        }
        n = empty ? 0 : n;
        if (n > MAX_VALUES) {
            throw new BadInputException(where + " has shape " + shapeNode + ", more than the " + MAX_VALUES
                    + " values this reads");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (end < begin || end - begin != n * width) {
            throw new BadInputException(where + " has byte range [" + begin + ", " + end + "), expected "
                    + n * width + " bytes for shape " + shapeNode + " of " + dtype);
        }
        if (end > dataBytes) {
            throw new BadInputException(where + " has byte range [" + begin + ", " + end + ") past the file's "
                    + dataBytes + " data bytes (truncated?)");
        }
        return new Entry(key, dtype, shape, n, begin, end);
    }

    /** A JSON integer from 0 that fits in a long. */
    private static boolean isCount(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0;
    }

    public static StateDict read(Path file) {
        return readWithMetadata(file).tensors();
    }

    /**
     * The tensors, widened to float32, and the metadata. The header is checked in full before any tensor is read,
     * and tensors are read in bounded pieces rather than by mapping the file, so neither a large file nor a lying
     * header can exhaust memory or a mapping's 2 GiB limit.
     */
    public static Contents readWithMetadata(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch);
            List<Entry> entries = entries(file, h.json(), ch.size() - h.dataStart());
            Map<String, String> meta = new LinkedHashMap<>();
            JsonNode metadata = h.json().path("__metadata__");
            if (!metadata.isMissingNode()) {
                if (!metadata.isObject()) {
                    throw new BadInputException(file + ": __metadata__ is not a JSON object of strings");
                }
                metadata.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
            }
            StateDict out = new StateDict();
            Map<String, String> dtypes = new LinkedHashMap<>();
            ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                out.put(e.key(), decode(file, ch, h.dataStart(), e, buffer));
                dtypes.put(e.key(), e.dtype());
            }
            return new Contents(out, meta, dtypes);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static HostTensor decode(Path file, FileChannel ch, long dataStart, Entry e, ByteBuffer buffer)
            throws IOException {
        float[] v = new float[(int) e.values()];
        long at = dataStart + e.begin();
        long stop = dataStart + e.end();
        int i = 0;
        while (at < stop) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), stop - at));
            while (buffer.hasRemaining()) {
                if (ch.read(buffer, at + buffer.position()) < 0) {
                    throw new BadInputException(file + ": tensor '" + e.key() + "' ends past the end of the file "
                            + "(truncated while reading?)");
                }
            }
            at += buffer.flip().remaining();
            while (buffer.hasRemaining()) {
                v[i++] = switch (e.dtype()) {
                    case "F32" -> buffer.getFloat();
                    case "F64" -> (float) buffer.getDouble();
                    case "F16" -> Float16.toFloat(buffer.getShort());
                    case "BF16" -> Float.intBitsToFloat((buffer.getShort() & 0xffff) << 16);
                    case "I64" -> buffer.getLong();
                    case "I32" -> buffer.getInt();
                    case "I16" -> buffer.getShort();
                    case "U8", "BOOL" -> buffer.get() & 0xff;
                    case "I8" -> buffer.get();
                    default -> throw new IllegalStateException(e.dtype());
                };
            }
        }
        return new HostTensor(e.shape(), v);
    }

    /**
     * Refuses weights holding NaN or infinity, naming the first such value: pretrained weights like that would
     * otherwise be noticed only when the loss diverges, many steps into a run.
     */
    public static void requireFinite(Path file, StateDict weights) {
        for (String key : weights.keys()) {
            float[] v = weights.get(key).values();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new BadInputException(file + ": tensor '" + key + "' holds " + v[i] + " at index " + i
                            + " (expected finite weights)");
                }
            }
        }
    }

    /** Whether a dtype holds floating-point values (the others hold integers or booleans). */
    public static boolean isFloat(String dtype) {
        return switch (dtype) {
            case "F32", "F16", "BF16", "F64" -> true;
            default -> false;
        };
    }

    /** Writes atomically (temp file + rename). Keys ending in {@code num_batches_tracked} are written as I64. */
    public static void write(Path file, StateDict tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new java.util.TreeMap<>(metadata).forEach(meta::put); // sorted: Map.of's order changes between JVMs
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.asMap().entrySet()) {
            int width = isCounter(e.getKey()) ? 8 : 4;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", width == 8 ? "I64" : "F32");
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long len = (long) e.getValue().values().length * width;
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] headerBytes;
        try {
            headerBytes = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (headerBytes.length + 7) / 8 * 8;
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (int i = headerBytes.length; i < padded; i++) {
                out.write(' ');
            }
            for (Map.Entry<String, HostTensor> e : tensors.asMap().entrySet()) {
                writeValues(out, e.getValue().values(), isCounter(e.getKey()));
            }
        });
    }

    private static boolean isCounter(String key) {
        return key.endsWith("num_batches_tracked");
    }

    private static void writeValues(OutputStream out, float[] v, boolean asLong) throws IOException {
        int width = asLong ? 8 : 4;
        ByteBuffer buf = ByteBuffer.allocate(Math.min(v.length, 1 << 16) * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            if (asLong) {
                buf.putLong((long) v[i]);
            } else {
                buf.putFloat(v[i]);
            }
            if (!buf.hasRemaining()) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

}
