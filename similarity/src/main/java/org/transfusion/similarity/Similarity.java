package org.transfusion.similarity;

import java.util.Set;
import org.transfusion.error.BadInputException;

/** Computes several measures on one pair of activation matrices, sharing the pass over the data. */
public final class Similarity {

    private Similarity() {}

    /**
     * Starts loading the native linear algebra (about 0.2 s) on a thread of its own and returns at once, so that a
     * caller can read its activation files meanwhile. Until {@link #prepare} or {@link #compute} has returned, nothing
     * in the process may use javacpp or OpenBLAS by another route (see Lapack#startLoading).
     */
    public static void prepareInBackground() {
        Lapack.startLoading();
    }

    /** Loads the native linear algebra, or waits for the load {@link #prepareInBackground} started. */
    public static void prepare() {
        Lapack.load();
    }

    public static SimilarityReport compute(Activations x, Activations y, Set<Method> methods, SimilarityOptions options) {
        if (methods.isEmpty()) {
            throw new BadInputException("method: no similarity method given");
        }
        Moments.checkPair(x, y);
        prepare();
        boolean linear = methods.contains(Method.CCA) || methods.contains(Method.SVCCA)
                || methods.contains(Method.PWCCA) || methods.contains(Method.CKA_LINEAR);
        Moments m = linear ? Moments.of(x, y) : null;
        SimilarityReport.Builder report = new SimilarityReport.Builder(x, y, options);
        if (methods.contains(Method.CCA)) {
            report.cca(Cca.compute(m, false));
        }
        if (methods.contains(Method.SVCCA)) {
            report.svcca(Svcca.compute(m, options.keepVariance()));
        }
        if (methods.contains(Method.PWCCA)) {
            report.pwcca(Pwcca.compute(m));
        }
        if (methods.contains(Method.CKA_LINEAR)) {
            report.ckaLinear(Cka.linear(m, options.debiased()));
        }
        if (methods.contains(Method.CKA_RBF)) {
            double v = Cka.rbf(x, y, options.sigmaFraction(), options.debiased(), options.rbfMaxPoints(), options.seed());
            report.ckaRbf(v, Math.min(x.points(), options.rbfMaxPoints()));
        }
        return report.build();
    }
}
