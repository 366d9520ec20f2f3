package org.transfusion.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.transfusion.error.BadInputException;

/**
 * The contract every fuzz target checks (issue 18): a reader given arbitrary bytes either returns or refuses them
 * with a {@link BadInputException} whose message is one line, within {@link #TIMEOUT}; any other exception
 * propagates and fails the target, and so do a hang and allocating more than the target's budget.
 *
 * <p>Each read runs on a thread of its own, stopped waiting for at the time-out, and its allocation is measured with
 * HotSpot's per-thread counter there (the readers fuzzed here do not hand work to other threads); an input over
 * budget is read a second time, and only a second overrun fails (class loading is a one-time cost). The time-out is
 * per input: JUnit's {@code @Timeout} on a {@code @FuzzTest} would bound a whole fuzzing session instead. Shared by
 * the fuzz tests of every module through base's test jar.
 */
public final class FuzzBudget {
    /** What any read may allocate regardless of its input: buffers, parsers, class loading, the JIT's garbage. */
    public static final long BASE_BYTES = 64L << 20;
    /**
     * Bytes allowed per input byte on top: decoding widens (a one-byte string element becomes a Java string of
     * tens of bytes, a uint8 value a double), but never by more than this, whatever sizes the input declares.
     */
    public static final long BYTES_PER_INPUT_BYTE = 64;
    /** How long one input may take; a reader that needs longer on a few kilobytes is hanging. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private FuzzBudget() {}

    /** A read of the input, which may throw {@link BadInputException} or any checked exception of a temp file. */
    @FunctionalInterface
    public interface Read {
        void run() throws Exception;
    }

    /** Runs {@code read} on {@code inputBytes} bytes of input with the default budget. */
    public static void check(long inputBytes, Read read) {
        check(BASE_BYTES + BYTES_PER_INPUT_BYTE * inputBytes, read, "");
    }

    /**
     * Runs {@code read}: returns when it returns or refuses its input with a {@link BadInputException} of one line,
     * fails when it allocated more than {@code budgetBytes}; any other exception is rethrown as the finding.
     * {@code why} explains a budget other than the default in the failure message.
     */
    public static void check(long budgetBytes, Read read, String why) {
        long used = once(read);
        if (used > budgetBytes) {
            // Over budget once may be the JVM's doing, not the reader's: the first input of a fuzzing session loads
            // and instruments the reader's classes on this thread (Jazzer's coverage hooks), 90-125 MB seen. A
            // reader that allocates by what the input declares does so every time, so the same input is read again
            // and only a second overrun is a finding.
            used = once(read);
            if (used > budgetBytes) {
                fail("allocated " + used + " bytes, over the budget of " + budgetBytes + why + " (twice)");
            }
        }
    }

    /** One read on a thread of its own: the bytes it allocated, or a failure for a hang or a bad refusal. */
    private static long once(Read read) {
        return Assertions.assertTimeoutPreemptively(TIMEOUT, () -> {
            long before = allocated();
            try {
                read.run();
            } catch (BadInputException e) {
                String message = e.getMessage();
                if (message == null || message.isBlank() || message.contains("\n") || message.contains("\r")) {
                    fail("BadInputException without a one-line message: " + message, e);
                }
            }
            return allocated() - before;
        }, () -> "no result within " + TIMEOUT.toSeconds() + " s: the reader hangs on this input");
    }

    /** Bytes this thread has allocated so far. */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
