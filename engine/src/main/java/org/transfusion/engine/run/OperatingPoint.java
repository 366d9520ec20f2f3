package org.transfusion.engine.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.util.Locale;
import org.transfusion.error.BadInputException;

/**
 * How the decision threshold of each output is set ({@code --operating-point}): on the validation split, never on
 * the split it is reported on, so the test metrics at it are honest. {@code youden} maximises Youden's J
 * (sensitivity + specificity - 1); {@code sens:S} takes the highest threshold whose validation sensitivity is at
 * least S (the most specific such point); a plain number is that threshold, fixed. An image is called positive
 * when its probability is at least the threshold. The choosing itself is the evaluator's ({@code eval}).
 */
public sealed interface OperatingPoint {
    /** The names {@link #parse} accepts, as shown in help texts and errors. */
    String CHOICES = "youden, sens:S with S in (0, 1], or a threshold in [0, 1]";

    /** The range of a fixed threshold (a probability). */
    Range THRESHOLD = Range.real(0, 1, true);

    /** The canonical name. */
    @JsonValue
    String spec();

    /** Youden's J, the default: the threshold where the ROC curve is furthest above the diagonal. */
    record Youden() implements OperatingPoint {
        public String spec() { return "youden"; }
    }

    /** The highest threshold reaching {@code target} sensitivity on validation. */
    record Sensitivity(double target) implements OperatingPoint {
        public String spec() { return "sens:" + plain(target); }
    }

    /** A fixed threshold. */
    record Threshold(double value) implements OperatingPoint {
        public String spec() { return plain(value); }
    }

    /** Parses a name (case and surrounding space ignored); anything else is a bad input naming the choices. */
    @JsonCreator
    static OperatingPoint parse(String text) {
        String name = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (name.equals("youden")) {
            return new Youden();
        }
        for (String prefix : new String[] {"sens:", "sensitivity:"}) {
            if (name.startsWith(prefix)) {
                double s = number(name.substring(prefix.length()), text);
                if (!(s > 0 && s <= 1)) {
                    throw new BadInputException("operating point '" + text + "': the sensitivity must lie in (0, 1]");
                }
                return new Sensitivity(s);
            }
        }
        double t = number(name, text);
        if (!THRESHOLD.contains(t)) {
            throw new BadInputException("operating point '" + text + "': a threshold must lie in [0, 1] (expected "
                    + CHOICES + ")");
        }
        return new Threshold(t);
    }

    private static double number(String s, String text) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new BadInputException("unknown operating point '" + text + "' (expected " + CHOICES + ")");
        }
    }

    /** A number as written by a person: 0.9, not 0.9000 or 9.0E-1. */
    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
