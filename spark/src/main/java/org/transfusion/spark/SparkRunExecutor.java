package org.transfusion.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.TaskInfo;
import org.transfusion.study.ClusterEngine;
import org.transfusion.study.RunProcess;
import org.transfusion.engine.train.DivergedException;
import org.transfusion.error.BadInputException;
import org.transfusion.study.PlannedRun;
import org.transfusion.study.RunExecutor;

/**
 * A study's runs as Spark tasks: one Spark job per phase (the pretraining runs, then the rest), one partition and so
 * one task per run, each task starting its run's own JVM on its executor ({@link RunTask}). Spark only schedules:
 * the run folders live on a file system every node shares (the study folder's path, the same on all of them), and
 * a retried task resumes its run from the folder's last checkpoint. Settings that make this safe are set unless the
 * user sets them: no speculation (two attempts of one run at once), no locality wait (there is no data locality),
 * {@code spark.task.maxFailures=3}, and in local mode one task slot per run with {@code cores / N} threads each.
 */
public final class SparkRunExecutor implements RunExecutor {
    private static final Pattern LOCAL = SparkSettings.LOCAL;

    private final ClusterEngine.Options options;
    private final JavaSparkContext sc;
    private final int threads;
    private final String master;
    /** The runs of each job (by its group id), then of each stage: how listener events are told apart. */
    private final Map<String, List<PlannedRun>> jobs = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, List<PlannedRun>> stages = new java.util.concurrent.ConcurrentHashMap<>();
    private int phase;
    private volatile Started started = r -> { };

    SparkRunExecutor(ClusterEngine.Options options) {
        this.options = options;
        SparkConf conf = new SparkConf(true); // spark.* system properties too: what spark-submit passes
        // Checked before a SparkContext exists and before the study writes anything: one line each, exit 2.
        SparkSettings.conf(options.conf());
        if (options.master() != null) {
            conf.setMaster(SparkSettings.master("--master", options.master()));
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        options.conf().forEach(conf::set);
        master = SparkSettings.master(options.master() != null ? "--master" : "spark.master", conf.get("spark.master"));
        Matcher local = LOCAL.matcher(master);
        int cores = Runtime.getRuntime().availableProcessors();
        if (local.matches()) {
            int slots = local.group(1) == null ? 1 : local.group(1).equals("*") ? cores
                    : Integer.parseInt(local.group(1));
            threads = options.threadsPerRun() != null ? options.threadsPerRun() : Math.max(1, cores / slots);
            conf.setIfMissing("spark.ui.enabled", "false");
            // local[N] is N task slots of one core each; the runs' threads are set apart from Spark's count.
            conf.setIfMissing("spark.task.cpus", "1");
            if (options.gpusPerRun() > 0) {
                throw new BadInputException("--gpus-per-run needs a cluster master (spark://HOST:7077, yarn, k8s://...): "
                        + "Spark does not schedule GPUs in local mode; on one multi-GPU machine start a one-node "
                        + "standalone cluster (docs/scaling.md, \"Studies on Spark\")");
            }
        } else {
            threads = options.threadsPerRun() != null ? options.threadsPerRun() : options.gpusPerRun() > 0 ? 1 : 4;
            conf.setIfMissing("spark.task.cpus", Integer.toString(threads));
        }
        conf.setIfMissing("spark.app.name", "transfusion study");
        conf.setIfMissing("spark.speculation", "false");
        conf.setIfMissing("spark.locality.wait", "0s");
        conf.setIfMissing("spark.task.maxFailures", "3");
        if (options.gpusPerRun() > 0) {
            conf.set("spark.task.resource.gpu.amount", Integer.toString(options.gpusPerRun()));
            conf.setIfMissing("spark.executor.resource.gpu.amount", Integer.toString(options.gpusPerRun()));
        }
        if (!local.matches()) {
            shipOwnClasses(conf);
        }
        sc = new JavaSparkContext(conf);
        sc.sc().addSparkListener(new Progress());
        options.log().printf(Locale.ROOT, "spark: master %s, application %s, %d thread(s) per run%s%n", master,
                sc.sc().applicationId(), threads, options.gpusPerRun() > 0 ? ", " + options.gpusPerRun()
                        + " GPU(s) per run" : "");
    }

    /**
     * Executors need this module's task class and the CLI's {@link RunProcess}, and the classes RunProcess's
     * signature names (the study's {@link PlannedRun}, base's AtomicFiles): shipped as jars (spark.jars) from an
     * installation, or, from a build tree on a machine whose executors share its file system (tests), put on their
     * class path directly. An executor never loads the engine or libtorch: the runs' own JVMs do.
     */
    private static void shipOwnClasses(SparkConf conf) {
        Set<String> jars = new LinkedHashSet<>();
        Set<String> dirs = new LinkedHashSet<>();
        for (Class<?> c : List.of(RunTask.class, RunProcess.class, PlannedRun.class,
                org.transfusion.io.AtomicFiles.class)) {
            Path where;
            try {
                where = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            (Files.isDirectory(where) ? dirs : jars).add(where.toString());
        }
        if (!jars.isEmpty()) {
            String have = conf.get("spark.jars", "");
            conf.set("spark.jars", (have.isEmpty() ? "" : have + ",") + String.join(",", jars));
        }
        if (!dirs.isEmpty()) {
            String have = conf.get("spark.executor.extraClassPath", "");
            conf.set("spark.executor.extraClassPath", (have.isEmpty() ? "" : have + java.io.File.pathSeparator)
                    + String.join(java.io.File.pathSeparator, dirs));
        }
    }

    @Override
    public void execute(List<PlannedRun> runs, Started started) {
        List<RunTask> tasks = new ArrayList<>();
        for (PlannedRun r : runs) {
            tasks.add(new RunTask(options.process().apply(r, threads)));
        }
        String group = "transfusion-phase-" + (++phase);
        jobs.put(group, List.copyOf(runs));
        this.started = started;
        sc.setJobGroup(group, runs.size() + " run(s): " + runs.get(0).id() + (runs.size() > 1 ? " ..." : ""), true);
        List<RunTask.Outcome> outcomes;
        try {
            outcomes = sc.parallelize(tasks, tasks.size()).map(RunTask::call).collect();
        } catch (RuntimeException e) {
            RuntimeException failure = failure(e, shuttingDown(), options.log());
            if (failure == null) {
                awaitExit();
            }
            throw failure;
        }
        List<RunTask.Outcome> failed = outcomes.stream().filter(o -> o.exit() != 0).toList();
        if (failed.isEmpty()) {
            return;
        }
        StringBuilder why = new StringBuilder();
        for (RunTask.Outcome f : failed) {
            why.append("\n  ").append(f.id()).append(": exit ").append(f.exit()).append(" (")
                    .append(f.exit() == 2 ? "bad input" : "diverged").append("), not retried: ").append(f.message());
        }
        String message = failed.size() + " run(s) failed the same way any attempt would; the other runs of this phase "
                + "finished:" + why;
        if (failed.stream().anyMatch(f -> f.exit() == 2)) {
            throw new BadInputException(message);
        }
        throw new DivergedException(message);
    }

    /**
     * What a failed Spark job means. While the JVM shuts down (SIGTERM, Ctrl-C) Spark's own hook stops the context
     * and fails the running job: that is no failure of a run, so it is one line on {@code log} and null (the caller
     * waits for the exit, 143 after SIGTERM, as the local engine's); otherwise the exception to throw.
     */
    static RuntimeException failure(RuntimeException e, boolean shuttingDown, java.io.PrintStream log) {
        if (shuttingDown) {
            synchronized (log) {
                log.println("spark: stopped by a signal; every run's folder keeps its last checkpoint: rerun the study "
                        + "to resume");
                log.flush();
            }
            return null;
        }
        return new IllegalStateException("a run failed on every attempt Spark made (spark.task.maxFailures): "
                + cause(e) + "; its folder keeps its last checkpoint: rerun the study to resume it", e);
    }

    /** Whether the JVM is shutting down: it then refuses new shutdown hooks. */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Blocks this thread until the JVM, already shutting down, halts: nothing more is printed from here. */
    private static void awaitExit() {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException ignored) {
                // keep waiting: the JVM ends this thread when its shutdown hooks are done
            }
        }
    }

    /** The line of a Spark job failure that says which run failed and how (the task's own exception message). */
    static String cause(Throwable e) {
        String m = String.valueOf(e.getMessage());
        for (String line : m.split("\n")) {
            int at = line.indexOf("run ");
            if (line.contains("IllegalStateException") && at >= 0) {
                return line.substring(at).strip();
            }
        }
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public void close() {
        sc.stop();
    }

    /** The driver's progress lines: each run as it starts, each retry and why, each run's end. */
    private final class Progress extends SparkListener {
        @Override
        public void onJobStart(SparkListenerJobStart e) {
            String group = e.properties() == null ? null : e.properties().getProperty("spark.jobGroup.id");
            List<PlannedRun> runs = group == null ? null : jobs.get(group);
            if (runs != null) {
                for (Object stage : scala.jdk.javaapi.CollectionConverters.asJava(e.stageIds())) {
                    stages.put((Integer) stage, runs);
                }
            }
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart e) {
            PlannedRun r = run(e.stageId(), e.taskInfo());
            if (r == null) {
                return;
            }
            if (e.taskInfo().attemptNumber() == 0) {
                started.started(r);
            } else {
                say("%s: attempt %d on %s (resumes from its last checkpoint)", r.id(), e.taskInfo().attemptNumber(),
                        e.taskInfo().host());
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            PlannedRun r = run(e.stageId(), e.taskInfo());
            if (r == null) {
                return;
            }
            if (e.reason() instanceof TaskFailedReason f) {
                String reason = f.toErrorString().lines().findFirst().orElse("");
                say("%s: attempt %d on %s failed: %s", r.id(), e.taskInfo().attemptNumber(), e.taskInfo().host(),
                        reason);
            } else {
                say("%s: done (attempt %d on %s, %.0f s)", r.id(), e.taskInfo().attemptNumber(), e.taskInfo().host(),
                        e.taskInfo().duration() / 1000.0);
            }
        }

        private PlannedRun run(int stage, TaskInfo info) {
            List<PlannedRun> runs = stages.get(stage);
            return runs != null && info.index() < runs.size() ? runs.get(info.index()) : null;
        }

        private void say(String format, Object... args) {
            synchronized (options.log()) {
                options.log().printf(Locale.ROOT, "spark: " + format + "%n", args);
                options.log().flush();
            }
        }
    }
}
