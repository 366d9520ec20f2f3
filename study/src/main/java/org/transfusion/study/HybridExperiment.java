package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** The hybrid initialisations: a slim model and synthetic Gabor first-layer filters (Section 6). */
final class HybridExperiment extends SchemeSweep {
    private final StudySpec.Hybrid spec;

    HybridExperiment(StudySpec.Hybrid spec, String model, List<Double> thresholds) {
        super(model, thresholds);
        this.spec = spec;
    }

    @Override
    String title() {
        return "Hybrid initialisations: slim model and synthetic Gabor filters (Section 6)";
    }

    @Override
    List<String> schemes() {
        List<String> schemes = new ArrayList<>(List.of("random", "pretrained"));
        schemes.addAll(spec.schemeNames());
        return schemes;
    }

    @Override
    public List<Finding> findings(Results results) {
        double threshold = results.commonThreshold(model, thresholds);
        if (Double.isNaN(threshold)) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        double[] r = results.steps(model, "random", threshold);
        double[] p = results.steps(model, "pretrained", threshold);
        for (String scheme : spec.schemeNames()) {
            String runModel = ReportPage.runModel(model, scheme);
            double[] s = results.steps(runModel, scheme, threshold);
            double cap = Math.max(results.runLength(model), results.runLength(runModel));
            if (Stats.count(s) == 0) {
                continue;
            }
            if (scheme.equals("slim")) {
                out.add(Findings.judgeSlim(runModel, model, threshold, results.testAucs(runModel, scheme, null),
                        results.testAucs(model, "pretrained", null), s, p, cap));
                continue;
            }
            String claim = scheme.startsWith("gabor+")
                    ? "Synthetic Gabor filters in the first layer with Mean Var Init above give a significant "
                    + "convergence speed-up over random init (Section 6)."
                    : "Synthetic Gabor filters in the first layer give a significant convergence speed-up over random "
                    + "init (Section 6).";
            out.add(Findings.judgeSpeedup("hybrid", claim, runModel, scheme, "random", threshold, s, r, cap));
        }
        return out;
    }
}
