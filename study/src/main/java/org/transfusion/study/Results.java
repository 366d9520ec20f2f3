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

    /** Given results, for tests of the verdicts without training (each keyed by its run's id). */
    Results(Plan plan, List<RunResult> given) {
        this.plan = plan;
        given.forEach(r -> byId.put(r.run().id(), r));
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

    /** The test AUC of one output ({@code output}: a label or class name) over the study's seeds (NaN where missing). */
    double[] testAucs(String model, String scheme, Integer subset, String output) {
        List<Long> seeds = plan.spec().seeds();
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            RunResult r = get(model, scheme, subset, seeds.get(i));
            Double v = r == null || r.testAucPerOutput() == null ? null : r.testAucPerOutput().get(output);
            out[i] = v == null ? Double.NaN : v;
        }
        return out;
    }

    /**
     * The outputs (labels or classes) the runs of {@code model} under {@code scheme} report a test AUC for, in their
     * order; empty for a single-output task.
     */
    List<String> outputs(String model, String scheme, Integer subset) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (long seed : plan.spec().seeds()) {
            RunResult r = get(model, scheme, subset, seed);
            if (r != null && r.testAucPerOutput() != null && r.testAucPerOutput().size() > 1) {
                out.addAll(r.testAucPerOutput().keySet());
            }
        }
        return new ArrayList<>(out);
    }

    /** A segmentation's pooled test Dice per seed (NaN where a run is missing or not a segmentation). */
    double[] testDices(String model, String scheme) {
        List<Long> seeds = spec().seeds();
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            RunResult r = get(model, scheme, null, seeds.get(i));
            out[i] = r == null ? Double.NaN : r.testDice();
        }
        return out;
    }

    /**
     * Steps to the threshold per seed of the study for (model, scheme) on all data: infinity where the run never
     * reached it, NaN where the run is missing — aligned by seed, so that two schemes' arrays pair up.
     */
    double[] steps(String model, String scheme, double threshold) {
        List<Long> seeds = plan.spec().seeds();
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            RunResult r = get(model, scheme, null, seeds.get(i));
            out[i] = r == null ? Double.NaN : r.stepsTo(threshold);
        }
        return out;
    }

    /** The longest run of {@code model} (any scheme, all data): the step count a never-reached threshold is given. */
    double runLength(String model) {
        return byId.values().stream().filter(r -> r.run().model().equals(model) && r.run().trainSubset() == null)
                .mapToLong(RunResult::length).max().orElse(0);
    }

    /**
     * The first validation step of {@code model}'s full-data runs (the smallest step any of them could record a
     * threshold at), or 0 when none has a curve: a run that reaches a threshold there reached it at some step up to
     * it, and two runs that both did cannot be told apart (see {@link Findings.PairedSteps}).
     */
    double firstValidation(String model) {
        return byId.values().stream().filter(r -> r.run().model().equals(model) && r.run().trainSubset() == null
                && r.steps().length > 0).mapToDouble(r -> r.steps()[0]).min().orElse(0);
    }

    /** The pretraining run of {@code model} in this study, finished, or null. */
    RunResult pretraining(String model) {
        return plan.pretrains().stream().filter(p -> p.model().equals(model)).findFirst().map(RunResult::load)
                .orElse(null);
    }
}
