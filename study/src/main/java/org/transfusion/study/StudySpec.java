package org.transfusion.study;

import ai.djl.Device;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.SubsetSampling;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.run.ScheduleKind;

/**
 * A study: the dataset and task, the architectures, seeds, training budget, the pretraining source, and which of
 * the paper's experiments to run. Read from YAML by {@link SpecReader} and written back by {@link #toMap}, both
 * through one table of its keys ({@link SpecSchema}); the presets ({@link Presets}) are specs.
 *
 * @param device where every run trains (cpu, cuda:N); null = the process's default. Like a run's thread count it
 *               is not part of the study's identity, so a study started on one device resumes on another
 */
public record StudySpec(String name, String data, String task, int imageSize, List<String> models, List<Long> seeds,
                        Training training, Pretrain pretrain, Experiments experiments, Device device) {

    /** A spec whose runs use the default device. */
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
                           Sampler sampler, OperatingPoint operatingPoint, CalibrationKind calibrate,
                           SubsetSampling subsetSampling) {
        /**
         * A study's training length when its spec gives none: its own default (a study trains many runs), where
         * {@code train} takes {@link RunSpec#DEFAULTS}' 20 epochs. Kept at 10 so that a spec without
         * {@code training.epochs} still means what the study.json it wrote records.
         */
        public static final int DEFAULT_EPOCHS = 10;

        /** Every setting at its default: {@link RunSpec#DEFAULTS}' (the one source), but {@link #DEFAULT_EPOCHS}. */
        public static final Training DEFAULTS = of(RunSpec.DEFAULTS.toBuilder().epochs(DEFAULT_EPOCHS).build());

        /** A run's training settings (its epochs, not its steps). */
        public static Training of(RunSpec r) {
            return new Training(r.epochs(), r.batchSize(), r.lr(), r.evalEvery(), r.optimizer(), r.schedule(),
                    r.momentum(), r.weightDecay(), r.augment(), r.uncertainty(), r.frontalOnly(), r.classWeights(),
                    r.sampler(), r.operatingPoint(), r.calibrate(), r.subsetSampling());
        }

        /** This length, batch size, learning rate and validation interval; every other setting at its default. */
        public Training(int epochs, int batchSize, double lr, int evalEvery) {
            this(epochs, batchSize, lr, evalEvery, DEFAULTS.optimizer(), DEFAULTS.schedule(), DEFAULTS.momentum(),
                    DEFAULTS.weightDecay(), DEFAULTS.augment(), DEFAULTS.uncertainty(), DEFAULTS.frontalOnly(),
                    DEFAULTS.classWeights(), DEFAULTS.sampler(), DEFAULTS.operatingPoint(), DEFAULTS.calibrate(),
                    DEFAULTS.subsetSampling());
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
                              Forgetting forgetting, Segmentation segmentation, Practitioner practitioner,
                              External external) {
        /** The paper's experiments and the segmentation one (no practitioner study, no external validation). */
        public Experiments(Performance performance, SmallData smallData, Representations representations,
                           Convergence convergence, Transfusion transfusion, Hybrid hybrid, SizeSweep sizeSweep,
                           Forgetting forgetting, Segmentation segmentation) {
            this(performance, smallData, representations, convergence, transfusion, hybrid, sizeSweep, forgetting,
                    segmentation, null, null);
        }

        /** With a practitioner study, no external validation. */
        public Experiments(Performance performance, SmallData smallData, Representations representations,
                           Convergence convergence, Transfusion transfusion, Hybrid hybrid, SizeSweep sizeSweep,
                           Forgetting forgetting, Segmentation segmentation, Practitioner practitioner) {
            this(performance, smallData, representations, convergence, transfusion, hybrid, sizeSweep, forgetting,
                    segmentation, practitioner, null);
        }

        /** The classification experiments (no segmentation). */
        public Experiments(Performance performance, SmallData smallData, Representations representations,
                           Convergence convergence, Transfusion transfusion, Hybrid hybrid, SizeSweep sizeSweep,
                           Forgetting forgetting) {
            this(performance, smallData, representations, convergence, transfusion, hybrid, sizeSweep, forgetting,
                    null);
        }

        /** The paper's experiments, without the size sweep and the forgetting experiment. */
        public Experiments(Performance performance, SmallData smallData, Representations representations,
                           Convergence convergence, Transfusion transfusion, Hybrid hybrid) {
            this(performance, smallData, representations, convergence, transfusion, hybrid, null, null);
        }
    }

    /** An experiment's init schemes, parsed; their canonical names name its runs. */
    public interface Schemes {
        List<InitScheme> schemes();

        /** The schemes' canonical names ({@code transfusion:layer2}, {@code gabor:low}), in order. */
        default List<String> schemeNames() {
            return schemes().stream().map(InitScheme::spec).toList();
        }
    }

    public record Performance(List<InitScheme> schemes) implements Schemes {}

    public record SmallData(List<Integer> sizes, List<InitScheme> schemes) implements Schemes {}

    public record Representations(int maxPoints, ActivationProbe.Fold conv) {}

    /**
     * Convergence: steps to a validation AUC per scheme. {@code threshold} is the one the verdicts use, declared
     * before any run (null: {@link #declared}'s rule); the runs record steps to each of {@code thresholds} (which
     * hold it), the others shown as a sensitivity table only.
     */
    public record Convergence(List<InitScheme> schemes, List<Double> thresholds, Double threshold)
            implements Schemes {
        /** The validation AUC the verdicts use when a spec declares none and its thresholds hold it. */
        public static final double DEFAULT_THRESHOLD = 0.7;

        /** Without a declared threshold ({@link #declared}'s rule). */
        public Convergence(List<InitScheme> schemes, List<Double> thresholds) {
            this(schemes, thresholds, null);
        }

        /**
         * The threshold of the verdicts: the declared one; else {@value #DEFAULT_THRESHOLD} when the thresholds hold
         * it, else the lowest of them (a spec written before thresholds were declared keeps a rule fixed by the
         * spec, not by the runs).
         */
        public double declared() {
            if (threshold != null) {
                return threshold;
            }
            return thresholds.contains(DEFAULT_THRESHOLD) ? DEFAULT_THRESHOLD
                    : thresholds.stream().mapToDouble(Double::doubleValue).min().orElse(DEFAULT_THRESHOLD);
        }
    }

    public record Transfusion(String model, List<String> blocks) {}

    public record Hybrid(String model, List<InitScheme> schemes) implements Schemes {}

    /**
     * Change through training against model size: {@code models} (null = the study's models) each trained from
     * every scheme in {@code schemes}, probed on {@code maxPoints} rows per layer with conv maps folded by
     * {@code conv}.
     */
    public record SizeSweep(List<String> models, List<InitScheme> schemes, int maxPoints, ActivationProbe.Fold conv)
            implements Schemes {}

    /** Source-task accuracy along fine-tuning: the schemes, snapshots each run keeps, the probes' source images. */
    public record Forgetting(List<InitScheme> schemes, int snapshots, int trainImages, int testImages)
            implements Schemes {}

    /**
     * The segmentation experiment (the paper's open question): the study's U-Nets trained on its segmentation data
     * from each scheme (every seed); {@code threshold} is the validation Dice the convergence verdicts use, declared
     * before training; {@code blocks} the encoder blocks transfused up to (each a {@code transfusion:BLOCK} run);
     * {@code maxPoints} the probe's rows per layer for the before/after change.
     */
    public record Segmentation(List<InitScheme> schemes, List<String> blocks, double threshold, int maxPoints,
                               CompareWith compareWith) implements Schemes {
        /** Without a classification task to compare the encoder's change with. */
        public Segmentation(List<InitScheme> schemes, List<String> blocks, double threshold, int maxPoints) {
            this(schemes, blocks, threshold, maxPoints, null);
        }

        /** Every scheme a model runs: the listed ones, then transfusion up to each block. */
        public List<String> allSchemes() {
            List<String> out = new java.util.ArrayList<>(schemeNames());
            blocks.forEach(b -> out.add("transfusion:" + b));
            return out;
        }
    }

    /**
     * A classification task on the same kind of images as a segmentation study's ({@code data}, {@code task}), for
     * each U-Net's encoder trained from random init and from its pretrained weights on every seed, so that the
     * encoder's change through segmentation can be set beside its change through classification;
     * {@code imageSize} 0 = the data's stored size, {@code epochs} 0 = the study's.
     */
    public record CompareWith(String data, String task, int imageSize, int epochs) {}

    /**
     * The practitioner's question (issue 31): per backbone and training-set size, which start to take. Every model
     * trains on each of {@code sizes} (stratified, nested subsets where {@code training.subset_sampling} is
     * {@code stratified}; 0 = the whole training split) from random init, from random init with {@code longFactor}
     * times the study's epochs ({@code random-long}, the control of He et al. 2019: does transfer's gain survive
     * equal tuning?), and from each of {@code sources} that has weights for it ({@link WeightsSpec}); {@code
     * threshold} is the validation AUC whose steps compare the arms' convergence, declared before training.
     */
    public record Practitioner(List<Integer> sizes, List<WeightsSpec> sources, double longFactor, double threshold) {
        /** The arm trained from random init for {@link #longFactor} times the epochs. */
        public static final String RANDOM_LONG = "random-long";

        /** The run label of the arm started from {@code source}. */
        public static String arm(WeightsSpec source) {
            return "from:" + source.slug();
        }

        /** Every arm a model can have, in report order: random, random-long, then each source. */
        public List<String> arms() {
            List<String> out = new java.util.ArrayList<>(List.of("random", RANDOM_LONG));
            sources.forEach(s -> out.add(arm(s)));
            return out;
        }

        /** A size as a run's train subset: null for 0 (all). */
        public static Integer subset(int size) {
            return size == 0 ? null : size;
        }
    }

    /**
     * External validation (issue 31.5): every run's best weights scored on {@code split} of a second dataset,
     * {@code data}, whose task gives the study's outputs by name ({@code ?relabel=} in its spec maps its labels onto
     * the study's classes explicitly), so the report can say whether the starts' ranking holds out of distribution.
     */
    public record External(String data, String split) {}

    /** Init schemes by name ({@code "random"}, {@code "transfusion:layer2"}), each parsed by {@link InitScheme#parse}. */
    public static List<InitScheme> schemes(List<String> names) {
        return names.stream().map(InitScheme::parse).toList();
    }

    /**
     * The spec as plain maps and lists, in the YAML layout (for printing, for study.json, and read back by
     * {@link SpecReader}): written through the same table of keys the reader reads ({@link SpecSchema}).
     */
    public Map<String, Object> toMap() {
        return SpecSchema.STUDY.write(this);
    }
}
