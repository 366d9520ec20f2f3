package org.transfusion.engine.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;

/**
 * JSON for run files: pretty-printed, key order kept, and NaN/Infinity written as {@code null} (they are not
 * JSON; an undefined AUC is a missing number, not a string).
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule().addSerializer(Double.class, new FiniteDoubles())
                    .addSerializer(Float.class, new FiniteFloats()));

    private Json() {}

    public static String toString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes atomically (temp file + rename). */
    public static void write(Path file, Object value) {
        AtomicFiles.writeString(file, toString(value) + "\n");
    }

    /** JSON text held inside another file (e.g. a checkpoint's metadata), which this project wrote itself. */
    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not valid JSON: " + e.getMessage().split("\n")[0], e);
        }
    }

    public static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
    }

    /** NaN and infinities as null (also for primitive doubles, in {@link Records}). */
    static final class FiniteDoubles extends StdSerializer<Double> {
        FiniteDoubles() {
            super(Double.class);
        }

        @Override
        public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
            if (v.isNaN() || v.isInfinite()) {
                g.writeNull();
            } else {
                g.writeNumber(v);
            }
        }
    }

    private static final class FiniteFloats extends StdSerializer<Float> {
        FiniteFloats() {
            super(Float.class);
        }

        @Override
        public void serialize(Float v, JsonGenerator g, SerializerProvider p) throws IOException {
            if (v.isNaN() || v.isInfinite()) {
                g.writeNull();
            } else {
                g.writeNumber(v);
            }
        }
    }
}
