package org.transfusion.similarity;

/** Run by {@link CachedOpenBlasTest} in a JVM of its own: loads OpenBLAS, says how, and prints a small CCA. */
public final class CachedOpenBlasProbe {

    private CachedOpenBlasProbe() {}

    public static void main(String[] args) {
        Lapack.load();
        System.out.println("from cache: " + Lapack.loadedFromCache());
        int n = 200;
        double[] x = new double[n * 2];
        double[] y = new double[n * 2];
        for (int i = 0; i < n; i++) {
            double t = -1 + 2.0 * i / (n - 1);
            double u = Math.sin(7.0 * i);
            x[i * 2] = t;
            x[i * 2 + 1] = u;
            y[i * 2] = t + 0.5 * u;
            y[i * 2 + 1] = t * t;
        }
        CcaResult r = Cca.compute(Activations.of(x, n, 2), Activations.of(y, n, 2));
        System.out.println("cca: " + r.coefficients()[0] + "," + r.coefficients()[1]);
    }
}
