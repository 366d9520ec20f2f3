package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** Weight transfusion: pretrained weights up to block k, random above, against random and full transfer (Figure 8). */
final class TransfusionExperiment extends SchemeSweep {
    private final StudySpec.Transfusion spec;

    TransfusionExperiment(StudySpec.Transfusion spec, String model, List<Double> thresholds, double threshold) {
        super(model, thresholds, threshold);
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
        if (spec.blocks().isEmpty()) {
            return List.of();
        }
        double[] r = results.steps(model, "random", threshold);
        double[] p = results.steps(model, "pretrained", threshold);
        String lowest = "transfusion:" + spec.blocks().get(0);
        double[] k = results.steps(model, lowest, threshold);
        if (Stats.count(r) == 0 || Stats.count(k) == 0 || Stats.count(p) == 0) {
            return List.of();
        }
        return List.of(Findings.judgeTransfusion(model, spec.blocks().get(0), threshold, k, p, r,
                results.runLength(model)));
    }
}
