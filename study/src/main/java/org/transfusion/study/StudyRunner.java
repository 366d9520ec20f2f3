package org.transfusion.study;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.train.ConsoleProgress;
import org.transfusion.engine.train.Progress;
import org.transfusion.engine.train.Trainer;

/**
 * Runs a plan: pretraining first, then every run, skipping the ones already complete in the study folder and
 * resuming interrupted ones, so rerunning a killed study continues where it stopped. With more than one job,
 * runs go to separate processes ({@link RunLauncher}), each with its share of the cores.
 */
public final class StudyRunner {
    /** Runs one planned run somewhere else (another JVM); the in-process trainer allows one run at a time. */
    @FunctionalInterface
    public interface RunLauncher {
        void launch(PlannedRun run, int threads) throws Exception;
    }

    private final PrintStream out;
    private final int jobs;
    private final RunLauncher launcher;

    public StudyRunner(PrintStream out, int jobs, RunLauncher launcher) {
        this.out = out;
        this.jobs = Math.max(1, jobs);
        this.launcher = launcher;
    }

    public void run(Plan plan) {
        List<PlannedRun> all = new ArrayList<>(plan.pretrains());
        all.addAll(plan.runs());
        long done = all.stream().filter(r -> new RunFolder(r.folder()).isComplete()).count();
        out.printf(Locale.ROOT, "study %s: %d runs (%d pretraining), %d already complete, %d to do%n",
                plan.spec().name(), all.size(), plan.pretrains().size(), done, all.size() - done);
        AtomicInteger counter = new AtomicInteger((int) done);
        execute(plan.pretrains(), counter, all.size());
        execute(plan.runs(), counter, all.size());
    }

    private void execute(List<PlannedRun> runs, AtomicInteger counter, int total) {
        List<PlannedRun> todo = runs.stream().filter(r -> !new RunFolder(r.folder()).isComplete()).toList();
        if (jobs == 1 || launcher == null) {
            for (PlannedRun r : todo) {
                announce(r, counter.incrementAndGet(), total);
                Trainer.run(r.spec(), new RunFolder(r.folder()), true, progress());
            }
            return;
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (PlannedRun r : todo) {
                futures.add(pool.submit(() -> {
                    announce(r, counter.incrementAndGet(), total);
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
    }

    private synchronized void announce(PlannedRun r, int index, int total) {
        out.printf(Locale.ROOT, "[%d/%d] %s%n", index, total, r.id());
        out.flush();
    }

    private Progress progress() {
        return new ConsoleProgress(out);
    }
}
