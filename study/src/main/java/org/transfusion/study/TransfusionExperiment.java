package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** Weight transfusion: pretrained weights up to block k, random above, against random and full transfer (Figure 8). */
final class TransfusionExperiment extends SchemeSweep {
    private final StudySpec.Transfusion spec;

    TransfusionExperiment(StudySpec.Transfusion spec, String model, List<Double> thresholds) {
        super(model, thresholds);
        this.spec = spec;
    }

    @Override
    String title() {
        return "Weight transfusion: pretrained up to block k, random above (Figure 8)";
    }

    @Override
    List<String> schemes() {
        List<String> schemes = new ArrayList<>(List.of("random"));
        spec.blocks().forEach(b -> schemes.add("transfusion:" + b));
        schemes.add("pretrained");
        return schemes;
    }

    @Override
    public List<Finding> findings(Results results) {
        double threshold = results.commonThreshold(model, thresholds);
        if (Double.isNaN(threshold) || spec.blocks().isEmpty()) {
            return List.of();
        }
        double[] r = results.steps(model, "random", threshold);
        String lowest = "transfusion:" + spec.blocks().get(0);
        double[] s = results.steps(model, lowest, threshold);
        if (r.length == 0 || s.length == 0) {
            return List.of();
        }
        return List.of(Findings.judgeSpeed("transfusion", "Reusing pretrained weights only up to a low block already "
                + "gives much of the convergence speed-up of full transfer (Figure 8).", model, lowest, threshold, s, r));
    }
}
