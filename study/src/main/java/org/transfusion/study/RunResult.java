package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.RunFolder;

/** A finished run's numbers as the report uses them: val/test AUC, steps to each threshold, the learning curve. */
public record RunResult(PlannedRun run, double valAuc, double testAuc, Map<Double, Long> stepsToAuc, double[] steps,
                        double[] valCurve) {

    public static RunResult load(PlannedRun run) {
        RunFolder f = new RunFolder(run.folder());
        if (!f.isComplete()) {
            return null;
        }
        JsonNode m = Json.read(f.metricsJson());
        Map<Double, Long> stepsTo = new LinkedHashMap<>();
        m.path("steps_to_auc").fields().forEachRemaining(e ->
                stepsTo.put(Double.parseDouble(e.getKey()), e.getValue().isNull() ? null : e.getValue().asLong()));
        List<double[]> rows = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(f.curveCsv());
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split(",", -1);
                rows.add(new double[] {Double.parseDouble(c[0]), c[2].isEmpty() ? Double.NaN : Double.parseDouble(c[2])});
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        double[] steps = rows.stream().mapToDouble(r -> r[0]).toArray();
        double[] val = rows.stream().mapToDouble(r -> r[1]).toArray();
        return new RunResult(run, number(m.path("val").path("auc")), number(m.path("test").path("auc")), stepsTo,
                steps, val);
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
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
