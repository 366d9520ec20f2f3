package org.transfusion.engine.data;

import java.util.regex.Pattern;

/**
 * How a label CSV writes a class: a class id is a whole number written plainly (0, 1, 2, ...; no sign, no leading
 * zero, no decimal point), so each class has one spelling. Text that Java or Python would read as some other number
 * ({@code -0}, {@code 1.5}, {@code 1e400}, {@code NaN}, {@code inf}, {@code 0x1p0}, {@code 01}) is neither an id
 * nor a name but a mistake: read as a name it would become a class of its own ("NaN"), read as a number it would
 * silently merge with another ("-0" with "0"). The readers that take class ids (DICOM, EyePACS) refuse it.
 */
final class ClassLabel {
    private static final Pattern ID = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

    private ClassLabel() {}

    /** The class id {@code text} writes, or -1 when it is not one. */
    static long id(String text) {
        return ID.matcher(text).matches() ? Long.parseLong(text) : -1;
    }

    /** Whether {@code text} reads as a number in any notation (class id or not). */
    static boolean numberLike(String text) {
        if (NON_FINITE.matcher(text).matches()) {
            return true;
        }
        try {
            Double.parseDouble(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether {@code text} is a number but not a class id: refused wherever a class is read. */
    static boolean malformedId(String text) {
        return id(text) < 0 && numberLike(text);
    }
}
