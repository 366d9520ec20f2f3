package org.transfusion.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.transfusion.study.record.PairedDelongRecord;

/**
 * How many seeds would decide claim 1 ("transfer does not change test AUC") at +-{@value Findings#EQUIVALENCE}, from
 * a pilot: the finished random and pretrained runs already in the study folder (issue 30, "Also"; {@code study
 * --plan} prints it). Per model, with the pilot's mean paired difference |d|, its seed spread s and the test set's
 * variance V of the seed-averaged difference, the smallest N with |d| + sqrt(t(0.975, N - 1)^2 s^2 / N + 1.96^2 V)
 * &lt;= 0.02, the combined interval the verdict uses lying inside the margin if the mean stays where the pilot put
 * it. V is taken as fixed: every seed is scored on the same test images, so more seeds do not shrink it; where
 * 1.96 sqrt(V) + |d| alone exceeds the margin no number of seeds decides it, and the estimate says that the test set
 * must grow. V comes from the study's {@code analysis/paired-delong.json} (DeLong) where it is there, else from the
 * runs' own 95% intervals as if independent ((se_random^2 + se_transfer^2), averaged over the seeds: an upper
 * bound, since the two runs' errors on one test set are positively correlated).
 */
final class SeedEstimate {
    /** Estimates go no further than this many seeds; beyond it the line says "more than". */
    static final int MAX_SEEDS = 100;

    private SeedEstimate() {}

    /** One line per model of a study whose performance experiment pairs random with pretrained. */
    static List<String> lines(Plan plan) {
        List<String> out = new ArrayList<>();
        StudySpec.Performance perf = plan.spec().experiments().performance();
        if (perf == null || !perf.schemeNames().contains("random") || !perf.schemeNames().contains("pretrained")) {
            return out;
        }
        Results results = new Results(plan);
        Path f = PerformanceExperiment.pairedFile(plan.dir());
        PairedDelongRecord paired = Files.isRegularFile(f) ? PairedDelongRecord.read(f) : null;
        for (String model : plan.spec().models()) {
            double[] r = results.testAucs(model, "random", null);
            double[] p = results.testAucs(model, "pretrained", null);
            double[] d = Findings.pairedDifferences(r, p);
            int n = Stats.count(d);
            if (n < 2) {
                out.add(String.format(Locale.ROOT, "claim 1, %s: needs a pilot: at least 2 seeds with both random "
                        + "and pretrained runs finished in this folder (%d now); run the study with 2-3 seeds, then "
                        + "--plan estimates the seeds to decide it", model, n));
                continue;
            }
            PairedDelongRecord.Mean m = paired == null ? null : paired.mean(model);
            double v;
            String source;
            if (m != null && m.testVariance() != null) {
                v = m.testVariance();
                source = "DeLong, analysis/paired-delong.json";
            } else {
                v = runsVariance(results, model, plan.spec().seeds());
                source = "the runs' own intervals, as if independent (an upper bound)";
            }
            out.add(line(model, d, v, source));
        }
        return out;
    }

    /** The estimate's line for one model's pilot differences {@code d} and test-set variance {@code v}. */
    static String line(String model, double[] d, double v, String source) {
        int n = Stats.count(d);
        double mean = Math.abs(Stats.mean(d));
        double s = Stats.sd(d);
        String pilot = String.format(Locale.ROOT, "claim 1, %s: pilot of %d seeds, difference %+.3f, seed sd %.3f, "
                + "test-set SE %s (%s)", model, n, Stats.mean(d), s,
                Double.isNaN(v) ? "unknown" : String.format(Locale.ROOT, "%.3f", Math.sqrt(v)), source);
        double vv = Double.isNaN(v) ? 0 : v;
        double floor = mean + Stats.Z975 * Math.sqrt(vv);
        if (floor >= Findings.EQUIVALENCE) {
            return pilot + String.format(Locale.ROOT, ": no number of seeds decides it at +-%.2f (the difference and "
                    + "the test set's uncertainty alone reach %.3f): a larger test set is needed", Findings.EQUIVALENCE,
                    floor);
        }
        for (int seeds = 2; seeds <= MAX_SEEDS; seeds++) {
            if (mean + Stats.combinedHalfWidth(Stats.t975(seeds - 1), s * s / seeds, vv) <= Findings.EQUIVALENCE) {
                return pilot + String.format(Locale.ROOT, ": about %d seed%s would put the interval within +-%.2f, "
                        + "if the mean stays", seeds, seeds == 1 ? "" : "s", Findings.EQUIVALENCE);
            }
        }
        return pilot + String.format(Locale.ROOT, ": more than %d seeds would be needed", MAX_SEEDS);
    }

    /** Mean over seeds of (se_random^2 + se_transfer^2), each se from a run's 95% interval (width / 3.92). */
    private static double runsVariance(Results results, String model, List<Long> seeds) {
        double sum = 0;
        int n = 0;
        for (long seed : seeds) {
            RunResult a = results.get(model, "random", null, seed);
            RunResult b = results.get(model, "pretrained", null, seed);
            if (a == null || b == null) {
                continue;
            }
            double sa = (a.testAucHigh() - a.testAucLow()) / 3.92;
            double sb = (b.testAucHigh() - b.testAucLow()) / 3.92;
            if (Double.isFinite(sa) && Double.isFinite(sb)) {
                sum += sa * sa + sb * sb;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
