package org.transfusion.engine.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;

/**
 * The one mapping between the files this project writes and their records: every record is written and read
 * through {@link #MAPPER} (Jackson, snake_case keys spelled on the records, the layout of {@link Json}), and every
 * file carries a {@code format_version} per file type. A file without one was written before versions were
 * recorded and is version 1 (the same keys: version 2 only added the field); a file newer than this release reads
 * is refused in one line.
 *
 * <p>Numbers: NaN and infinities are written as {@code null} (as {@link Json} writes them) and a {@code null} number
 * reads back as NaN; a key that is absent reads as Java {@code null}, which the records omit when writing, so a
 * file read and written again keeps its keys.
 */
public final class Records {
    /** The key of every file's version. */
    public static final String FORMAT_VERSION = "format_version";

    public static final ObjectMapper MAPPER = Json.MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule("records")
                    .addSerializer(double.class, new Json.FiniteDoubles()) // a primitive double as a boxed one
                    .addDeserializer(Double.class, new NullIsNaN()));

    private Records() {}

    /**
     * The version {@code tree} (the content of {@code file}) declares: 1 when it declares none; a bad input naming
     * the file when it is newer than {@code newest} or not a whole number.
     */
    public static int version(Object file, JsonNode tree, int newest) {
        JsonNode v = tree.isObject() ? tree.get(FORMAT_VERSION) : null;
        if (v == null || v.isNull()) {
            return 1;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new BadInputException(file + ": format_version " + v + " is not a version (expected a whole number "
                    + "from 1 to " + newest + ")");
        }
        if (v.asInt() > newest) {
            throw new BadInputException(file + ": format_version " + v.asInt() + " is newer than this release reads "
                    + "(up to " + newest + "); update transfusion");
        }
        return v.asInt();
    }

    /** Reads {@code file} as a {@code type} after checking its version against {@code newest}. */
    public static <T> T read(Path file, Class<T> type, int newest) {
        return fromTree(file, Json.read(file), type, newest);
    }

    /** {@code tree} (the content of {@code where}) as a {@code type}, its version checked against {@code newest}. */
    public static <T> T fromTree(Object where, JsonNode tree, Class<T> type, int newest) {
        if (!tree.isObject()) {
            throw new BadInputException(where + ": expected a JSON object, got " + tree.getNodeType());
        }
        version(where, tree, newest);
        return as(where, tree, type);
    }

    /** {@code tree} as a {@code type}, without a version check (a part of a file whose version was checked). */
    public static <T> T as(Object where, JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException(where + ": not a " + type.getSimpleName() + " ("
                    + BadInputException.printable(e.getMessage().split("\n")[0]) + ")");
        }
    }

    /** A record as a JSON tree (its numbers as they will be written). */
    public static ObjectNode toTree(Object record) {
        return MAPPER.valueToTree(record);
    }

    /** A record as an ordered map, for callers that hand results on as maps. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(Object record) {
        return MAPPER.convertValue(toTree(record), LinkedHashMap.class);
    }

    /** Writes a record atomically, as {@link Json#write} writes (indented, a final newline). */
    public static void write(Path file, Object record) {
        AtomicFiles.writeString(file, toString(record) + "\n");
    }

    public static String toString(Object record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The top-level fields of {@code now} whose value differs in {@code was}, as "FIELD WAS vs NOW" (a missing one
     * as null): what a refusal to reuse a folder of another run names.
     */
    public static java.util.List<String> differences(JsonNode was, JsonNode now) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (var it = now.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!java.util.Objects.equals(was.get(field), now.get(field))) {
                out.add(field + " " + was.get(field) + " vs " + now.get(field));
            }
        }
        return out;
    }

    /** NaN for a number a file leaves undefined (null). */
    public static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }

    /** A null number reads as NaN (an undefined AUC written as null); an absent one stays absent (Java null). */
    private static final class NullIsNaN extends StdDeserializer<Double> {
        NullIsNaN() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken().isNumeric()) {
                return p.getDoubleValue();
            }
            if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                try {
                    return Double.parseDouble(p.getText().strip());
                } catch (NumberFormatException e) {
                    return (Double) ctxt.handleWeirdStringValue(Double.class, p.getText(), "not a number");
                }
            }
            return (Double) ctxt.handleUnexpectedToken(Double.class, p);
        }

        @Override
        public Double getNullValue(DeserializationContext ctxt) {
            return Double.NaN;
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }
    }
}
