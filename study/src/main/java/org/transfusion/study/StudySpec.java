package org.transfusion.study;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A study: the dataset and task, the architectures, seeds, training budget, the pretraining source, and which of
 * the paper's experiments to run. Read from YAML by {@link SpecReader}; the presets ({@link Presets}) are specs.
 */
public record StudySpec(String name, String data, String task, int imageSize, List<String> models, List<Long> seeds,
                        Training training, Pretrain pretrain, Experiments experiments) {

    /** The training budget shared by every run. */
    public record Training(int epochs, int batchSize, double lr, int evalEvery) {}

    /** The source task the CBR nets are pretrained on (the paper used ImageNet). */
    public record Pretrain(String data, String task, int epochs, String weights) {}

    /** Which experiments, each with its parameters; null = not run. */
    public record Experiments(Performance performance, SmallData smallData, Representations representations,
                              Convergence convergence, Transfusion transfusion, Hybrid hybrid) {}

    public record Performance(List<String> schemes) {}

    public record SmallData(List<Integer> sizes, List<String> schemes) {}

    public record Representations(int maxPoints, String conv) {}

    public record Convergence(List<String> schemes, List<Double> thresholds) {}

    public record Transfusion(String model, List<String> blocks) {}

    public record Hybrid(String model, List<String> schemes) {}

    /** The spec as plain maps and lists, in the YAML layout (for printing and for run.json of the study). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("data", data);
        m.put("task", task);
        m.put("image_size", imageSize);
        m.put("models", models);
        m.put("seeds", seeds);
        m.put("training", Map.of("epochs", training.epochs(), "batch_size", training.batchSize(), "lr", training.lr(),
                "eval_every", training.evalEvery()));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("data", pretrain.data());
        p.put("task", pretrain.task());
        p.put("epochs", pretrain.epochs());
        if (pretrain.weights() != null) {
            p.put("weights", pretrain.weights());
        }
        m.put("pretrain", p);
        Map<String, Object> e = new LinkedHashMap<>();
        Experiments x = experiments;
        if (x.performance() != null) {
            e.put("performance", Map.of("schemes", x.performance().schemes()));
        }
        if (x.smallData() != null) {
            e.put("small_data", new LinkedHashMap<>(Map.of("sizes", x.smallData().sizes(), "schemes",
                    x.smallData().schemes())));
        }
        if (x.representations() != null) {
            e.put("representations", new LinkedHashMap<>(Map.of("max_points", x.representations().maxPoints(),
                    "conv", x.representations().conv())));
        }
        if (x.convergence() != null) {
            e.put("convergence", new LinkedHashMap<>(Map.of("schemes", x.convergence().schemes(), "thresholds",
                    x.convergence().thresholds())));
        }
        if (x.transfusion() != null) {
            e.put("transfusion", new LinkedHashMap<>(Map.of("model", x.transfusion().model(), "blocks",
                    x.transfusion().blocks())));
        }
        if (x.hybrid() != null) {
            e.put("hybrid", new LinkedHashMap<>(Map.of("model", x.hybrid().model(), "schemes", x.hybrid().schemes())));
        }
        m.put("experiments", e);
        return m;
    }
}
