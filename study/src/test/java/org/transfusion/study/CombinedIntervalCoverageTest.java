package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.eval.DeLong;

/**
 * Issue 30.3: the interval of claim 1 carries the test set's uncertainty as well as the seeds', and covers the
 * truth about 95% of the time where the truth is known. Simulated studies: 5 seeds of a random-init and a
 * transfer model scored on one shared test set of 60 positives and 140 negatives (CheXpert-sized), drawn afresh for
 * each of 1,000 studies. A score is y (mu_m + u_{m,s}) + (a z_i + b z_{m,i} + e eps_{m,s,i}) / sqrt(a^2 + b^2 + e^2):
 * u_{m,s} ~ N(0, tau^2) is seed s's luck, z_i an image's difficulty shared by both models, z_{m,i} one that each
 * model reads its own way (the same on every seed: what a test set fixes), eps per run and image. The noise has
 * unit variance in both classes, so the population AUC of a run is Phi((mu_m + u) / sqrt 2) and the truth, the
 * expected difference over seeds, is Phi((mu + delta) / sqrt(2 + tau^2)) - Phi(mu / sqrt(2 + tau^2)) (E over u ~
 * N(0, tau^2) of Phi((mu + u) / sqrt 2) is P(sqrt 2 Z - u < mu)). mu = 0.9, delta = 0.1: truth 0.0225.
 *
 * <p>The same simulation in numpy (/tmp/cov2.py's construction, its own random draws, 600 studies) gave coverage
 * seed-only / combined: 0.38 / 0.96 where the test set dominates (tau 0.03, a 0.6, b 0.6, e 0.2), 0.78 / 0.97 mixed
 * (tau 0.08, a 0.6, b 0.4, e 0.4), 0.94 / 0.97 where the seeds dominate (tau 0.15, a 0.8, b 0, e 0.6). The
 * combined interval is slightly conservative by construction (the per-run noise is counted in both parts, divided
 * by n in the second); the seed-only one is far too narrow once the test set matters. This test's own draws gave
 * 0.375 / 0.954, 0.801 / 0.976 and 0.943 / 0.974 (seed 30, 31, 32). The figure is written to
 * {@code target/coverage/combined-interval-coverage.svg}.
 */
class CombinedIntervalCoverageTest {
    private static final int POSITIVES = 60;
    private static final int NEGATIVES = 140;
    private static final int SEEDS = 5;
    private static final int STUDIES = 1000;
    private static final double MU = 0.9;
    private static final double DELTA = 0.1;

    record Scenario(String name, double tau, double shared, double own, double perRun) {}

    /** {seed-only coverage, combined coverage} over {@link #STUDIES} simulated studies. */
    static double[] coverage(Scenario sc, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double truth = phi((MU + DELTA) / Math.sqrt(2 + sc.tau() * sc.tau()))
                - phi(MU / Math.sqrt(2 + sc.tau() * sc.tau()));
        int n = POSITIVES + NEGATIVES;
        double norm = Math.sqrt(sc.shared() * sc.shared() + sc.own() * sc.own() + sc.perRun() * sc.perRun());
        double[] y = new double[n];
        for (int i = 0; i < POSITIVES; i++) {
            y[i] = 1;
        }
        int seedOnly = 0;
        int combined = 0;
        for (int k = 0; k < STUDIES; k++) {
            double[] z = gaussians(rng, n);
            double[] zr = gaussians(rng, n);
            double[] zt = gaussians(rng, n);
            List<double[]> scorings = new ArrayList<>();
            double[] d = new double[SEEDS];
            double[] w = new double[2 * SEEDS];
            for (int s = 0; s < SEEDS; s++) {
                double ur = sc.tau() * gaussian(rng);
                double ut = sc.tau() * gaussian(rng);
                double[] random = new double[n];
                double[] transfer = new double[n];
                for (int i = 0; i < n; i++) {
                    random[i] = y[i] * (MU + ur) + (sc.shared() * z[i] + sc.own() * zr[i]
                            + sc.perRun() * gaussian(rng)) / norm;
                    transfer[i] = y[i] * (MU + DELTA + ut) + (sc.shared() * z[i] + sc.own() * zt[i]
                            + sc.perRun() * gaussian(rng)) / norm;
                }
                scorings.add(transfer);
                scorings.add(random);
                d[s] = DeLong.paired(transfer, random, y).difference();
                w[2 * s] = 1.0 / SEEDS;
                w[2 * s + 1] = -1.0 / SEEDS;
            }
            double testVariance = DeLong.contrast(scorings, w, y).variance();
            double[] a = Stats.tInterval(d);
            double[] b = Stats.combinedInterval(d, testVariance);
            seedOnly += a[0] <= truth && truth <= a[1] ? 1 : 0;
            combined += b[0] <= truth && truth <= b[1] ? 1 : 0;
        }
        return new double[] {(double) seedOnly / STUDIES, (double) combined / STUDIES};
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("test set dominates", 0.03, 0.6, 0.6, 0.2),
            new Scenario("mixed", 0.08, 0.6, 0.4, 0.4),
            new Scenario("seeds dominate", 0.15, 0.8, 0.0, 0.6));

    @Test
    void theCombinedIntervalCoversTheTruthAbout95PercentWhereTheSeedOnlyOneDoesNot() throws Exception {
        List<double[]> all = new ArrayList<>();
        for (int i = 0; i < SCENARIOS.size(); i++) {
            all.add(coverage(SCENARIOS.get(i), 30 + i));
        }
        // binomial standard error of a 95% coverage over 1,000 studies: 0.007; the combined interval is a little
        // conservative by construction, so it is held to [0.93, 0.985]
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i)[1]).as(SCENARIOS.get(i).name() + ": combined").isBetween(0.93, 0.985);
        }
        assertThat(all.get(0)[0]).as("test set dominates: seed-only").isLessThan(0.6);
        assertThat(all.get(1)[0]).as("mixed: seed-only").isLessThan(0.9);
        // the figure
        List<String> names = SCENARIOS.stream().map(Scenario::name).toList();
        String svg = Svg.bars("Coverage of the 95% interval of claim 1 (1,000 simulated studies each)",
                "coverage of the truth", names, List.of(
                        new Svg.Series("seeds only", null, all.stream().mapToDouble(c -> c[0]).toArray(), null),
                        new Svg.Series("seeds + test set", null, all.stream().mapToDouble(c -> c[1]).toArray(),
                                null)), 0, 1);
        Path out = Path.of("target", "coverage", "combined-interval-coverage.svg");
        Files.createDirectories(out.getParent());
        Files.writeString(out, svg);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            text.append(String.format(java.util.Locale.ROOT, "%s: seed-only %.3f, combined %.3f%n", names.get(i),
                    all.get(i)[0], all.get(i)[1]));
        }
        Files.writeString(out.resolveSibling("coverage.txt"), text);
    }

    private static double[] gaussians(SplittableRandom rng, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = gaussian(rng);
        }
        return out;
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** The standard normal CDF by erf (Abramowitz & Stegun 7.1.26, absolute error under 1.5e-7). */
    static double phi(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                + t * 1.061405429)))) * Math.exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
