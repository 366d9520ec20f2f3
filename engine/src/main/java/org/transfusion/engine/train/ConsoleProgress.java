package org.transfusion.engine.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line on the terminal: step, loss, validation AUC, images/s, time left. Redrawn in place on a
 * terminal; on a pipe or file, one line every {@code intervalSeconds} so logs stay readable.
 */
public final class ConsoleProgress implements Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final double intervalSeconds;
    private long lastPrint;
    private double lastAuc = Double.NaN;
    private String metric = "AUC";
    private boolean dirty;

    public ConsoleProgress(PrintStream out) {
        this(out, System.console() != null, 10);
    }

    public ConsoleProgress(PrintStream out, boolean terminal, double intervalSeconds) {
        this.out = out;
        this.terminal = terminal;
        this.intervalSeconds = intervalSeconds;
    }

    @Override
    public void step(long step, long total, double loss, double ips, double left, double best) {
        long now = System.nanoTime();
        boolean last = step == total;
        if (!last && (now - lastPrint) < (terminal ? 200_000_000L : (long) (intervalSeconds * 1e9))) {
            return;
        }
        lastPrint = now;
        int width = 24;
        int filled = (int) Math.round(width * (double) step / Math.max(1, total));
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String line = String.format(Locale.ROOT, "step %d/%d [%s] loss %.4f  val %s %s (best %s)  %.0f img/s  ETA %s",
                step, total, bar, loss, metric, fmt(lastAuc), fmt(best), ips, duration(left));
        if (terminal) {
            out.print("\r" + line + "   ");
            dirty = true;
            if (last) {
                out.println();
                dirty = false;
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void evaluated(long step, double valAuc, double valLoss) {
        lastAuc = valAuc;
    }

    @Override
    public void metric(String name) {
        metric = name;
    }

    @Override
    public void note(String message) {
        if (dirty) {
            out.println();
            dirty = false;
        }
        out.println(message);
        out.flush();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
