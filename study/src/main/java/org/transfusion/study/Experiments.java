package org.transfusion.study;

import java.util.ArrayList;
import java.util.List;

/** The experiments a spec asks for, in the order the report shows them (its findings table follows it too). */
final class Experiments {
    private Experiments() {}

    static List<Experiment> of(StudySpec spec) {
        StudySpec.Experiments e = spec.experiments();
        String firstModel = spec.models().get(0);
        List<Experiment> out = new ArrayList<>();
        if (e.performance() != null) {
            out.add(new PerformanceExperiment(e.performance()));
        }
        if (e.smallData() != null) {
            out.add(new SmallDataExperiment(e.smallData()));
        }
        if (e.convergence() != null) {
            out.add(new ConvergenceExperiment(e.convergence()));
        }
        StudySpec.Convergence c = e.convergence() != null ? e.convergence()
                : new StudySpec.Convergence(List.of(), List.of(0.7, 0.8, 0.9));
        if (e.transfusion() != null) {
            out.add(new TransfusionExperiment(e.transfusion(), orFirst(e.transfusion().model(), firstModel),
                    c.thresholds(), c.declared()));
        }
        if (e.hybrid() != null) {
            out.add(new HybridExperiment(e.hybrid(), orFirst(e.hybrid().model(), firstModel), c.thresholds(),
                    c.declared()));
        }
        if (e.representations() != null) {
            out.add(new RepresentationsExperiment(e.representations()));
        }
        if (e.sizeSweep() != null) {
            out.add(new SizeSweepExperiment(e.sizeSweep()));
        }
        if (e.forgetting() != null) {
            out.add(new ForgettingExperiment(e.forgetting()));
        }
        if (e.segmentation() != null) {
            out.add(new SegmentationExperiment(e.segmentation()));
        }
        if (e.practitioner() != null) {
            out.add(new PractitionerExperiment(e.practitioner()));
        }
        if (e.external() != null) {
            out.add(new ExternalExperiment(e.external()));
        }
        if (e.performance() != null) {
            out.add(new WhereModelsLook(e.performance()));
        }
        out.add(new FirstLayerFilters());
        return out;
    }

    private static String orFirst(String model, String first) {
        return model != null ? model : first;
    }
}
