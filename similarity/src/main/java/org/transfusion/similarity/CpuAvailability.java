package org.transfusion.similarity;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many cores other processes leave idle right now, for choosing OpenBLAS's thread count.
 *
 * <p>On Linux it samples {@code /proc/stat} over a few milliseconds and counts this process's own CPU time as
 * idle (OpenBLAS threads may still be spinning after our previous call). Elsewhere it falls back to the
 * load average. Like OpenMP's dynamic threads, it avoids asking for cores that other jobs hold: a
 * multi-threaded OpenBLAS call whose threads wait on a descheduled sibling can be ten times slower.
 */
final class CpuAvailability {

    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final Path PROC_SELF_STAT = Path.of("/proc/self/stat");
    /** /proc/stat counts in 1/100 s per core, so a shorter window would only see a handful of ticks. */
    private static final long SAMPLE_MILLIS = 50;
    /** A measurement is reused this long, so a sequence of long calls samples once or twice. */
    private static final long REUSE_NANOS = 2_000_000_000L;

    private static long measuredAt;
    private static double lastIdle = -1;

    private CpuAvailability() {}

    /** Idle cores (not rounded), between 0 and the number of cores; measured at most every 2 s. */
    static synchronized double idleCores() {
        long now = System.nanoTime();
        if (lastIdle < 0 || now - measuredAt > REUSE_NANOS) {
            lastIdle = measure();
            measuredAt = System.nanoTime();
        }
        return lastIdle;
    }

    private static double measure() {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            long[] before = sample();
            Thread.sleep(SAMPLE_MILLIS);
            long[] after = sample();
            long total = after[0] - before[0];
            if (total <= 0) {
                return fromLoadAverage(cores);
            }
            double idle = (after[1] - before[1]) + Math.max(0, after[2] - before[2]);
            return Math.min(cores, Math.max(0, cores * idle / total));
        } catch (IOException | RuntimeException e) {
            return fromLoadAverage(cores);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fromLoadAverage(cores);
        }
    }

    /** {total ticks, idle + iowait ticks} of all CPUs, and this process's user + system ticks. */
    private static long[] sample() throws IOException {
        String cpu = Files.readAllLines(PROC_STAT).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
        String[] f = cpu.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        String self = Files.readString(PROC_SELF_STAT);
        String[] s = self.substring(self.lastIndexOf(')') + 2).split("\\s+"); // fields after "(comm)"
        long own = Long.parseLong(s[11]) + Long.parseLong(s[12]); // utime, stime (fields 14 and 15)
        return new long[] {total, idle, own};
    }

    private static double fromLoadAverage(int cores) {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? 1 : Math.max(0, cores - load);
    }
}
