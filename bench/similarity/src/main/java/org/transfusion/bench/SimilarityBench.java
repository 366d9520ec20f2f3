package org.transfusion.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.transfusion.similarity.Activations;
import org.transfusion.similarity.Cca;
import org.transfusion.similarity.Cka;
import org.transfusion.similarity.Method;
import org.transfusion.similarity.Pwcca;
import org.transfusion.similarity.Similarity;
import org.transfusion.similarity.SimilarityOptions;
import org.transfusion.similarity.Svcca;

/**
 * Wall-clock timings of the linear similarity measures on large random activation pairs; prints a table.
 *
 * <p>The pair shares a low-dimensional signal (so the correlations are not all tiny) and has positive means
 * like ReLU activations. Each measure runs from the raw activations, covariance pass included.
 */
public final class SimilarityBench {

    private SimilarityBench() {}

    public static void main(String[] args) {
        List<int[]> sizes = List.of(new int[] {10_000, 512}, new int[] {50_000, 256}, new int[] {10_000, 2048});
        int repeats = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = parseSizes(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --sizes NxP[,NxP...] or --repeats R)");
            }
        }
        System.out.printf(Locale.ROOT, "Java %s, %d cores, threads %s; best of %d after a warm-up, seconds;"
                        + " load average before: %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("transfusion.similarity.threads",
                        System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "adaptive (idle cores)")),
                repeats, loadAverage());
        warmUp();
        System.out.printf(Locale.ROOT, "%-16s %8s %8s %8s %10s %9s   %s%n",
                "points x neurons", "CCA", "SVCCA", "PWCCA", "CKA-linear", "all four", "checks");
        for (int[] size : sizes) {
            Activations[] xy = pair(size[0], size[1], 17);
            String[] names = {"CCA", "SVCCA", "PWCCA", "CKA-linear", "all four"};
            List<Supplier<Double>> work = List.of(
                    () -> Cca.compute(xy[0], xy[1]).mean(),
                    () -> Svcca.compute(xy[0], xy[1], 0.99).mean(),
                    () -> Pwcca.compute(xy[0], xy[1]).value(),
                    () -> Cka.linear(xy[0], xy[1]),
                    () -> (double) Similarity.compute(xy[0], xy[1],
                            EnumSet.of(Method.CCA, Method.SVCCA, Method.PWCCA, Method.CKA_LINEAR),
                            SimilarityOptions.defaults()).points());
            double[] best = new double[names.length];
            double[] value = new double[names.length];
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            // round-robin, so that load from other processes spreads over all measures alike
            for (int r = 0; r < repeats; r++) {
                for (int m = 0; m < names.length; m++) {
                    long t = System.nanoTime();
                    value[m] = work.get(m).get();
                    best[m] = Math.min(best[m], (System.nanoTime() - t) / 1e9);
                }
            }
            System.out.printf(Locale.ROOT, "%-16s %8.2f %8.2f %8.2f %10.2f %9.2f   cca %.3f pwcca %.3f cka %.3f%n",
                    size[0] + " x " + size[1], best[0], best[1], best[2], best[3], best[4], value[0], value[2], value[3]);
        }
        System.out.println("load average after: " + loadAverage());
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void warmUp() {
        Activations[] xy = pair(2000, 64, 1);
        for (int i = 0; i < 3; i++) {
            Similarity.compute(xy[0], xy[1], EnumSet.of(Method.CCA, Method.SVCCA, Method.PWCCA, Method.CKA_LINEAR),
                    SimilarityOptions.defaults());
        }
    }

    /** X = relu-ish(Z A + noise), Y = relu-ish(Z B + noise) with 32 shared latent factors, seeded. */
    static Activations[] pair(int n, int p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int k = 32;
        double[] z = gaussian(r, n * k);
        double[] a = gaussian(r, k * p);
        double[] b = gaussian(r, k * p);
        double[] x = new double[n * p];
        double[] y = new double[n * p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                double sx = 0;
                double sy = 0;
                for (int l = 0; l < k; l++) {
                    sx += z[i * k + l] * a[l * p + j];
                    sy += z[i * k + l] * b[l * p + j];
                }
                x[i * p + j] = (float) Math.max(0, sx / 4 + gaussianValue(r) + 0.5);
                y[i * p + j] = (float) Math.max(0, sy / 4 + gaussianValue(r) + 0.5);
            }
        }
        return new Activations[] {Activations.of(x, n, p).named("X"), Activations.of(y, n, p).named("Y")};
    }

    private static double[] gaussian(SplittableRandom r, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = gaussianValue(r);
        }
        return out;
    }

    private static double gaussianValue(SplittableRandom r) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static List<int[]> parseSizes(String spec) {
        List<int[]> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            out.add(Arrays.stream(s.strip().split("x")).mapToInt(Integer::parseInt).toArray());
        }
        return out;
    }
}
