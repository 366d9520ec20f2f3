package org.transfusion.engine.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a finished run's {@code metrics.json} says, as the study uses it: validation and test AUC of the best
 * weights (the test AUC's DeLong 95% interval where the task has one output; NaN otherwise), the step they came from, the run's length, and the first step at which each validation-AUC threshold
 * was reached (null: never). The file holds more (per-label metrics, images/s); {@link #json} keeps all of it.
 */
public record RunMetrics(double valAuc, double testAuc, double testAucLow, double testAucHigh, long bestStep,
                         long steps, Map<Double, Long> stepsToAuc, JsonNode json) {
    static RunMetrics of(JsonNode m) {
        Map<Double, Long> stepsTo = new LinkedHashMap<>();
        m.path("steps_to_auc").fields().forEachRemaining(e ->
                stepsTo.put(Double.parseDouble(e.getKey()), e.getValue().isNull() ? null : e.getValue().asLong()));
        JsonNode ci = m.path("test").path("auc_ci95");
        return new RunMetrics(number(m.path("val").path("auc")), number(m.path("test").path("auc")),
                number(ci.path(0)), number(ci.path(1)), m.path("best_step").asLong(), m.path("steps").asLong(), stepsTo,
                m);
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
