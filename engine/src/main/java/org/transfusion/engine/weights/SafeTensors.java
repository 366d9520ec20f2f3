package org.transfusion.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;
import org.transfusion.io.Float16;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each key to its dtype,
 * shape and byte range, then the raw little-endian data. Reads F32, F16, BF16, F64, I64, I32, U8 (widened to
 * float32 in memory); writes F32, and I64 for torchvision's {@code num_batches_tracked} counters so that
 * PyTorch loads our files unchanged.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {}

    /** A file's tensors plus its {@code __metadata__} strings. */
    public record Contents(StateDict tensors, Map<String, String> metadata) {}

    /** Shapes by key from the header alone (cheap: no tensor data is read). */
    public static Map<String, long[]> shapes(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            JsonNode header = header(file, ch).json();
            Map<String, long[]> out = new LinkedHashMap<>();
            header.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("__metadata__")) {
                    JsonNode shape = e.getValue().path("shape");
                    long[] dims = new long[shape.size()];
                    for (int i = 0; i < dims.length; i++) {
                        dims[i] = shape.get(i).asLong();
                    }
                    out.put(e.getKey(), dims);
                }
            });
            return out;
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** The parsed header and where the tensor data starts. */
    private record Header(JsonNode json, long dataStart) {}

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
        try {
            return new Header(JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8)), 8 + headerLen);
        } catch (IOException e) {
            throw new BadInputException(file + ": safetensors header is not valid JSON");
        }
    }

    public static StateDict read(Path file) {
        return readWithMetadata(file).tensors();
    }

    public static Contents readWithMetadata(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch);
            JsonNode header = h.json();
            long fileSize = ch.size();
            long dataStart = h.dataStart();
            MappedByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, fileSize - dataStart);
            data.order(ByteOrder.LITTLE_ENDIAN);
            StateDict out = new StateDict();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                out.put(e.getKey(), decode(file, e.getKey(), e.getValue(), data));
            }
            return new Contents(out, meta);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static HostTensor decode(Path file, String key, JsonNode info, ByteBuffer data) {
        String dtype = info.path("dtype").asText();
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new BadInputException(file + ": tensor '" + key + "' has a malformed header entry");
        }
        long[] shape = new long[shapeNode.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
            n *= shape[i];
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        int width = switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "F64", "I64" -> 8;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new BadInputException(file + ": tensor '" + key + "' has unsupported dtype " + dtype);
        };
        if (end - begin != n * width || end > data.capacity() || begin < 0) {
            throw new BadInputException(file + ": tensor '" + key + "' byte range [" + begin + ", " + end
                    + ") does not fit its shape or the file (truncated?)");
        }
        float[] v = new float[Math.toIntExact(n)];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position((int) begin);
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (dtype) {
                case "F32" -> b.getFloat();
                case "F64" -> (float) b.getDouble();
                case "F16" -> Float16.toFloat(b.getShort());
                case "BF16" -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                case "I64" -> b.getLong();
                case "I32" -> b.getInt();
                case "I16" -> b.getShort();
                case "U8", "BOOL" -> b.get() & 0xff;
                case "I8" -> b.get();
                default -> throw new IllegalStateException(dtype);
            };
        }
        return new HostTensor(shape, v);
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
