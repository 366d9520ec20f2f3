package org.transfusion.study;

import java.util.List;

/**
 * Where a study's runs execute: in this JVM one after another, in a pool of local processes ({@code --jobs N}), or
 * as tasks of a cluster engine ({@code --engine spark}). {@link StudyRunner} hands it one phase at a time (the
 * pretraining runs, then the runs that may use their weights); the runs of a phase are independent of each other.
 */
public interface RunExecutor extends AutoCloseable {
    /** Called as each run starts (or is handed to a worker), for the study's progress lines. */
    @FunctionalInterface
    interface Started {
        void started(PlannedRun run);
    }

    /**
     * Runs every run of one phase and returns when all have ended. Throws if any run failed (after whatever retries
     * the executor makes), naming the runs, once every other run of the phase has ended or been stopped.
     */
    void execute(List<PlannedRun> runs, Started started);

    /** Releases what the executor holds (a pool, a cluster session); the default holds nothing. */
    @Override
    default void close() {}
}
