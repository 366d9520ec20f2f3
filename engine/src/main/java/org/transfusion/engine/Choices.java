package org.transfusion.engine;

import java.util.Locale;
import java.util.function.Function;
import org.transfusion.error.BadInputException;

/** Parsing a named choice (an optimiser, a schedule, a policy) the same way everywhere: one parser per enum. */
public final class Choices {
    private Choices() {}

    /**
     * The constant of {@code values} whose name ({@code spec}) is {@code text}, ignoring case and surrounding
     * space; otherwise a bad input naming what was expected, e.g. "unknown optimizer 'sdg' (expected adam or sgd)".
     */
    public static <E extends Enum<E>> E parse(E[] values, Function<E, String> spec, String text, String what) {
        String name = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (spec.apply(values[i]).equals(name)) {
                return values[i];
            }
            expected.append(i == 0 ? "" : i == values.length - 1 ? " or " : ", ").append(spec.apply(values[i]));
        }
        throw new BadInputException("unknown " + what + " '" + text + "' (expected " + expected + ")");
    }
}
