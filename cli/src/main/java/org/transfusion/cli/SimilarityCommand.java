package org.transfusion.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;
import org.transfusion.similarity.Activations;
import org.transfusion.similarity.ConvMode;
import org.transfusion.similarity.Method;
import org.transfusion.similarity.Similarity;
import org.transfusion.similarity.SimilarityOptions;
import org.transfusion.similarity.SimilarityReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code transfusion similarity A.npy B.npy}: CCA, SVCCA, PWCCA and CKA between two layers' activations. */
@Command(
        name = "similarity",
        mixinStandardHelpOptions = true,
        description = {
            "Computes the representation similarity of two activation files and prints it as JSON.",
            "Each .npy holds one layer's activations on the same data points in the same order: 2-D (points, neurons)"
                    + " or 4-D (N, C, H, W) conv activations, folded to (N*H*W, C) or pooled to (N, C).",
        })
public final class SimilarityCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "A.npy", description = "Activations of the first layer.")
    Path first;

    @Parameters(index = "1", paramLabel = "B.npy", description = "Activations of the second layer.")
    Path second;

    @Option(names = "--method", defaultValue = "all", paramLabel = "METHOD",
            description = "cca, svcca, pwcca, cka-linear, cka-rbf or all; a comma-separated list for several"
                    + " (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--keep-variance", defaultValue = "0.99", paramLabel = "F",
            description = "SVCCA: fraction of variance the kept singular directions explain (default: ${DEFAULT-VALUE}).")
    double keepVariance;

    @Option(names = "--conv", defaultValue = "flatten", paramLabel = "MODE",
            description = "4-D activations: flatten (every spatial position is a data point) or pool (average over"
                    + " space) (default: ${DEFAULT-VALUE}).")
    String conv;

    @Option(names = "--max-points", defaultValue = "0", paramLabel = "N",
            description = "Use at most N data points, chosen at random with --seed (0: all, the default).")
    int maxPoints;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "Seed of the data-point subsample (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Also write the coefficients as CSV (method,index,value).")
    Path csv;

    @Option(names = "--debiased", description = "CKA: use the unbiased HSIC estimator.")
    boolean debiased;

    @Option(names = "--sigma-fraction", defaultValue = "0.5", paramLabel = "F",
            description = "RBF CKA: bandwidth as a fraction of the median pairwise distance (default: ${DEFAULT-VALUE}).")
    double sigmaFraction;

    @Option(names = "--rbf-max-points", defaultValue = "5000", paramLabel = "N",
            description = "RBF CKA: its n x n kernels use at most N data points, subsampled with --seed"
                    + " (default: ${DEFAULT-VALUE}).")
    int rbfMaxPoints;

    @Option(names = "--timings",
            description = "Also print to standard error how long each stage took: the JVM's start to the command"
                    + " (class loading, option parsing), reading and checking the two files (at once), waiting for"
                    + " what is left of loading OpenBLAS (it loads in the background from the start), computing,"
                    + " printing.")
    boolean timings;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * Called by {@link Main#main} before picocli parses anything: when these arguments run this command (not its
     * help), starts loading OpenBLAS in the background at once, so that the load (about 0.2 s) overlaps the option
     * parsing as well as the reading of the files. Returns whether it started. Not from {@link Main#execute}: in a
     * process where other threads may be using javacpp (tests), a load racing them is not safe.
     */
    static boolean startEarly(String[] args) {
        if (args.length == 0 || !args[0].equals("similarity")) {
            return false;
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
        }
        Similarity.prepareInBackground();
        return true;
    }

    /**
     * Every measure on a small pair of made-up activations (20 x 3 and 20 x 2), for the launcher's class-sharing
     * archive to hold the classes a {@code similarity} start loads (see {@link Main#ARCHIVE_TRAINING_PROPERTY}).
     */
    static void exerciseForArchive() {
        double[] a = new double[20 * 3];
        double[] b = new double[20 * 2];
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 3; j++) {
                a[i * 3 + j] = Math.sin(1.0 + i * (j + 1));
            }
            b[i * 2] = a[i * 3] + 0.5 * Math.cos(i);
            b[i * 2 + 1] = a[i * 3 + 1] * a[i * 3 + 2];
        }
        Similarity.compute(Activations.of(a, 20, 3), Activations.of(b, 20, 2), Method.parse("all"),
                SimilarityOptions.defaults()).toJson();
    }

    /** Waits for the load {@link #startEarly} started, whether or not it succeeded (the command reported that). */
    static void awaitEarlyStart() {
        try {
            Similarity.prepare();
        } catch (RuntimeException | LinkageError e) {
            // the command itself failed on it, or never needed it
        }
    }

    @Override
    public Integer call() {
        if (maxPoints < 0) {
            throw new BadInputException("--max-points: expected 0 (all) or a positive number, got " + maxPoints);
        }
        long entered = System.nanoTime();
        Similarity.prepareInBackground();
        SimilarityOptions options = new SimilarityOptions(keepVariance, sigmaFraction, debiased, rbfMaxPoints, seed);
        var methods = Method.parse(method);
        ConvMode mode = convMode(conv);
        // the two files are read and checked at once, the second on a thread of its own and the first on this one
        // (the common pool has a single thread on a 2-core machine, which would take them in turn), while OpenBLAS
        // loads on a third; then this thread waits for whichever is still under way
        CompletableFuture<Activations> readSecond = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                readSecond.complete(Activations.fromNpy(second, mode, maxPoints, seed));
            } catch (Throwable t) {
                readSecond.completeExceptionally(t);
            }
        }, "similarity-read");
        reader.setDaemon(true);
        reader.start();
        Activations a = Activations.fromNpy(first, mode, maxPoints, seed);
        Activations b = joined(readSecond);
        long read = System.nanoTime();
        Similarity.prepare();
        long prepared = System.nanoTime();
        SimilarityReport report = Similarity.compute(a, b, methods, options);
        long computed = System.nanoTime();
        if (csv != null) {
            writeAtomically(csv, report.toCsv());
        }
        spec.commandLine().getOut().print(report.toJson());
        spec.commandLine().getOut().flush();
        if (timings) {
            spec.commandLine().getErr().println(timingLine(entered, read, prepared, computed, System.nanoTime()));
        }
        return 0;
    }

    /**
     * The stages as one JSON line of seconds. {@code jvm_start_s} is the JVM's own uptime when the command began
     * (from the JVM's creation: class loading, picocli's parsing); what the launcher script and process creation took
     * before that, and the JVM's exit after, are not in the line (a caller's wall clock minus the stages).
     */
    static String timingLine(long entered, long read, long prepared, long computed, long printed) {
        double uptimeNow = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        return String.format(Locale.ROOT,
                "{\"timings\": {\"jvm_start_s\": %.3f, \"openblas_load_s\": %.3f, \"read_wait_s\": %.3f,"
                        + " \"compute_s\": %.3f, \"print_s\": %.3f}}",
                uptimeNow - (System.nanoTime() - entered) / 1e9, (prepared - read) / 1e9, (read - entered) / 1e9,
                (computed - prepared) / 1e9, (printed - computed) / 1e9);
    }

    /** The value of a finished task, or the exception it failed with, unwrapped. */
    private static <T> T joined(CompletableFuture<T> task) {
        try {
            return task.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static ConvMode convMode(String name) {
        try {
            return ConvMode.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--conv: expected flatten or pool, got '" + name + "'");
        }
    }

    private static void writeAtomically(Path path, String text) {
        AtomicFiles.writeString(path, text);
    }
}
