package org.transfusion.study;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.train.ConsoleProgress;
import org.transfusion.engine.train.Trainer;

/**
 * Runs a plan: pretraining first, then every run, skipping the ones already complete in the study folder and
 * resuming interrupted ones, so rerunning a killed study continues where it stopped. Where the runs execute is a
 * {@link RunExecutor}: this JVM, separate processes ({@link RunLauncher}, each with its share of the cores), or a
 * cluster engine.
 */
public final class StudyRunner {
    /** Runs one planned run somewhere else (another JVM); the in-process trainer allows one run at a time. */
    @FunctionalInterface
    public interface RunLauncher {
        void launch(PlannedRun run, int threads) throws Exception;
    }

    private final PrintStream out;
    private final RunExecutor executor;
    private int index;
    private int total;

    /** In this JVM ({@code jobs == 1} or no launcher), else {@code jobs} runs at a time through {@code launcher}. */
    public StudyRunner(PrintStream out, int jobs, RunLauncher launcher) {
        this(out, jobs <= 1 || launcher == null ? inProcess(out) : pool(Math.max(1, jobs), launcher));
    }

    public StudyRunner(PrintStream out, RunExecutor executor) {
        this.out = out;
        this.executor = executor;
    }

    public void run(Plan plan) {
        List<PlannedRun> all = new ArrayList<>(plan.pretrains());
        all.addAll(plan.runs());
        long done = all.stream().filter(r -> new RunFolder(r.folder()).isComplete()).count();
        out.printf(Locale.ROOT, "study %s: %d runs (%d pretraining), %d already complete, %d to do%n",
                plan.spec().name(), all.size(), plan.pretrains().size(), done, all.size() - done);
        index = (int) done;
        total = all.size();
        execute(plan.pretrains());
        execute(plan.runs());
    }

    private void execute(List<PlannedRun> runs) {
        List<PlannedRun> todo = runs.stream().filter(r -> !new RunFolder(r.folder()).isComplete()).toList();
        if (!todo.isEmpty()) {
            executor.execute(todo, this::announce);
        }
    }

    private synchronized void announce(PlannedRun r) {
        out.printf(Locale.ROOT, "[%d/%d] %s%n", ++index, total, r.id());
        out.flush();
    }

    /** One run after another in this JVM, with its progress on {@code out}. */
    public static RunExecutor inProcess(PrintStream out) {
        return (runs, started) -> {
            for (PlannedRun r : runs) {
                started.started(r);
                Trainer.run(r.spec(), new RunFolder(r.folder()), true, new ConsoleProgress(out));
            }
        };
    }

    /** {@code jobs} runs at a time, each through {@code launcher} with its share of this machine's cores. */
    public static RunExecutor pool(int jobs, RunLauncher launcher) {
        return (runs, started) -> {
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
            ExecutorService pool = Executors.newFixedThreadPool(jobs);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (PlannedRun r : runs) {
                    futures.add(pool.submit(() -> {
                        started.started(r);
                        launcher.launch(r, threads);
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("study interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
        };
    }
}
