package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** The hybrid initialisations: a slim model and synthetic Gabor first-layer filters (Section 6). */
final class HybridExperiment extends SchemeSweep {
    private final StudySpec.Hybrid spec;

    HybridExperiment(StudySpec.Hybrid spec, String model, List<Double> thresholds, double threshold) {
        super(model, thresholds, threshold);
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
        if (spec.schemeNames().stream().anyMatch(s -> s.startsWith("gabor"))) {
            schemes.add(firstLayer(model)); // what Gabor is set beside in Section 6: the pretrained first layer
        }
        return schemes;
    }

    /** Transfusion up to the model's first block: its pretrained first layer, every other layer random. */
    static String firstLayer(String model) {
        return "transfusion:" + org.transfusion.engine.model.ModelRegistry.get(model).reference().blocks().get(0);
    }

    @Override
    public List<Finding> findings(Results results) {
        List<Finding> out = new ArrayList<>();
        double[] r = results.steps(model, "random", threshold);
        double[] p = results.steps(model, "pretrained", threshold);
        for (String scheme : spec.schemeNames()) {
            String runModel = ReportPage.runModel(model, scheme);
            double[] s = results.steps(runModel, scheme, threshold);
            double cap = Math.max(results.runLength(model), results.runLength(runModel));
            double floor = Math.max(results.firstValidation(model), results.firstValidation(runModel));
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
            out.add(Findings.judgeSpeedup("hybrid", claim, runModel, scheme, "random", threshold, s, r, cap, floor));
            String first = firstLayer(model);
            double[] f = results.steps(model, first, threshold);
            if (Stats.count(f) > 0) {
                out.add(Findings.judgeLikePretrainedFirstLayer(runModel, scheme, first, threshold, s, f, cap, floor));
            }
        }
        return out;
    }
}
