package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import org.transfusion.engine.run.RunFolder;
import java.util.List;

/**
 * One experiment of the study, as a unit: the runs it needs, the analyses it makes of them, what it finds beside
 * the paper's claims, and its section of the report. The report ({@link Report}) is only the page around the
 * sections; {@link Experiments#of} lists a spec's experiments in the order the page shows them.
 */
interface Experiment {
    /**
     * Adds the runs this experiment needs for one model and seed ({@link Plan#add} plans a run shared with another
     * experiment once). Most experiments are per model and seed.
     */
    default void plan(Plan plan, String model, long seed) {}

    /** Adds runs this experiment needs once per study, not per model (e.g. one model's transfusion sweep). */
    default void planOnce(Plan plan) {}

    /** Analyses over the finished runs, saved under the study's analysis folder (most experiments have none). */
    default void analyse(Plan plan, PrintStream log) {}

    /**
     * The file {@link #analyse} writes (atomically, at its end), or empty for an experiment without an analysis.
     */
    default Optional<Path> analysisFile(Plan plan) {
        return Optional.empty();
    }

    /** The runs the analysis reads (by default every run of the study). */
    default List<PlannedRun> analysedRuns(Plan plan) {
        return plan.runs();
    }

    /** Every model's random and pretrained full-data runs, per seed: what transfer-against-random analyses read. */
    static List<PlannedRun> randomAndPretrained(Plan plan) {
        List<PlannedRun> out = new java.util.ArrayList<>();
        for (String model : plan.spec().models()) {
            for (long seed : plan.spec().seeds()) {
                out.add(plan.run(model, "random", null, seed));
                out.add(plan.run(model, "pretrained", null, seed));
            }
        }
        return out;
    }

    /**
     * Whether {@link #analyse} has work to do: its runs are all finished and its file is missing or older than one
     * of them or of the study's pretrainings ({@link Study#upToDate}), so a rerun of a finished study keeps analyses
     * that take minutes (the forgetting probes: ~25 minutes at quick scale) and redoes one a retrained run made stale.
     */
    default boolean needsAnalysis(Plan plan) {
        return analysisFile(plan).map(f -> !Study.upToDate(f, analysedRuns(plan), plan.pretrains())
                && analysedRuns(plan).stream().allMatch(r -> new RunFolder(r.folder()).isComplete()))
                .orElse(false);
    }

    /** The experiment's statements beside the paper's claims, from the finished runs. */
    List<Finding> findings(Results results);

    /** Appends the experiment's report section (and writes any figure or CSV of its own). */
    void section(ReportPage page);

    /**
     * Appends what the experiment answers at the top of the report, before the claims (the practitioner study's
     * one-page answer); most experiments have nothing there.
     */
    default void answer(ReportPage page) {}
}
