package org.transfusion.engine.run;

import java.util.Locale;

/**
 * One row of a run's learning curve ({@code curve.csv}): the step, the mean training loss since the last row, the
 * validation AUC and loss, the learning rate and the training seconds so far. Values are kept as the file writes
 * them (six significant digits; NaN for an undefined AUC, written empty), so a curve read back and written again is
 * the same text, and thresholds are judged on exactly what the file shows.
 */
public record CurvePoint(long step, double trainLoss, double valAuc, double valLoss, double lr, double trainSeconds) {
    static final String HEADER = "step,train_loss,val_auc,val_loss,lr,train_seconds";

    /** A row from measured values, rounded as the file will hold them. */
    public static CurvePoint of(long step, double trainLoss, double valAuc, double valLoss, double lr,
                                double trainSeconds) {
        return new CurvePoint(step, round(trainLoss), round(valAuc), round(valLoss), round(lr), round(trainSeconds));
    }

    /** A point from its {@link #csv} line. */
    public static CurvePoint parse(String line) {
        String[] c = line.split(",", -1);
        return new CurvePoint(Long.parseLong(c[0]), number(c[1]), number(c[2]), number(c[3]), number(c[4]),
                number(c[5]));
    }

    /** The point as a line of curve.csv (the form it also takes inside a checkpoint). */
    public String csv() {
        return step + "," + text(trainLoss) + "," + text(valAuc) + "," + text(valLoss) + "," + text(lr) + ","
                + text(trainSeconds);
    }

    private static double round(double v) {
        return number(text(v));
    }

    private static String text(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static double number(String v) {
        return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
    }
}
