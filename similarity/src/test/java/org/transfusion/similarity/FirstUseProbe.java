package org.transfusion.similarity;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Run by {@link CachedOpenBlasTest} in a JVM of its own: four threads enter the package's native code through four
 * different entry points at the same moment, before anything is loaded (the load must not race javacpp's classes),
 * and each prints its value.
 */
public final class FirstUseProbe {

    private FirstUseProbe() {}

    public static void main(String[] args) throws Exception {
        int n = 300;
        double[] x = new double[n * 3];
        double[] y = new double[n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = Math.sin(0.37 * i * (j + 1) + j);
            }
            y[i * 2] = x[i * 3] - 2 * x[i * 3 + 1];
            y[i * 2 + 1] = Math.cos(1.3 * i);
        }
        Activations a = Activations.of(x, n, 3);
        Activations b = Activations.of(y, n, 2);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        Runnable[] entries = {
            () -> System.out.println("similarity " + Similarity.compute(a, b, Method.parse("cca"),
                    SimilarityOptions.defaults()).toJson().length()),
            () -> System.out.println("cca " + Cca.compute(a, b).coefficients()[0]),
            () -> System.out.println("rbf " + Cka.rbf(a, b, 0.5)),
            () -> System.out.println("rank " + EffectiveRank.of(a)),
        };
        for (Runnable entry : entries) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                entry.run();
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("all done");
    }
}
