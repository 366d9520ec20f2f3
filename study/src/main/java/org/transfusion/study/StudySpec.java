package org.transfusion.study;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.ScheduleKind;

/**
 * A study: the dataset and task, the architectures, seeds, training budget, the pretraining source, and which of
 * the paper's experiments to run. Read from YAML by {@link SpecReader}; the presets ({@link Presets}) are specs.
 */
public record StudySpec(String name, String data, String task, int imageSize, List<String> models, List<Long> seeds,
                        Training training, Pretrain pretrain, Experiments experiments, String device) {

    /**
     * A spec whose runs use the default device. {@code device} (cpu, cuda, cuda:N; null = the default) is where
     * every run trains; like a run's thread count it is not part of the study's identity, so a study started on one
     * device resumes on another.
     */
    public StudySpec(String name, String data, String task, int imageSize, List<String> models, List<Long> seeds,
                     Training training, Pretrain pretrain, Experiments experiments) {
        this(name, data, task, imageSize, models, seeds, training, pretrain, experiments, null);
    }

    /**
     * The training settings shared by every run. The class-imbalance settings ({@code classWeights},
     * {@code sampler}) are the medical task's: pretraining runs on a source task keep none and shuffle.
     */
    public record Training(int epochs, int batchSize, double lr, int evalEvery, OptimizerKind optimizer,
                           ScheduleKind schedule, double momentum, double weightDecay, Augment.Policy augment,
                           UncertaintyPolicy uncertainty, boolean frontalOnly, ClassWeights classWeights,
                           Sampler sampler, OperatingPoint operatingPoint, CalibrationKind calibrate) {
        /**
         * Adam with a cosine schedule, momentum 0.9, weight decay 1e-4, the default augmentation, CheXpert read
         * as the paper did (uncertain = positive, frontal views), unweighted shuffled training, Youden's operating
         * point and no recalibration.
         */
        public Training(int epochs, int batchSize, double lr, int evalEvery) {
            this(epochs, batchSize, lr, evalEvery, OptimizerKind.ADAM, ScheduleKind.COSINE, 0.9, 1e-4,
                    Augment.Policy.DEFAULT, UncertaintyPolicy.U_ONES, true, new ClassWeights.None(), Sampler.SHUFFLE,
                    new OperatingPoint.Youden(), CalibrationKind.NONE);
        }
    }

    /**
     * Where each model's pretrained weights come from, in this order: a file for it in {@code weights} (a file, or a
     * folder of {@code MODEL.safetensors}, {@code MODEL.npz} or Keras export folders); its published ImageNet weights
     * when {@code published} (fetched from the hub); else a pretraining run on {@code data} ({@code task},
     * {@code epochs}, at {@code imageSize}, 0 = the data's stored size). The paper used ImageNet for all.
     */
    public record Pretrain(String data, String task, int epochs, String weights, int imageSize, boolean published) {
        public Pretrain(String data, String task, int epochs, String weights) {
            this(data, task, epochs, weights, 0, true);
        }
    }

    /** Which experiments, each with its parameters; null = not run. */
    public record Experiments(Performance performance, SmallData smallData, Representations representations,
                              Convergence convergence, Transfusion transfusion, Hybrid hybrid, SizeSweep sizeSweep,
                              Forgetting forgetting) {
        /** The paper's experiments, without the size sweep and the forgetting experiment. */
        public Experiments(Performance performance, SmallData smallData, Representations representations,
                           Convergence convergence, Transfusion transfusion, Hybrid hybrid) {
            this(performance, smallData, representations, convergence, transfusion, hybrid, null, null);
        }
    }

    public record Performance(List<String> schemes) {}

    public record SmallData(List<Integer> sizes, List<String> schemes) {}

    public record Representations(int maxPoints, String conv) {}

    public record Convergence(List<String> schemes, List<Double> thresholds) {}

    public record Transfusion(String model, List<String> blocks) {}

    public record Hybrid(String model, List<String> schemes) {}

    /**
     * Change through training against model size: {@code models} (null = the study's models) each trained from
     * every scheme in {@code schemes}, probed on {@code maxPoints} rows per layer with conv maps folded by
     * {@code conv}.
     */
    public record SizeSweep(List<String> models, List<String> schemes, int maxPoints, String conv) {}

    /** Source-task accuracy along fine-tuning: the schemes, snapshots each run keeps, the probes' source images. */
    public record Forgetting(List<String> schemes, int snapshots, int trainImages, int testImages) {}

    /** The spec as plain maps and lists, in the YAML layout (for printing and for run.json of the study). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("data", data);
        m.put("task", task);
        m.put("image_size", imageSize);
        m.put("models", models);
        m.put("seeds", seeds);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("epochs", training.epochs());
        t.put("batch_size", training.batchSize());
        t.put("lr", training.lr());
        t.put("eval_every", training.evalEvery());
        t.put("optimizer", training.optimizer().spec());
        t.put("schedule", training.schedule().spec());
        t.put("momentum", training.momentum());
        t.put("weight_decay", training.weightDecay());
        t.put("augment", training.augment().spec());
        t.put("uncertainty", training.uncertainty().spec());
        t.put("frontal_only", training.frontalOnly());
        t.put("class_weights", training.classWeights().spec());
        t.put("sampler", training.sampler().spec());
        t.put("operating_point", training.operatingPoint().spec());
        t.put("calibrate", training.calibrate().spec());
        m.put("training", t);
        if (device != null) {
            m.put("device", device);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("data", pretrain.data());
        p.put("task", pretrain.task());
        p.put("epochs", pretrain.epochs());
        if (pretrain.weights() != null) {
            p.put("weights", pretrain.weights());
        }
        p.put("image_size", pretrain.imageSize());
        p.put("published", pretrain.published());
        m.put("pretrain", p);
        Map<String, Object> e = new LinkedHashMap<>();
        Experiments x = experiments;
        if (x.performance() != null) {
            e.put("performance", ordered("schemes", x.performance().schemes()));
        }
        if (x.smallData() != null) {
            e.put("small_data", ordered("sizes", x.smallData().sizes(), "schemes", x.smallData().schemes()));
        }
        if (x.representations() != null) {
            e.put("representations", ordered("max_points", x.representations().maxPoints(), "conv",
                    x.representations().conv()));
        }
        if (x.convergence() != null) {
            e.put("convergence", ordered("schemes", x.convergence().schemes(), "thresholds",
                    x.convergence().thresholds()));
        }
        if (x.transfusion() != null) {
            e.put("transfusion", ordered("model", x.transfusion().model(), "blocks", x.transfusion().blocks()));
        }
        if (x.hybrid() != null) {
            e.put("hybrid", ordered("model", x.hybrid().model(), "schemes", x.hybrid().schemes()));
        }
        if (x.sizeSweep() != null) {
            Map<String, Object> s = ordered("schemes", x.sizeSweep().schemes(), "max_points",
                    x.sizeSweep().maxPoints(), "conv", x.sizeSweep().conv());
            if (x.sizeSweep().models() != null) {
                s = ordered("models", x.sizeSweep().models(), "schemes", x.sizeSweep().schemes(), "max_points",
                        x.sizeSweep().maxPoints(), "conv", x.sizeSweep().conv());
            }
            e.put("size_sweep", s);
        }
        if (x.forgetting() != null) {
            e.put("forgetting", ordered("schemes", x.forgetting().schemes(), "snapshots", x.forgetting().snapshots(),
                    "train_images", x.forgetting().trainImages(), "test_images", x.forgetting().testImages()));
        }
        m.put("experiments", e);
        return m;
    }

    /** A map with its keys in the order given (Map.of's order changes from one JVM to the next). */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
