package org.transfusion.engine.data;

import java.util.Locale;
import org.transfusion.error.BadInputException;

/** The three splits every dataset exposes. */
public enum Split {
    TRAIN, VAL, TEST;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Split parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "train" -> TRAIN;
            case "val", "valid", "validation" -> VAL;
            case "test" -> TEST;
            default -> throw new BadInputException("unknown split '" + text + "' (expected train, val or test)");
        };
    }
}
