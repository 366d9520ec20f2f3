package org.transfusion.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.eval.Losses;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.TensorSpec;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.train.Optimizer;
import org.transfusion.engine.train.TrainStep;

/**
 * Times one case (model, image size, train or infer) in this process and prints one JSON line: images/s of each
 * repeated measurement and their median, user and system CPU seconds over the measurements, resident memory
 * before and after them and the peak. Training runs {@link TrainStep}, the trainer's own step (forward, loss,
 * backward, Adam update); inference runs the evaluator's forward and softmax. Inputs are seeded random images
 * copied onto the engine every step, as the trainer does with its batches. {@code bench/peer/torch_bench.py}
 * takes the same arguments and prints the same fields for PyTorch; {@code bench/training/run.sh} runs both.
 *
 * <p>With {@code --steps N} it instead runs exactly N steps and records resident memory every
 * {@code --rss-every} steps (the flat-memory check).
 */
public final class TrainingBench {
    /** Clock ticks per second of /proc/self/stat's CPU times on Linux x86-64. */
    private static final int USER_HZ = 100;

    private TrainingBench() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        String model = a.getOrDefault("model", "cbr-small");
        int size = Integer.parseInt(a.getOrDefault("size", "64"));
        String mode = a.getOrDefault("mode", "train");
        int batchSize = Integer.parseInt(a.getOrDefault("batch", "64"));
        int classes = Integer.parseInt(a.getOrDefault("classes", "5"));
        double warmupSeconds = Double.parseDouble(a.getOrDefault("warmup-seconds", "3"));
        int repeats = Integer.parseInt(a.getOrDefault("repeats", "5"));
        double repeatSeconds = Double.parseDouble(a.getOrDefault("repeat-seconds", "2"));
        long fixedSteps = Long.parseLong(a.getOrDefault("steps", "0"));
        int rssEvery = Integer.parseInt(a.getOrDefault("rss-every", "100"));
        if (a.containsKey("memory-format")) {
            System.setProperty("transfusion.memory-format", a.get("memory-format"));
        }
        if (!mode.equals("train") && !mode.equals("infer")) {
            throw new IllegalArgumentException("--mode must be train or infer, not " + mode);
        }

        Architecture arch = ModelRegistry.get(model).build(3, classes, 1.0);
        Task task = new Task("bench", Task.Type.MULTICLASS, classNames(classes), y -> y);
        Batch[] batches = batches(2, batchSize, size, classes);
        try (NDManager root = NDManager.newBaseManager();
             Network net = Network.create(root, arch, RandomInit.of(arch, 0))) {
            Runnable step = mode.equals("train") ? trainer(net, task, batches) : inference(net, task, batches);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tool", "transfusion");
            out.put("engine", "libtorch " + Engine.getInstance().getVersion() + " via DJL");
            out.put("java", System.getProperty("java.runtime.version"));
            out.put("model", model);
            out.put("size", size);
            out.put("mode", mode);
            out.put("batch", batchSize);
            out.put("threads", JniUtils.getNumThreads());
            out.put("interop_threads", JniUtils.getNumInteropThreads());
            out.put("parameters", parameterCount(arch));
            out.put("allocator", allocator());
            out.put("memory_format", BatchArrays.defaultFormat().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            if (a.containsKey("profile")) {
                profile(step, fixedSteps > 0 ? fixedSteps : 10, a.get("profile"), out);
            } else if (fixedSteps > 0) {
                rssTrace(step, fixedSteps, rssEvery, out);
            } else {
                measure(step, batchSize, warmupSeconds, repeats, repeatSeconds, out);
            }
            System.out.println(Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        }
    }

    private static Runnable trainer(Network net, Task task, Batch[] batches) {
        TrainStep train = new TrainStep(net, new Optimizer(OptimizerKind.ADAM, 0f, 1e-4f), task);
        long[] k = {0};
        return () -> {
            float loss = train.run(batches[(int) (k[0]++ % batches.length)], 1e-3f);
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("loss is " + loss);
            }
        };
    }

    private static Runnable inference(Network net, Task task, Batch[] batches) {
        BatchArrays arrays = new BatchArrays();
        long[] k = {0};
        return () -> {
            Batch b = batches[(int) (k[0]++ % batches.length)];
            try (NDManager step = net.manager().newSubManager()) {
                NDArray logits = net.forward(arrays.images(step, b), false);
                Losses.probabilities(task, logits).toFloatArray();
            }
        };
    }

    private static void measure(Runnable step, int batchSize, double warmupSeconds, int repeats,
                                double repeatSeconds, Map<String, Object> out) throws IOException {
        // Warm-up: at least two steps (first-call allocations, oneDNN primitive creation) and warmupSeconds.
        long w0 = System.nanoTime();
        int warm = 0;
        while (warm < 2 || (System.nanoTime() - w0) / 1e9 < warmupSeconds) {
            step.run();
            warm++;
        }
        double perStep = (System.nanoTime() - w0) / 1e9 / warm;
        int stepsPerRepeat = (int) Math.max(1, Math.ceil(repeatSeconds / perStep));
        long[] cpu0 = cpuTicks();
        long rssStart = status("VmRSS");
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < stepsPerRepeat; i++) {
                step.run();
            }
            rates[r] = (double) stepsPerRepeat * batchSize / ((System.nanoTime() - t0) / 1e9);
        }
        long[] cpu1 = cpuTicks();
        double tick = 1.0 / USER_HZ;
        out.put("warmup_steps", warm);
        out.put("steps_per_repeat", stepsPerRepeat);
        out.put("samples", rates);
        out.put("images_per_second", median(rates));
        out.put("user_seconds", (cpu1[0] - cpu0[0]) * tick);
        out.put("sys_seconds", (cpu1[1] - cpu0[1]) * tick);
        out.put("rss_start_mb", rssStart / 1024.0);
        out.put("rss_end_mb", status("VmRSS") / 1024.0);
        out.put("peak_rss_mb", status("VmHWM") / 1024.0);
    }

    /**
     * Runs a few warm-up steps, then {@code steps} steps under libtorch's autograd profiler, and writes its
     * Chrome trace (one event per native operator) to {@code file}; {@code profile_summary.py} sums it per op.
     */
    private static void profile(Runnable step, long steps, String file, Map<String, Object> out) {
        for (int i = 0; i < 5; i++) {
            step.run();
        }
        JniUtils.startProfile(false, true, false);
        long t0 = System.nanoTime();
        for (long s = 0; s < steps; s++) {
            step.run();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        JniUtils.stopProfile(file);
        out.put("steps", steps);
        out.put("seconds", seconds);
        out.put("profile", file);
    }

    private static void rssTrace(Runnable step, long steps, int every, Map<String, Object> out) throws IOException {
        List<long[]> trace = new ArrayList<>();
        long[] cpu0 = cpuTicks();
        long t0 = System.nanoTime();
        for (long s = 1; s <= steps; s++) {
            step.run();
            if (s == 1 || s % every == 0 || s == steps) {
                long rss = status("VmRSS");
                trace.add(new long[] {s, rss / 1024});
                System.err.printf(Locale.ROOT, "step %d  rss %d MB%n", s, rss / 1024);
            }
        }
        long[] cpu1 = cpuTicks();
        double tick = 1.0 / USER_HZ;
        out.put("steps", steps);
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        out.put("user_seconds", (cpu1[0] - cpu0[0]) * tick);
        out.put("sys_seconds", (cpu1[1] - cpu0[1]) * tick);
        out.put("rss_mb_by_step", trace);
        out.put("peak_rss_mb", status("VmHWM") / 1024.0);
    }

    private static Batch[] batches(int n, int batchSize, int size, int classes) {
        Random random = new Random(42);
        Batch[] out = new Batch[n];
        for (int b = 0; b < n; b++) {
            float[] images = new float[batchSize * 3 * size * size];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) random.nextGaussian();
            }
            float[] targets = new float[batchSize];
            for (int i = 0; i < batchSize; i++) {
                targets[i] = random.nextInt(classes);
            }
            out[b] = new Batch(b, batchSize, 3, size, images, targets, 1);
        }
        return out;
    }

    private static List<String> classNames(int classes) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            names.add("class" + i);
        }
        return names;
    }

    private static String allocator() {
        String preload = System.getenv("LD_PRELOAD");
        if (preload == null || preload.isBlank()) {
            return "glibc";
        }
        return Path.of(preload.split(":")[0]).getFileName().toString();
    }

    /** Trainable parameters (weights and biases; batch-norm running statistics are buffers, not parameters). */
    private static long parameterCount(Architecture arch) {
        long n = 0;
        for (TensorSpec spec : arch.specs().values()) {
            if (spec.kind().trainable()) {
                n += spec.size();
            }
        }
        return n;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** utime and stime of this process in clock ticks (/proc/self/stat fields 14 and 15). */
    private static long[] cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state); utime is field 14 -> f[11], stime field 15 -> f[12].
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** A kB field of /proc/self/status (VmRSS, VmHWM). */
    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}
