package org.transfusion.study;

import java.io.PrintStream;
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
     * The file {@link #analyse} writes (atomically, at its end), or empty for an experiment without an analysis:
     * a rerun of the study leaves an analysis alone while that file is newer than every run it covers.
     */
    default java.util.Optional<java.nio.file.Path> analysisFile(Plan plan) {
        return java.util.Optional.empty();
    }

    /** Whether {@link #analyse} still has work to do for a study whose runs are all finished. */
    default boolean needsAnalysis(Plan plan) {
        return false;
    }

    /** The experiment's statements beside the paper's claims, from the finished runs. */
    List<Finding> findings(Results results);

    /** Appends the experiment's report section (and writes any figure or CSV of its own). */
    void section(ReportPage page);
}
