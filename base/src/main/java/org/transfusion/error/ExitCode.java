package org.transfusion.error;

/**
 * Every exit status a Transfusion process ends with, in one place: what the CLI returns, what a run's own JVM ends
 * with, and what a study or a cluster task reads back from a run's process to decide whether another attempt could
 * end differently ({@link #deterministic}).
 */
public enum ExitCode {
    /** Done. */
    OK(0),
    /** A bug: a stack trace was printed. */
    BUG(1),
    /** A user mistake (bad option, bad file): one line naming it; the same code picocli uses for bad options. */
    BAD_INPUT(2),
    /** Training diverged or collapsed; the run's files so far are kept, with failed.json saying why. */
    DIVERGED(3),
    /** Another attempt took over this run's lease (across machines); this one stopped before writing again. */
    LEASE_LOST(75),
    /** The JVM died on a native crash (a signal inside libtorch); its log is under the cache's crash folder. */
    NATIVE_CRASH(134),
    /** Killed (SIGKILL, or a fault point's halt in tests). */
    KILLED(137),
    /** Stopped by SIGTERM, or because the study that started the run ended. */
    TERMINATED(143);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process's exit status. */
    public int code() {
        return code;
    }

    /** The named status of {@code code}, or null when it is none of these. */
    public static ExitCode of(int code) {
        for (ExitCode e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /**
     * Whether a run that ended with {@code code} would end the same way on every attempt: bad input and divergence
     * are properties of the run's spec and data, so a scheduler reports them instead of retrying.
     */
    public static boolean deterministic(int code) {
        return code == BAD_INPUT.code || code == DIVERGED.code;
    }
}
