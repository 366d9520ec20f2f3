package org.transfusion.error;

/**
 * A user mistake: a missing or malformed file, a wrong option, data that does not fit. The CLI prints its
 * message as one line and exits with code 2, without a stack trace. The message names the file or option,
 * the field and what was expected.
 *
 * <p>It lives in the lowest module (base) so that every module can throw it while dependencies keep pointing one
 * way (cli -> study -> engine -> similarity -> base).
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Text taken from a file (a header, a field, a member name) made fit for a one-line message: control
     * characters, line breaks among them, become Java's four-digit unicode escapes, and the text is cut at 200
     * characters (a header may hold a megabyte).
     */
    public static String printable(String text) {
        return printable(text, 200);
    }

    /** {@link #printable(String)} cut at {@code max} characters. */
    public static String printable(String text, int max) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        int end = Math.min(text.length(), max);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return end < text.length() ? out + "..." : out.toString();
    }
}
