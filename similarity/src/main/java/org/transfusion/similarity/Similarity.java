package org.transfusion.similarity;

import java.util.Set;
import org.transfusion.error.BadInputException;

/** Computes several measures on one pair of activation matrices, sharing the pass over the data. */
public final class Similarity {

    private Similarity() {}

    /**
     * Loads the native linear algebra now (a few hundred milliseconds), so that a caller can do it while
     * other threads read the activation files; {@link #compute} does it anyway when it was not done. Call it
     * on the thread that will call {@link #compute}, and nowhere else at the same time (see Lapack#load).
     */
    public static void prepare() {
        Lapack.load();
    }

    public static SimilarityReport compute(Activations x, Activations y, Set<Method> methods, SimilarityOptions options) {
        if (methods.isEmpty()) {
            throw new BadInputException("method: no similarity method given");
        }
        Moments.checkPair(x, y);
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
