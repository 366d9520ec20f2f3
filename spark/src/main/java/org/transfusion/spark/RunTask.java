package org.transfusion.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.transfusion.study.RunProcess;

/**
 * One run as one Spark task, on whichever executor Spark chose: starts the run's own JVM there (as {@code --jobs}
 * does locally), tells it its attempt number and the GPU Spark assigned, and waits. A run that ends with bad input
 * (exit 2) or diverges (exit 3) would do the same on every attempt, so the task returns that outcome instead of
 * failing; any other end (a crash, a kill, a lost lease) fails the task, Spark retries it, and the next attempt's
 * run resumes from the folder's last checkpoint. If Spark kills the task, the run's JVM is killed with it (and a run
 * whose executor JVM vanished stops by itself: it watches its parent).
 */
public final class RunTask implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RunProcess run;

    public RunTask(RunProcess run) {
        this.run = run;
    }

    public String id() {
        return run.id();
    }

    public Outcome call() throws Exception {
        TaskContext ctx = TaskContext.get();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRANSFUSION_ATTEMPT", Integer.toString(attempt));
        List<String> gpus = gpus(ctx);
        if (!gpus.isEmpty()) {
            String ids = String.join(",", gpus);
            env.put("TRANSFUSION_GPU_ADDRESS", ids);
            env.put("CUDA_VISIBLE_DEVICES", ids); // the run's cuda:0 is the GPU Spark gave this task
        }
        Process p = run.start(ProcessHandle.current().pid(), env);
        if (ctx != null) {
            ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> p.destroyForcibly());
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw e;
        }
        if (exit == 0) {
            return new Outcome(run.id(), 0, attempt, host(), String.join(",", gpus), "");
        }
        String tail = lastLines(Path.of(run.log()), 3);
        if (org.transfusion.error.ExitCode.deterministic(exit)) {
            return new Outcome(run.id(), exit, attempt, host(), String.join(",", gpus), tail);
        }
        throw new IllegalStateException("run " + run.id() + " attempt " + attempt + " on " + host() + " ended with exit "
                + exit + (tail.isEmpty() ? "" : ": " + tail) + " (see " + run.log() + ")");
    }

    private static List<String> gpus(TaskContext ctx) {
        if (ctx == null) {
            return List.of();
        }
        ResourceInformation gpu = ctx.resourcesJMap().get("gpu");
        return gpu == null ? List.of() : List.of(gpu.addresses());
    }

    static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** The last {@code n} non-blank lines of a run's log, joined: what a user sees of a failed run on the driver. */
    static String lastLines(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
                    .toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size())).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** How a run's task ended: exit 0, or a deterministic failure (2, 3) with the end of its log. */
    public record Outcome(String id, int exit, int attempt, String host, String gpus, String message)
            implements Serializable {}
}
