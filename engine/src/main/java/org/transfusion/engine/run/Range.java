package org.transfusion.engine.run;

import java.math.BigDecimal;
import org.transfusion.error.BadInputException;

/**
 * The values one numeric setting may take, stated once for every reader of it: the {@code train} flags
 * ({@link RunSpec#validate}), study specs ({@code SpecReader}) and the commands that take the same quantity. The
 * caller names the setting its own way ({@code --batch-size}, {@code spec.yaml: training.batch_size}); the range
 * says what was expected ({@code must be at least 1, got 0}). NaN and the infinities lie in no range.
 *
 * @param low          the smallest value (or the bound it must exceed when {@code lowOpen})
 * @param lowOpen      whether {@code low} itself is refused
 * @param high         the largest value (or the bound it must stay below when {@code highOpen})
 * @param highOpen     whether {@code high} itself is refused
 * @param whole        whether only whole numbers are allowed
 * @param zeroMeaning  for a whole range from 0 whose 0 means something of its own ("once per epoch"), what; else
 *                     null
 */
public record Range(double low, boolean lowOpen, double high, boolean highOpen, boolean whole, String zeroMeaning) {

    /** The whole numbers from {@code low} to {@code high}. */
    public static Range whole(long low, long high) {
        return new Range(low, false, high, false, true, null);
    }

    /** Numbers above 0 up to {@code high}. */
    public static Range positive(double high) {
        return new Range(0, true, high, false, false, null);
    }

    /** Numbers from {@code low} to {@code high}, {@code high} itself included or not. */
    public static Range real(double low, double high, boolean highIncluded) {
        return new Range(low, false, high, !highIncluded, false, null);
    }

    /** This whole range, with 0 also allowed and meaning {@code meaning} (e.g. "the data's stored size"). */
    public Range orZero(String meaning) {
        if (!whole || low < 0) {
            throw new IllegalArgumentException("orZero is for whole ranges of non-negative numbers");
        }
        return new Range(0, false, high, highOpen, true, meaning);
    }

    /** Whether {@code v} lies in the range (never NaN or an infinity). */
    public boolean contains(double v) {
        return Double.isFinite(v) && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high)
                && (!whole || v == Math.rint(v));
    }

    /** Whether {@code v} lies in the range, exactly (a long is compared as a long where the bound is whole). */
    public boolean contains(long v) {
        if (whole) {
            return v >= (long) low && v <= (high >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) high);
        }
        return contains((double) v);
    }

    /** {@code v}, or a bad input {@code NAME: must be ..., got V}. */
    public double check(String name, double v) {
        if (!contains(v)) {
            throw refusal(name, plain(v));
        }
        return v;
    }

    /** {@code v}, or a bad input {@code NAME: must be ..., got V}. */
    public long check(String name, long v) {
        if (!contains(v)) {
            throw refusal(name, Long.toString(v));
        }
        return v;
    }

    /** {@code v}, or a bad input {@code NAME: must be ..., got V}. */
    public int check(String name, int v) {
        return (int) check(name, (long) v);
    }

    /** The bad input for {@code value}, as written by the user, under {@code name}. */
    public BadInputException refusal(String name, String value) {
        return new BadInputException(name + ": " + expected() + ", got " + value);
    }

    /** What the range allows, as the rest of a sentence: "must be at least 1", "must lie in (0, 1)". */
    public String expected() {
        if (whole) {
            String upTo = high >= Integer.MAX_VALUE ? "" : " and at most " + plain(high);
            if (zeroMeaning != null) {
                return "must be 0 (" + zeroMeaning + ") or " + (upTo.isEmpty() ? "positive" : "from 1 to " + plain(high));
            }
            return upTo.isEmpty() ? "must be at least " + plain(low) : "must be from " + plain(low) + " to " + plain(high);
        }
        return "must lie in " + (lowOpen ? "(" : "[") + plain(low) + ", " + plain(high) + (highOpen ? ")" : "]");
    }

    /** A number as a person writes it: 1, 0.5, 1E+300; NaN and Infinity by name. */
    private static String plain(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toString();
    }
}
