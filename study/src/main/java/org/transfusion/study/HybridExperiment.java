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
        schemes.addAll(spec.schemes());
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
        for (String scheme : spec.schemes()) {
            String runModel = ReportPage.runModel(model, scheme);
            double[] s = results.steps(runModel, scheme, threshold);
            if (r.length == 0 || s.length == 0) {
                continue;
            }
            String claim = scheme.equals("slim")
                    ? "A slim model (pretrained lower blocks, halved random upper blocks) converges faster than random "
                    + "init, close to full transfer (Section 6)."
                    : scheme.startsWith("gabor+")
                    ? "Synthetic Gabor filters in the first layer with Mean Var Init above speed up convergence (Section 6)."
                    : "Synthetic Gabor filters in the first layer alone speed up convergence somewhat (Section 6).";
            out.add(Findings.judgeSpeed("hybrid", claim, runModel, scheme, threshold, s, r));
        }
        return out;
    }
}
