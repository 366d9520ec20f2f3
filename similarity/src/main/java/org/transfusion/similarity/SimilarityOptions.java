package org.transfusion.similarity;

/**
 * Settings of the measures that have any.
 *
 * @param keepVariance SVCCA: fraction of variance the kept singular directions explain, in (0, 1]
 * @param sigmaFraction RBF CKA: bandwidth as a fraction of the median pairwise distance
 * @param debiased CKA (linear and RBF): use the unbiased HSIC estimator
 * @param rbfMaxPoints RBF CKA: data points beyond this are subsampled (the kernel is n x n)
 * @param seed the random stream for that subsample
 */
public record SimilarityOptions(double keepVariance, double sigmaFraction, boolean debiased, int rbfMaxPoints, long seed) {

    public SimilarityOptions {
        Svcca.checkKeepVariance(keepVariance);
        Cka.checkSigmaFraction(sigmaFraction);
        Cka.checkRbfMaxPoints(rbfMaxPoints);
    }

    public static SimilarityOptions defaults() {
        return new SimilarityOptions(Svcca.DEFAULT_KEEP_VARIANCE, Cka.DEFAULT_SIGMA_FRACTION, false,
                Cka.DEFAULT_RBF_MAX_POINTS, 0L);
    }

    public SimilarityOptions withKeepVariance(double v) {
        return new SimilarityOptions(v, sigmaFraction, debiased, rbfMaxPoints, seed);
    }

    public SimilarityOptions withSigmaFraction(double v) {
        return new SimilarityOptions(keepVariance, v, debiased, rbfMaxPoints, seed);
    }

    public SimilarityOptions withDebiased(boolean v) {
        return new SimilarityOptions(keepVariance, sigmaFraction, v, rbfMaxPoints, seed);
    }

    public SimilarityOptions withRbfMaxPoints(int v) {
        return new SimilarityOptions(keepVariance, sigmaFraction, debiased, v, seed);
    }

    public SimilarityOptions withSeed(long v) {
        return new SimilarityOptions(keepVariance, sigmaFraction, debiased, rbfMaxPoints, v);
    }
}
