package org.transfusion.engine.eval;

import org.transfusion.engine.run.record.MetricsRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reliability diagram as a table and its expected calibration error. The probabilities are put in
 * {@code bins} equal-width bins over [0, 1], bin k holding {@code (k/B, (k+1)/B]} (a probability of exactly 0 in the
 * first), the edge rule of scikit-learn's {@code calibration_curve}; each bin gives its count, mean probability and
 * fraction of positives. ECE is {@code sum_k (n_k / N) |fraction_k - mean_k|} over the non-empty bins (Naeini et
 * al. 2015; Guo et al. 2017), NaN when no label is known.
 */
public record Reliability(List<Bin> bins, double ece, long count) {
    /** Bins by default, as Guo et al. (2017). */
    public static final int BINS = 15;
    /** The binning in words, for metrics.json. */
    public static final String BINNING = "equal width over [0, 1]: bin k holds probabilities in (k/B, (k+1)/B], "
            + "0 in the first";

    /** One bin: its edges, how many known labels fell in it, their mean probability and fraction positive. */
    public record Bin(double lower, double upper, long count, double meanProbability, double fractionPositive) {}

    /**
     * @param probs  probability of the positive class
     * @param labels 1 positive, 0 negative, NaN masked (left out)
     */
    public static Reliability of(double[] probs, double[] labels, int bins) {
        long[] n = new long[bins];
        double[] sumP = new double[bins];
        double[] sumY = new double[bins];
        long total = 0;
        for (int i = 0; i < labels.length; i++) {
            if (Double.isNaN(labels[i])) {
                continue;
            }
            int k = bin(probs[i], bins);
            n[k]++;
            sumP[k] += probs[i];
            sumY[k] += labels[i] > 0.5 ? 1 : 0;
            total++;
        }
        List<Bin> out = new ArrayList<>();
        double ece = 0;
        for (int k = 0; k < bins; k++) {
            double mean = n[k] == 0 ? Double.NaN : sumP[k] / n[k];
            double fraction = n[k] == 0 ? Double.NaN : sumY[k] / n[k];
            out.add(new Bin((double) k / bins, (double) (k + 1) / bins, n[k], mean, fraction));
            if (n[k] > 0) {
                ece += (double) n[k] / total * Math.abs(fraction - mean);
            }
        }
        return new Reliability(out, total == 0 ? Double.NaN : ece, total);
    }

    /** The bin of {@code p}: ceil(p B) - 1, clamped to the bins (so (k/B, (k+1)/B] is bin k). */
    static int bin(double p, int bins) {
        int k = (int) Math.ceil(p * bins) - 1;
        return Math.max(0, Math.min(bins - 1, k));
    }

    /** The table as metrics.json lists it, one map per bin. */
    public List<MetricsRecord.Bin> table() {
        return bins.stream().map(b -> new MetricsRecord.Bin(b.lower(), b.upper(), b.count(), b.meanProbability(),
                b.fractionPositive())).toList();
    }
}
