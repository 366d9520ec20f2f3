package org.transfusion.engine.train;

/** Receives a run's progress; the CLI draws a progress line, a study aggregates many runs. */
public interface Progress {
    Progress SILENT = new Progress() {};

    /** After each gradient step. */
    default void step(long step, long total, double loss, double imagesPerSecond, double secondsLeft,
                      double bestAuc) {}

    /** After each validation. */
    default void evaluated(long step, double valAuc, double valLoss) {}

    /**
     * The name of the validation metric that {@link #evaluated} and {@code bestAuc} report, told once before the
     * first step: "AUC", or "Dice" for a segmentation (which picks its weights by it).
     */
    default void metric(String name) {}

    /** A one-line notice (start, resume, end). */
    default void note(String message) {}
}
