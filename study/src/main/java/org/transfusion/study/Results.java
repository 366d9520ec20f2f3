package org.transfusion.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The finished runs of a plan, looked up by model, scheme, training-set size and seed. */
final class Results {
    private final Plan plan;
    private final Map<String, RunResult> byId = new LinkedHashMap<>();

    Results(Plan plan) {
        this.plan = plan;
        for (PlannedRun r : plan.runs()) {
            RunResult result = RunResult.load(r);
            if (result != null) {
                byId.put(r.id(), result);
            }
        }
    }

    StudySpec spec() {
        return plan.spec();
    }

    Plan plan() {
        return plan;
    }

    List<RunResult> all() {
        return new ArrayList<>(byId.values());
    }

    RunResult get(String model, String scheme, Integer subset, long seed) {
        return byId.get(Plan.id(model, scheme, subset, seed));
    }

    /** Test AUCs over the study's seeds (NaN where a run is missing). */
    double[] testAucs(String model, String scheme, Integer subset) {
        List<Long> seeds = plan.spec().seeds();
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            RunResult r = get(model, scheme, subset, seeds.get(i));
            out[i] = r == null ? Double.NaN : r.testAuc();
        }
        return out;
    }

    /** Steps to the threshold of every finished run of (model, scheme) on all data. */
    double[] steps(String model, String scheme, double threshold) {
        List<Double> v = new ArrayList<>();
        for (long seed : plan.spec().seeds()) {
            RunResult r = get(model, scheme, null, seed);
            if (r != null) {
                v.add(r.stepsTo(threshold));
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The highest threshold that every random-init run of the model reached (so that "steps to reach it" is
     * defined for the baseline); the lowest threshold when none is; NaN when there are no random runs.
     */
    double commonThreshold(String model, List<Double> thresholds) {
        double[] first = steps(model, "random", thresholds.get(0));
        if (first.length == 0) {
            return Double.NaN;
        }
        double best = thresholds.get(0);
        for (double t : thresholds) {
            boolean all = true;
            for (double s : steps(model, "random", t)) {
                all &= !Double.isInfinite(s);
            }
            if (all && t > best) {
                best = t;
            }
        }
        return best;
    }
}
