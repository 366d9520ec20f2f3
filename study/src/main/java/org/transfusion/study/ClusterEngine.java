package org.transfusion.study;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A cluster engine a study can hand its runs to ({@code study --engine NAME}), found with {@link java.util.ServiceLoader}
 * so that its jars stay off the core class path until asked for: the Spark module ({@code spark/}) provides
 * {@code spark}. Each run still executes as its own {@link RunProcess}; the engine only decides where and when, and
 * retries what a lost machine interrupted.
 */
public interface ClusterEngine {
    /** The name {@code --engine} selects it by. */
    String name();

    /** A session on the cluster for one study; closed when the study's runs have ended. */
    RunExecutor open(Options options);

    /**
     * What {@code study} passes on: the master URL (null: the engine's own default, e.g. {@code spark-submit}'s),
     * engine settings ({@code --conf KEY=VALUE}), GPUs per run, threads per run (null: the engine decides), where
     * progress goes, and how a planned run becomes a process given its thread count.
     */
    record Options(String master, Map<String, String> conf, int gpusPerRun, Integer threadsPerRun, PrintStream log,
                   BiFunction<PlannedRun, Integer, RunProcess> process) {}
}
