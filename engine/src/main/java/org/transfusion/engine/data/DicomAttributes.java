package org.transfusion.engine.data;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.transfusion.error.BadInputException;

/**
 * The few top-level attributes of a DICOM data set that decoding needs, kept as their raw value bytes and read
 * as numbers or text on demand, each with an error that names the attribute (tag and keyword) and what was
 * expected. Everything else in a file (patient data, sequences, private tags) is skipped unread.
 */
final class DicomAttributes {
    static final int TRANSFER_SYNTAX = 0x00020010;
    static final int SOP_INSTANCE_UID = 0x00080018;
    static final int MODALITY = 0x00080060;
    static final int PATIENT_ID = 0x00100020;
    static final int SAMPLES_PER_PIXEL = 0x00280002;
    static final int PHOTOMETRIC = 0x00280004;
    static final int PLANAR_CONFIGURATION = 0x00280006;
    static final int NUMBER_OF_FRAMES = 0x00280008;
    static final int ROWS = 0x00280010;
    static final int COLUMNS = 0x00280011;
    static final int BITS_ALLOCATED = 0x00280100;
    static final int BITS_STORED = 0x00280101;
    static final int HIGH_BIT = 0x00280102;
    static final int PIXEL_REPRESENTATION = 0x00280103;
    static final int WINDOW_CENTER = 0x00281050;
    static final int WINDOW_WIDTH = 0x00281051;
    static final int RESCALE_INTERCEPT = 0x00281052;
    static final int RESCALE_SLOPE = 0x00281053;
    static final int VOI_LUT_FUNCTION = 0x00281056;
    static final int PIXEL_DATA = 0x7FE00010;

    /** The attributes kept (and Pixel Data), by their DICOM keyword (PS3.6), for messages. */
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(TRANSFER_SYNTAX, "Transfer Syntax UID"),
            Map.entry(SOP_INSTANCE_UID, "SOP Instance UID"),
            Map.entry(MODALITY, "Modality"),
            Map.entry(PATIENT_ID, "Patient ID"),
            Map.entry(SAMPLES_PER_PIXEL, "Samples per Pixel"),
            Map.entry(PHOTOMETRIC, "Photometric Interpretation"),
            Map.entry(PLANAR_CONFIGURATION, "Planar Configuration"),
            Map.entry(NUMBER_OF_FRAMES, "Number of Frames"),
            Map.entry(ROWS, "Rows"),
            Map.entry(COLUMNS, "Columns"),
            Map.entry(BITS_ALLOCATED, "Bits Allocated"),
            Map.entry(BITS_STORED, "Bits Stored"),
            Map.entry(HIGH_BIT, "High Bit"),
            Map.entry(PIXEL_REPRESENTATION, "Pixel Representation"),
            Map.entry(WINDOW_CENTER, "Window Center"),
            Map.entry(WINDOW_WIDTH, "Window Width"),
            Map.entry(RESCALE_INTERCEPT, "Rescale Intercept"),
            Map.entry(RESCALE_SLOPE, "Rescale Slope"),
            Map.entry(VOI_LUT_FUNCTION, "VOI LUT Function"),
            Map.entry(PIXEL_DATA, "Pixel Data"));

    /** Longer values of the kept attributes (all short numbers, codes and UIDs) are refused, not allocated. */
    static final int MAX_VALUE_BYTES = 1024;

    private final Map<Integer, byte[]> values = new HashMap<>();
    private final Function<String, BadInputException> error;
    private boolean bigEndian;

    /** @param error makes the one-line error for a message (it prefixes the file) */
    DicomAttributes(Function<String, BadInputException> error) {
        this.error = error;
    }

    /** Whether a top-level element is one decoding needs (Pixel Data is read apart, as it is large). */
    static boolean kept(int tag) {
        return tag != PIXEL_DATA && NAMES.containsKey(tag);
    }

    /** {@code (0028,0010) Rows}, or just the tag for attributes not kept. */
    static String describe(int tag) {
        String name = NAMES.get(tag);
        String hex = String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
        return name == null ? hex : hex + " " + name;
    }

    void put(int tag, byte[] value) {
        values.put(tag, value);
    }

    /** The byte order binary values (US) were written in: the transfer syntax's, known once the meta group is read. */
    void bigEndian(boolean big) {
        this.bigEndian = big;
    }

    boolean has(int tag) {
        return values.containsKey(tag);
    }

    BadInputException error(String message) {
        return error.apply(message);
    }

    /** An unsigned short (VR US); {@code fallback} when absent, or an error when the fallback is negative. */
    int unsignedShort(int tag, int fallback) {
        byte[] v = values.get(tag);
        if (v == null) {
            if (fallback < 0) {
                throw error("no " + describe(tag) + " (required to decode the pixels)");
            }
            return fallback;
        }
        if (v.length < 2) {
            throw error(describe(tag) + " has " + v.length + " bytes, expected a 2-byte unsigned short");
        }
        int b0 = v[0] & 0xff;
        int b1 = v[1] & 0xff;
        return bigEndian ? b0 << 8 | b1 : b1 << 8 | b0;
    }

    /** A text value (VR CS, UI, DS, IS) without its space or NUL padding, or null when absent. */
    String text(int tag) {
        byte[] v = values.get(tag);
        if (v == null) {
            return null;
        }
        String s = new String(v, StandardCharsets.US_ASCII);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        return s.substring(0, end).strip();
    }

    /** The first value of a decimal string (VR DS, {@code 40\80} means 40), or {@code fallback} when absent/empty. */
    double decimal(int tag, double fallback) {
        String first = firstValue(tag);
        if (first == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(first);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(describe(tag) + " is '" + printable(first) + "', expected a decimal number");
    }

    /** The first value of an integer string (VR IS), or {@code fallback} when absent/empty. */
    long integer(int tag, long fallback) {
        String first = firstValue(tag);
        if (first == null) {
            return fallback;
        }
        try {
            return Long.parseLong(first.startsWith("+") ? first.substring(1) : first);
        } catch (NumberFormatException e) {
            throw error(describe(tag) + " is '" + printable(first) + "', expected an integer");
        }
    }

    private String firstValue(int tag) {
        String t = text(tag);
        if (t == null) {
            return null;
        }
        int slash = t.indexOf('\\');
        String first = (slash < 0 ? t : t.substring(0, slash)).strip();
        return first.isEmpty() ? null : first;
    }

    /** A value for a one-line message: control characters shown as {@code ?}, at most 64 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }
}
