package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.OperatingPoint;

class MetricsReportTest {
    private static final Task BINARY = new Task("binary", Task.Type.BINARY, List.of("pos"), raw -> raw);

    private static Evaluator.Scores scores(double[] probs, double[] labels) {
        double[] logits = new double[probs.length];
        for (int i = 0; i < probs.length; i++) {
            logits[i] = Math.log(probs[i] / (1 - probs[i]));
        }
        return new Evaluator.Scores(probs, labels, probs.length, 1, 0, logits);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    @Test
    void theThresholdIsChosenOnValidationAndAppliedToTest() {
        // Validation: Youden's J picks 0.9 (OperatingPointTest's tie example).
        Evaluator.Scores val = scores(new double[] {0.9, 0.8, 0.7, 0.6}, new double[] {1, 0, 1, 0});
        // Test at 0.9, by hand: 0.95 (pos) TP, 0.92 (neg) FP, 0.85 (pos) FN, 0.5 (neg) TN -> sensitivity 1/2,
        // specificity 1/2; at 0.5 everything is called positive -> sensitivity 1, specificity 0.
        Evaluator.Scores test = scores(new double[] {0.95, 0.85, 0.5, 0.92}, new double[] {1, 1, 0, 0});
        MetricsReport.Fitted fitted = MetricsReport.fit(BINARY, val, new OperatingPoint.Youden(),
                CalibrationKind.TEMPERATURE);
        Map<String, Object> block = MetricsReport.block(BINARY, test, MetricsReport.headline(BINARY, test), fitted,
                false);
        Map<String, Object> point = map(block, "operating_point");
        assertThat(point).containsEntry("rule", "youden").containsEntry("chosen_on", "val")
                .containsEntry("threshold", 0.9).containsEntry("sensitivity", 0.5).containsEntry("specificity", 0.5);
        Map<String, Object> half = map(map(map(block, "at_threshold_0.5"), "per_output"), "pos");
        assertThat(half).containsEntry("sensitivity", 1.0).containsEntry("specificity", 0.0);
        // AP by hand: 0.95 (pos) P=1 R=1/2; 0.92 (neg); 0.85 (pos) P=2/3 R=1 -> 1/2 + 1/3 = 5/6.
        assertThat((double) block.get("average_precision")).isCloseTo(5.0 / 6, within(1e-15));
        Map<String, Object> calibration = map(block, "calibration");
        assertThat(calibration).containsEntry("bins", 15).containsKeys("ece", "nll", "reliability_per_output");
        Map<String, Object> scaling = map(calibration, "temperature_scaling");
        assertThat(scaling).containsEntry("fitted_on", "val").containsKeys("nll_before", "nll_after", "ece_after");
        double t = (double) map(scaling, "temperature_per_output").get("pos");
        // The temperature is validation's NLL minimiser, whatever the test data.
        assertThat(t).isCloseTo(TemperatureScaling.minimise(x -> TemperatureScaling.sigmoidNll(val.logits(),
                val.targets(), x)), within(1e-12));
        // On validation itself the point is in-sample and no temperature scaling is reported.
        Map<String, Object> valBlock = MetricsReport.block(BINARY, val, MetricsReport.headline(BINARY, val), fitted,
                true);
        assertThat(map(valBlock, "operating_point")).containsEntry("chosen_on", "val (this split: in-sample)");
        assertThat(map(valBlock, "calibration")).doesNotContainKey("temperature_scaling");
    }

    @Test
    void multiclassOutputsAreOneVsRestWithTopLabelCalibration() {
        Task grade = new Task("grade", Task.Type.MULTICLASS, List.of("c0", "c1", "c2"), raw -> raw);
        double[] probs = {
            0.7, 0.2, 0.1,
            0.2, 0.5, 0.3,
            0.1, 0.6, 0.3,
            0.3, 0.1, 0.6};
        double[] classes = {0, 1, 2, 2};
        Evaluator.Scores s = new Evaluator.Scores(probs, classes, 4, 3, 0);
        MetricsReport.Fitted fitted = MetricsReport.fit(grade, s, new OperatingPoint.Threshold(0.5),
                CalibrationKind.NONE);
        Map<String, Object> block = MetricsReport.block(grade, s, MetricsReport.headline(grade, s), fitted, false);
        Map<String, Object> ap = map(block, "average_precision_per_output");
        // c2 one-vs-rest by hand: 0.6 (pos) P=1 R=1/2; 0.3, 0.3 (one pos, one neg) P=2/3 R=1 -> 1/2 + 1/3 = 5/6;
        // c0: its one positive scores highest -> 1; c1: 0.6 (neg), 0.5 (pos) P=1/2 R=1 -> 1/2.
        assertThat((double) ap.get("c2")).isCloseTo(5.0 / 6, within(1e-15));
        assertThat((double) ap.get("c0")).isEqualTo(1.0);
        assertThat((double) ap.get("c1")).isEqualTo(0.5);
        assertThat((double) block.get("average_precision")).isCloseTo((1 + 0.5 + 5.0 / 6) / 3, within(1e-15));
        // Top label: confidences 0.7 (right), 0.5 (right), 0.6 (wrong: says c1), 0.6 (right); 15 bins:
        // 0.5 in (7/15, 8/15], 0.6 in (8/15, 9/15], 0.7 in (10/15, 11/15]. Gaps: |1 - 0.5| n1, |1/2 - 0.6| n2,
        // |1 - 0.7| n1 -> ECE = (0.5 + 2 * 0.1 + 0.3) / 4 = 0.25.
        assertThat((double) map(block, "calibration").get("ece_top_label")).isCloseTo(0.25, within(1e-15));
        assertThat(map(block, "calibration")).doesNotContainKeys("temperature_scaling", "nll");
    }
}
