package org.transfusion.engine.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.error.BadInputException;

/**
 * The argument of a data spec split into its path (or name) and its {@code ?key=value&key=value} options, the
 * syntax {@link Synthetic} reads: keys not in the allowed list are refused, naming them and the ones expected,
 * and each value is read through a typed method that names the spec when it is out of range.
 */
final class SpecQuery {
    private final String spec;
    private final String head;
    private final Map<String, String> values;

    private SpecQuery(String spec, String head, Map<String, String> values) {
        this.spec = spec;
        this.head = head;
        this.values = values;
    }

    /** Splits {@code argument} at its first {@code ?}; {@code example} ends the message of an unknown key. */
    static SpecQuery parse(String spec, String argument, List<String> keys, String example) {
        int q = argument.indexOf('?');
        String head = (q < 0 ? argument : argument.substring(0, q)).trim();
        Map<String, String> values = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : argument.substring(q + 1).split("&")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
                String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
                if (!keys.contains(key)) {
                    throw new BadInputException("unknown option '" + key + "' in '" + spec + "' (expected "
                            + (keys.isEmpty() ? "no options" : String.join(", ", keys)) + ", e.g. " + example + ")");
                }
                if (values.put(key, value) != null) {
                    throw new BadInputException("option '" + key + "' given twice in '" + spec + "'");
                }
            }
        }
        return new SpecQuery(spec, head, values);
    }

    /** The part before {@code ?}: a path or a name. */
    String head() {
        return head;
    }

    int intValue(String key, int fallback, int min, int max) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        String value = values.get(key);
        long v = longValue(key, 0);
        if (v < min || v > max) {
            throw new BadInputException("option " + key + "=" + value + " in '" + spec + "' is out of range (expected "
                    + min + " to " + max + ")");
        }
        return (int) v;
    }

    /** The value of {@code key}, one of {@code allowed}, or {@code fallback} when absent. */
    String choice(String key, String fallback, List<String> allowed) {
        String value = values.getOrDefault(key, fallback);
        if (!allowed.contains(value)) {
            throw new BadInputException("option " + key + "='" + BadInputException.printable(value) + "' in '" + spec
                    + "' is not one of " + String.join(", ", allowed));
        }
        return value;
    }

    long longValue(String key, long fallback) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        String value = values.get(key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadInputException("option " + key + "='" + BadInputException.printable(value) + "' in '"
                    + spec + "' is not an integer");
        }
    }
}
