package org.transfusion.study;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.transfusion.engine.run.RunContext;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.train.ConsoleProgress;
import org.transfusion.engine.train.DivergedException;
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
        this(out, jobs, launcher, RunContext.fromEnvironment());
    }

    /** {@link #StudyRunner(PrintStream, int, RunLauncher)}, the runs in this JVM in {@code context}. */
    public StudyRunner(PrintStream out, int jobs, RunLauncher launcher, RunContext context) {
        this(out, jobs <= 1 || launcher == null ? inProcess(out, context) : pool(Math.max(1, jobs), launcher));
    }

    public StudyRunner(PrintStream out, RunExecutor executor) {
        this.out = out;
        this.executor = executor;
    }

    public void run(Plan plan) {
        List<PlannedRun> all = new ArrayList<>(plan.pretrains());
        all.addAll(plan.runs());
        long done = all.stream().filter(StudyRunner::ended).count();
        long failed = all.stream().filter(r -> new RunFolder(r.folder()).isFailed()).count();
        out.printf(Locale.ROOT, "study %s: %d runs (%d pretraining), %d already complete%s, %d to do%n",
                plan.spec().name(), all.size(), plan.pretrains().size(), done - failed,
                failed > 0 ? " and " + failed + " failed" : "", all.size() - done);
        index = (int) done;
        total = all.size();
        execute(plan.pretrains(), true);
        execute(plan.runs(), false);
        List<PlannedRun> failedRuns = failed(plan.runs());
        if (!failedRuns.isEmpty()) {
            out.printf(Locale.ROOT, "study %s: %d run(s) failed (diverged or collapsed) and are left out of every "
                    + "verdict; the report lists them:%n", plan.spec().name(), failedRuns.size());
            failedRuns.forEach(r -> out.println("  " + r.id() + ": " + new RunFolder(r.folder()).failure()));
        }
    }

    /** Whether a run has ended for good: complete, or failed (diverged or collapsed: the same on every attempt). */
    static boolean ended(PlannedRun r) {
        RunFolder f = new RunFolder(r.folder());
        return f.isComplete() || f.isFailed();
    }

    /** The runs among {@code runs} that failed ({@code failed.json}). */
    static List<PlannedRun> failed(List<PlannedRun> runs) {
        return runs.stream().filter(r -> new RunFolder(r.folder()).isFailed()).toList();
    }

    /**
     * Runs the phase's runs not yet ended. A run that diverged is a result of the study (reported as failed, kept out
     * of the verdicts), so the phase goes on past it; any other failure, or a failed pretraining (whose weights the
     * runs after it need), stops the study.
     */
    private void execute(List<PlannedRun> runs, boolean pretraining) {
        List<PlannedRun> todo = runs.stream().filter(r -> !ended(r)).toList();
        if (todo.isEmpty()) {
            return;
        }
        try {
            executor.execute(todo, this::announce);
        } catch (RuntimeException e) {
            if (!todo.stream().allMatch(StudyRunner::ended)) {
                throw e; // a run neither complete nor failed: not a divergence
            }
        }
        if (pretraining && !failed(todo).isEmpty()) {
            PlannedRun r = failed(todo).get(0);
            throw new DivergedException("pretraining " + r.id() + " failed: " + new RunFolder(r.folder()).failure()
                    + "; the runs that start from its weights cannot run (change the pretraining's settings)");
        }
    }

    private synchronized void announce(PlannedRun r) {
        out.printf(Locale.ROOT, "[%d/%d] %s%n", ++index, total, r.id());
        out.flush();
    }

    /** One run after another in this JVM in {@code context} (its device), with its progress on {@code out}. */
    public static RunExecutor inProcess(PrintStream out, RunContext context) {
        return (runs, started) -> {
            DivergedException first = null;
            for (PlannedRun r : runs) {
                started.started(r);
                try {
                    Trainer.run(r.spec(), new RunFolder(r.folder()), true, new ConsoleProgress(out), context);
                } catch (DivergedException e) {
                    out.println("run " + r.id() + " failed: " + e.getMessage());
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        };
    }

    /**
     * Each run as its own JVM ({@link RunProcess}, {@code train --spec}) on this JVM's class path, ending with this
     * JVM: libtorch's autograd allows one training loop per process, so {@code --jobs N} runs N of these. Each is
     * given {@code device} on its command line (null: the child's environment decides, as this JVM's would).
     */
    public static RunLauncher childProcesses(String device) {
        return (r, threads) -> RunProcess.of(r, threads, System.getProperty("java.class.path"), device)
                .runHere(ProcessHandle.current().pid());
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
                // Every run of the phase ends before the first failure is thrown (the RunExecutor contract): a run that
                // diverged does not stop the others.
                Throwable first = null;
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        first = first == null ? e.getCause() : first;
                    }
                }
                if (first != null) {
                    throw first instanceof RuntimeException re ? re : new IllegalStateException(first);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("study interrupted", e);
            } finally {
                pool.shutdownNow();
            }
        };
    }
}
