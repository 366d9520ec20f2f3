package org.transfusion.engine.run;

import java.util.List;
import java.util.Locale;

/**
 * One row of a run's learning curve ({@code curve.csv}): the step, the mean training loss since the last row, the
 * validation AUC and loss, the learning rate and the training seconds so far; a segmentation run adds the
 * validation Dice ({@code val_dice}, the metric its best weights are chosen by; its AUC is the pixels' AUC), a
 * seventh column that classification curves do not have (NaN here). Values are kept as the file writes
 * them (six significant digits; NaN for an undefined AUC, written empty), so a curve read back and written again is
 * the same text, and thresholds are judged on exactly what the file shows.
 */
public record CurvePoint(long step, double trainLoss, double valAuc, double valLoss, double lr, double trainSeconds,
                         double valDice) {
    static final String HEADER = "step,train_loss,val_auc,val_loss,lr,train_seconds";
    static final String SEGMENTATION_HEADER = HEADER + ",val_dice";

    /** A classification run's row (no Dice). */
    public CurvePoint(long step, double trainLoss, double valAuc, double valLoss, double lr, double trainSeconds) {
        this(step, trainLoss, valAuc, valLoss, lr, trainSeconds, Double.NaN);
    }

    /** A row from measured values, rounded as the file will hold them. */
    public static CurvePoint of(long step, double trainLoss, double valAuc, double valLoss, double lr,
                                double trainSeconds) {
        return of(step, trainLoss, valAuc, valLoss, lr, trainSeconds, Double.NaN);
    }

    /** A segmentation run's row, with its validation Dice. */
    public static CurvePoint of(long step, double trainLoss, double valAuc, double valLoss, double lr,
                                double trainSeconds, double valDice) {
        return new CurvePoint(step, round(trainLoss), round(valAuc), round(valLoss), round(lr), round(trainSeconds),
                round(valDice));
    }

    /** A point from its {@link #csv} line (six columns, or seven with the Dice). */
    public static CurvePoint parse(String line) {
        String[] c = line.split(",", -1);
        return new CurvePoint(Long.parseLong(c[0]), number(c[1]), number(c[2]), number(c[3]), number(c[4]),
                number(c[5]), c.length > 6 ? number(c[6]) : Double.NaN);
    }

    /** The point as a line of curve.csv (the form it also takes inside a checkpoint). */
    public String csv() {
        return step + "," + text(trainLoss) + "," + text(valAuc) + "," + text(valLoss) + "," + text(lr) + ","
                + text(trainSeconds) + (Double.isNaN(valDice) ? "" : "," + text(valDice));
    }

    /** curve.csv's header line for {@code curve}: with the Dice column when any row has one. */
    static String header(List<CurvePoint> curve) {
        return curve.stream().anyMatch(p -> !Double.isNaN(p.valDice)) ? SEGMENTATION_HEADER : HEADER;
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
