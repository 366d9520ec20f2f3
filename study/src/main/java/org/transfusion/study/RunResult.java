package org.transfusion.study;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.run.CurvePoint;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunMetrics;
import org.transfusion.engine.run.record.MetricsRecord;

/**
 * A finished run's numbers as the report uses them: val/test AUC (with the test AUC's DeLong 95% interval, NaN where
 * the task has several outputs), steps to each threshold, the learning curve, the run's length in steps and its
 * test accuracy (the pretraining task's, for a pretraining run), the test AUC of each output (each finding), and for
 * a segmentation its test Dice and validation Dice curve (its steps to each threshold are to a validation Dice).
 */
public record RunResult(PlannedRun run, double valAuc, double testAuc, double testAucLow, double testAucHigh,
                        Map<Double, Long> stepsToAuc, double[] steps, double[] valCurve, long length,
                        double testAccuracy, Map<String, Double> testAucPerOutput, double testDice,
                        double[] valDiceCurve) {

    public static RunResult load(PlannedRun run) {
        RunFolder f = new RunFolder(run.folder());
        if (!f.isComplete()) {
            return null;
        }
        RunMetrics m = f.metrics();
        List<CurvePoint> curve = f.curve();
        double[] steps = curve.stream().mapToDouble(CurvePoint::step).toArray();
        double[] val = curve.stream().mapToDouble(CurvePoint::valAuc).toArray();
        MetricsRecord.Split test = m.record().test();
        double accuracy = test == null ? Double.NaN : Records.orNaN(test.accuracy());
        Map<String, Double> perOutput = new LinkedHashMap<>();
        if (test != null && test.aucPerOutput() != null) {
            test.aucPerOutput().forEach((k, v) -> perOutput.put(k, Records.orNaN(v)));
        }
        // a segmentation's: its pooled test Dice and validation Dice by step (NaN for classification)
        double dice = test == null ? Double.NaN : test.diceOrNaN();
        double[] valDice = curve.stream().mapToDouble(CurvePoint::valDice).toArray();
        return new RunResult(run, m.valAuc(), m.testAuc(), m.testAucLow(), m.testAucHigh(), m.stepsToAuc(), steps, val,
                m.steps(), accuracy, perOutput, dice, valDice);
    }

    /** Steps to reach {@code threshold}, or infinity when the run never did. */
    public double stepsTo(double threshold) {
        for (Map.Entry<Double, Long> e : stepsToAuc.entrySet()) {
            if (Math.abs(e.getKey() - threshold) < 1e-9) {
                return e.getValue() == null ? Double.POSITIVE_INFINITY : e.getValue();
            }
        }
        for (int i = 0; i < steps.length; i++) {
            if (valCurve[i] >= threshold) {
                return steps[i];
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
