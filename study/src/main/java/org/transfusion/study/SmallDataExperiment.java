package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.eval.Evaluator;
import org.transfusion.engine.eval.RunEvaluation;
import org.transfusion.study.record.PairedDelongRecord;

/**
 * Test ROC AUC with a few hundred (or thousand) training images, random init vs transfer (Table 3). Where the study
 * has claim 4's pairs (a CBR and a large model), its analysis ({@code analysis/small-data.json}) scores the four
 * runs of each pair and seed on the test set again for the test set's variance of the difference of mean gains
 * (issue 30.3), which the verdict's interval then carries.
 */
final class SmallDataExperiment implements Experiment {
    private final StudySpec.SmallData spec;

    SmallDataExperiment(StudySpec.SmallData spec) {
        this.spec = spec;
    }

    @Override
    public void plan(Plan plan, String model, long seed) {
        for (int size : spec.sizes()) {
            spec.schemeNames().forEach(s -> plan.add(model, s, size, seed));
        }
    }

    static Path file(Path studyDir) {
        return new StudyFolder(studyDir).smallData();
    }

    private boolean paired() {
        return !spec.sizes().isEmpty() && spec.schemeNames().contains("random")
                && spec.schemeNames().contains("pretrained");
    }

    private int smallest() {
        return spec.sizes().stream().min(Integer::compare).orElseThrow();
    }

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return paired() && !PerformanceExperiment.smallLargePairs(plan.spec().models()).isEmpty()
                ? Optional.of(file(plan.dir())) : Optional.empty();
    }

    @Override
    public List<PlannedRun> analysedRuns(Plan plan) {
        List<PlannedRun> out = new ArrayList<>();
        for (String[] pair : PerformanceExperiment.smallLargePairs(plan.spec().models())) {
            for (long seed : plan.spec().seeds()) {
                for (String model : pair) {
                    for (String scheme : List.of("pretrained", "random")) {
                        PlannedRun r = plan.run(model, scheme, smallest(), seed);
                        if (!out.contains(r)) {
                            out.add(r);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Claim 4's contrast name: the large model's gain minus the small one's on {@code size} images. */
    static String contrastName(String small, String large, int size) {
        return "gain " + large + " - gain " + small + " (" + size + " images)";
    }

    @Override
    public void analyse(Plan plan, PrintStream log) {
        if (analysisFile(plan).isEmpty()) {
            return;
        }
        int size = smallest();
        List<PairedDelongRecord.Mean> contrasts = new ArrayList<>();
        for (String[] pair : PerformanceExperiment.smallLargePairs(plan.spec().models())) {
            String small = pair[0];
            String large = pair[1];
            List<PerformanceExperiment.SeedScorings> perSeed = new ArrayList<>();
            for (long seed : plan.spec().seeds()) {
                log.println("analysis: small data, " + large + " vs " + small + " seed " + seed);
                List<double[]> scorings = new ArrayList<>();
                double[] targets = null;
                boolean usable = true;
                for (String[] run : new String[][] {{large, "pretrained"}, {large, "random"}, {small, "pretrained"},
                    {small, "random"}}) {
                    Evaluator.Scores s = RunEvaluation.scores(plan.run(run[0], run[1], size, seed).folder(), Split.TEST)
                            .scores();
                    usable &= s.outputs() == 1 && (targets == null || Arrays.equals(targets, s.targets()));
                    targets = targets == null ? s.targets() : targets;
                    scorings.add(s.probs());
                }
                if (usable) {
                    perSeed.add(new PerformanceExperiment.SeedScorings(scorings, targets));
                }
            }
            contrasts.add(PerformanceExperiment.contrastMean(contrastName(small, large, size),
                    plan.spec().seeds().size(), perSeed, new double[] {1, -1, -1, 1}));
        }
        new PairedDelongRecord(PairedDelongRecord.FORMAT, List.of(), null, contrasts).write(file(plan.dir()));
    }

    @Override
    public List<Finding> findings(Results results) {
        if (spec.sizes().isEmpty()) {
            return List.of();
        }
        int smallest = smallest();
        Path f = file(results.plan().dir());
        PairedDelongRecord record = Files.isRegularFile(f) ? PairedDelongRecord.read(f) : null;
        return Findings.littleData(results.spec().models(), smallest, m -> gains(results, m, smallest),
                (small, large) -> PerformanceExperiment.contrastVariance(record, contrastName(small, large, smallest),
                        Math.min(Stats.count(gains(results, small, smallest)),
                                Stats.count(gains(results, large, smallest)))));
    }

    /** Transfer minus random test AUC per seed on {@code size} training images (NaN where a run is missing). */
    private static double[] gains(Results results, String model, int size) {
        return Findings.pairedDifferences(results.testAucs(model, "random", size),
                results.testAucs(model, "pretrained", size));
    }

    @Override
    public void section(ReportPage page) {
        page.html().append("<h2>Small data: test ROC AUC with few training images (Table 3)</h2>");
        for (int size : spec.sizes()) {
            page.html().append("<h3>").append(size).append(" training images</h3>");
            page.aucTable(spec.schemeNames(), size);
        }
    }
}
