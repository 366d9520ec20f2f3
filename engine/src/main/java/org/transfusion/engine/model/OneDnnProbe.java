package org.transfusion.engine.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.transfusion.engine.Faults;
import org.transfusion.engine.Versions;
import org.transfusion.engine.io.CacheDir;
import org.transfusion.io.AtomicFiles;

/**
 * Does this machine's oneDNN survive the 1x1 convolutions that crash it on some CPUs ({@link
 * SmallMapConv#crashesOneDnn})? Asked once per machine, in a child JVM — the crash is a SIGFPE inside libtorch that
 * no Java code can catch, so only another process can find out — that runs every such channel pair forward and
 * backward over the small maps and both strides and layouts the networks give them. The answer is kept in the cache
 * ({@code probe/onednn-1x1-KEY.txt}), KEY a hash of what the decision depends on: the CPU as the kernel describes
 * it (model, flags, cache sizes and sharing — oneDNN sizes its blocks from them), the number of CPUs and the
 * libtorch version. A new VM type or a libtorch upgrade asks again.
 *
 * <p>The split that avoids the crash costs resnet50 2-3% (bench/README.md), so it is taken only where needed: when
 * the probe's child died on a signal, when the answer cannot be had (the child did not start or ran into its time
 * limit), or when a crash inside oneDNN's 1x1 blocking was ever logged on this cache ({@code crash/onednn-1x1-crashed},
 * written by scripts/crash-note.sh) — a shape the probe did not cover then still never crashes a second run.
 */
public final class OneDnnProbe {
    /** What the child found. */
    enum Verdict {
        /** Every hazard shape ran: oneDNN's own convolutions are used as they are. */
        SAFE,
        /** The child died on a signal: the hazard shapes are split. */
        CRASHES,
        /** No answer (the child failed to start, failed otherwise or timed out): split, and ask again next time. */
        UNKNOWN
    }

    /** Bumped when the shapes probed change, so that old answers are not trusted for the new question. */
    static final int VERSION = 1;
    /** The marker crash-note.sh leaves in the crash folder when a JVM died inside oneDNN's 1x1 blocking. */
    static final String CRASH_MARKER = "onednn-1x1-crashed";
    private static final long TIMEOUT_S = 180;
    /** The first line of a HotSpot fatal-error report. */
    static final String FATAL = "A fatal error has been detected by the Java Runtime Environment";

    private static volatile Boolean hazardous;

    private OneDnnProbe() {}

    /** Whether the hazard shapes must be split on this machine: probed (or read from the cache) once per process. */
    static boolean hazardous() {
        Boolean h = hazardous;
        if (h == null) {
            synchronized (OneDnnProbe.class) {
                h = hazardous;
                if (h == null) {
                    h = decide(CacheDir.root(), List.of());
                    hazardous = h;
                }
            }
        }
        return h;
    }

    /** {@link #hazardous()} for a given cache, the child getting {@code extraFlags} too (tests: a fault to inject). */
    static boolean decide(Path cache, List<String> extraFlags) {
        Path marker = cache.resolve("crash").resolve(CRASH_MARKER);
        if (Files.exists(marker)) {
            return true;
        }
        return ask(cache, extraFlags) != Verdict.SAFE;
    }

    /** The verdict for this machine: from the cache, else from a child JVM (then cached unless UNKNOWN). */
    static Verdict ask(Path cache, List<String> extraFlags) {
        Path dir = cache.resolve("probe");
        Path answer = dir.resolve("onednn-1x1-" + machineKey() + ".txt");
        Verdict known = read(answer);
        if (known != null) {
            return known;
        }
        try {
            Files.createDirectories(dir);
            // Several JVMs starting at once (study --jobs) ask once between them.
            try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
                known = read(answer);
                if (known != null) {
                    return known;
                }
                System.err.println("transfusion: checking once on this machine that libtorch's oneDNN runs the 1x1 "
                        + "convolutions it crashes on with some CPUs (answer kept in " + answer + ")");
                Verdict v = runChild(dir, extraFlags);
                System.err.println("transfusion: " + switch (v) {
                    case SAFE -> "it does; they run unchanged";
                    case CRASHES -> "it crashed; those convolutions are computed in two halves on this machine";
                    case UNKNOWN -> "no answer (see " + dir.resolve("last-child.log")
                            + "); those convolutions are computed in two halves";
                });
                if (v != Verdict.UNKNOWN) {
                    AtomicFiles.writeString(answer, v.name() + "\n" + machineDescription() + "\n");
                }
                return v;
            }
        } catch (IOException e) {
            System.err.println("transfusion: cannot check oneDNN's 1x1 convolutions (" + e.getMessage()
                    + "); computing the risky ones in two halves");
            return Verdict.UNKNOWN;
        }
    }

    private static Verdict read(Path answer) {
        try {
            String first = Files.readString(answer, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            return first.equals("SAFE") ? Verdict.SAFE : first.equals("CRASHES") ? Verdict.CRASHES : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Verdict runChild(Path dir, List<String> extraFlags) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        // The crash this looks for is expected: its JVM log goes here, not to the user's folder, and no core file.
        cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_probe_pid%p.log"));
        cmd.add("-XX:-CreateCoredumpOnCrash");
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if ((k.startsWith("ai.djl.") || k.startsWith("PYTORCH_") || k.startsWith("DJL_")
                    || k.equals("TRANSFUSION_CACHE")) && !k.contains(" ")) {
                cmd.add("-D" + k + "=" + e.getValue());
            }
        }
        cmd.addAll(extraFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OneDnnProbe.class.getName()));
        Path log = dir.resolve("last-child.log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            return Verdict.UNKNOWN;
        }
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Verdict.UNKNOWN;
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Verdict.UNKNOWN;
        }
        return verdict(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * The child's answer from its exit: 0 after printing "probe ok" is SAFE; a JVM that reported a fatal error (a
     * SIGFPE in native code ends so: exit 1 when, as here, it is told not to dump core, 134 when it aborts) or an
     * exit by signal (128 + n) is CRASHES; anything else (a Java exception, libtorch not loadable) says nothing
     * about oneDNN: UNKNOWN.
     */
    static Verdict verdict(int exit, String output) {
        if (exit == 0 && output.contains("probe ok")) {
            return Verdict.SAFE;
        }
        if (exit > 128 || (exit != 0 && output.contains(FATAL))) {
            return Verdict.CRASHES;
        }
        return Verdict.UNKNOWN;
    }

    /** What the answer depends on, hashed: a short key for the cache file name. */
    static String machineKey() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(machineDescription().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The CPU as Linux describes its first processor (vendor, family, model, stepping, name, flags), its caches as
     * sysfs lists them (level, type, size, which CPUs share each), the CPU count, libtorch's version and {@link
     * #VERSION}. Fields that cannot be read are left out.
     */
    static String machineDescription() {
        StringBuilder b = new StringBuilder();
        b.append("probe ").append(VERSION).append("; libtorch ")
                .append(Versions.provenance().get("libtorch")).append("; cpus ")
                .append(Runtime.getRuntime().availableProcessors()).append('\n');
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            lines.takeWhile(l -> !l.isBlank())
                    .filter(l -> l.startsWith("vendor_id") || l.startsWith("cpu family") || l.startsWith("model")
                            || l.startsWith("stepping") || l.startsWith("flags") || l.startsWith("cache size"))
                    .forEach(l -> b.append(l.replaceAll("\\s+", " ")).append('\n'));
        } catch (IOException | RuntimeException e) {
            b.append("cpuinfo unreadable\n");
        }
        Path caches = Path.of("/sys/devices/system/cpu/cpu0/cache");
        try (Stream<Path> idx = Files.list(caches)) {
            idx.filter(p -> p.getFileName().toString().startsWith("index")).sorted().forEach(p -> {
                b.append("cache");
                for (String f : List.of("level", "type", "size", "shared_cpu_list")) {
                    try {
                        b.append(' ').append(Files.readString(p.resolve(f)).trim());
                    } catch (IOException e) {
                        b.append(" ?");
                    }
                }
                b.append('\n');
            });
        } catch (IOException | RuntimeException e) {
            b.append("caches unreadable\n");
        }
        return b.toString();
    }

    /**
     * Every ordered channel pair of {@link SmallMapConv#crashesOneDnn}, each forward and backward through libtorch's
     * own convolution, on maps of 1 to 8 pixels a side and 14 (resnet50's last two stages at 28 to 448 px input
     * reach these; larger maps take larger row blocks), at strides 1 and 2, channels-last and contiguous.
     */
    static void runHazardShapes() {
        long[][] pairs = {{1024, 2048}, {1024, 512}, {256, 1024}, {512, 1024}, {512, 2048}};
        try (NDManager m = NDManager.newBaseManager()) {
            for (long[] pair : pairs) {
                for (long[] io : new long[][] {pair, {pair[1], pair[0]}}) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray w = step.randomNormal(new Shape(io[1], io[0], 1, 1)).mul(0.01f);
                        w.setRequiresGradient(true);
                        for (int size : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 14}) {
                            for (int stride : new int[] {1, 2}) {
                                for (boolean channelsLast : new boolean[] {true, false}) {
                                    try (NDManager one = step.newSubManager()) {
                                        // Channels-last: an (N, H, W, C) array seen as (N, C, H, W), as batches are.
                                        NDArray x = channelsLast
                                                ? one.randomNormal(new Shape(2, size, size, io[0])).transpose(0, 3, 1, 2)
                                                : one.randomNormal(new Shape(2, io[0], size, size));
                                        x.setRequiresGradient(true);
                                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                            NDArray y = Conv2d.conv2d(x, w, null, new Shape(stride, stride),
                                                    new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
                                            gc.backward(y.sum());
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The child: runs the hazard shapes and says "probe ok"; a crash ends it with the JVM's fatal-error exit. */
    public static void main(String[] args) {
        Faults.at("onednn-probe", 0);
        runHazardShapes();
        System.out.println("probe ok");
        System.out.flush();
    }
}
