package org.transfusion.engine.run;

import java.util.Map;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.run.record.MetricsRecord;

/**
 * What a finished run's {@code metrics.json} says, as the study uses it: validation and test AUC of the best
 * weights (the test AUC's DeLong 95% interval where the task has one output; NaN otherwise), the step they came from,
 * the run's length, and the first step at which each validation-AUC threshold was reached (null: never). The file
 * holds more (per-label metrics, calibration, images/s); {@link #record} keeps all of it.
 */
public record RunMetrics(double valAuc, double testAuc, double testAucLow, double testAucHigh, long bestStep,
                         long steps, Map<Double, Long> stepsToAuc, MetricsRecord record) {
    static RunMetrics of(MetricsRecord m) {
        MetricsRecord.Split val = m.val();
        MetricsRecord.Split test = m.test();
        return new RunMetrics(val == null ? Double.NaN : Records.orNaN(val.auc()),
                test == null ? Double.NaN : Records.orNaN(test.auc()),
                test == null ? Double.NaN : test.aucCi95Low(), test == null ? Double.NaN : test.aucCi95High(),
                m.bestStep() == null ? 0 : m.bestStep(), m.steps() == null ? 0 : m.steps(), m.stepsToAucByThreshold(),
                m);
    }
}
