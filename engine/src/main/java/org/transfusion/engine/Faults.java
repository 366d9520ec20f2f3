package org.transfusion.engine;

import java.lang.reflect.Field;

/**
 * Test hook: makes the process die at a named point of a run, the way a real failure would, so that tests can
 * check what a user is left with (a crash log in the right place, a resumable run folder). Inactive unless the
 * system property {@code transfusion.fault} is set to {@code POINT:STEP:KIND}, e.g.
 * {@code checkpointed:8:native-crash}: right after the checkpoint of step 8 is written, crash the JVM with a
 * native memory fault (SIGSEGV, as a crash inside libtorch would: hs_err log, exit 134) or, with kind
 * {@code halt}, stop it at once with exit 137 (as kill -9 would, without a log), or with kind {@code wait}, print
 * {@code fault: waiting at POINT} on stderr and block until standard input closes (so that a test can act while the
 * process holds that moment, e.g. a run folder's lease and lock). Points: {@code lock-taken} (step 0: a run's lease
 * and lock held, before the folder's content is checked under them), {@code run-json-written}
 * (step 0), {@code best-written}, {@code checkpoint-written} and {@code checkpointed} (the run folder's writes, in
 * order), {@code onednn-probe} (the 1x1-convolution probe's child, step 0) and {@code study-recorded} (step 0: a
 * study's {@code study.json} written, or checked against the command's spec, before any run starts).
 */
public final class Faults {
    private static final String SPEC = System.getProperty("transfusion.fault");

    private Faults() {}

    /** Called at {@code point} after {@code step} steps; returns unless the configured fault names this moment. */
    public static void at(String point, long step) {
        if (SPEC == null || SPEC.isBlank()) {
            return;
        }
        String[] f = SPEC.split(":");
        if (f.length != 3 || !f[0].equals(point) || Long.parseLong(f[1]) != step) {
            return;
        }
        System.err.flush();
        System.out.flush();
        if (f[2].equals("wait")) {
            System.err.println("fault: waiting at " + point);
            System.err.flush();
            try {
                while (System.in.read() >= 0) {
                    // until the test closes our standard input
                }
            } catch (java.io.IOException e) {
                // a closed or broken input ends the wait too
            }
            return;
        }
        if (f[2].equals("halt")) {
            Runtime.getRuntime().halt(org.transfusion.error.ExitCode.KILLED.code());
        }
        crashNatively();
    }

    /** A write to address 0 through {@code sun.misc.Unsafe}: a genuine SIGSEGV, handled by the JVM as a crash. */
    private static void crashNatively() {
        try {
            Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            unsafe.getClass().getMethod("putAddress", long.class, long.class).invoke(unsafe, 0L, 0L);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot inject a native crash", e);
        }
        Runtime.getRuntime().halt(org.transfusion.error.ExitCode.NATIVE_CRASH.code());
    }
}
