package org.transfusion.engine.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.ImageFiles;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.SubsetSampling;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.error.BadInputException;

/**
 * Everything that determines a training run, typed and immutable. Its JSON form ({@link #toJson}, snake_case
 * keys, enums and schemes by their names) is what run.json records under {@code spec} and what a child process or
 * a remote worker receives ({@code train --spec FILE}); {@link #fromJson} reads it back to an equal value. The
 * {@code train} flags, study specs and presets all build one through {@link #builder}.
 *
 * <p>{@link #identity()} is the run without how and where it executes ({@code threads}, {@code dataDir}) and
 * without what it keeps beyond its results ({@code snapshots}): two
 * specs with the same identity are the same run, so a folder written under {@code --jobs 1} resumes under
 * {@code --jobs 2}.
 *
 * @param normalisation the inputs' per-channel mean and std; null = the model card's. A pretrained checkpoint
 *                     trained with others gives its own (a DINO ViT: ImageNet's where the card has 0.5); one equal
 *                     to the card's is stored as null, so the two spell the same run
 * @param epochs       training length in epochs (used when {@code steps} is null)
 * @param steps        training length in gradient steps (wins over epochs)
 * @param imageSize    square input size; null = the dataset's stored size
 * @param evalEvery    validation every K steps; 0 = once per epoch
 * @param channels     model input channels; null = the dataset's (3 when pretrained weights need RGB)
 * @param trainSubset  train on a seeded subset of this many images (the paper's small-data experiments)
 * @param subsetSampling how that subset is drawn: a seeded shuffle (default) or stratified by class, both nested
 *                     across sizes ({@link SubsetSampling})
 * @param thresholds   validation AUC thresholds for steps_to_auc
 * @param snapshots    keep the weights at this many evenly spaced validations ({@code snapshots/step-K.safetensors},
 *                     the forgetting measurement's training curve); 0 = none. Not part of the identity: it changes
 *                     what is kept, not what is trained
 * @param uncertainty  CheXpert: what uncertain labels become (u-ones by default)
 * @param frontalOnly  CheXpert: frontal views only (true by default, as in the paper)
 * @param classWeights the training loss's class weights against imbalance (none by default)
 * @param sampler      how training batches pick images: a shuffle per epoch (default) or class-balanced draws
 * @param operatingPoint how each output's decision threshold is set on validation for the reported
 *                     sensitivity, specificity, PPV, NPV and F1 (Youden's J by default)
 * @param calibrate    temperature scaling fitted on validation before test calibration is reported (none by default)
 * @param patchSize    segmentation: the side of the training patches and of the inference windows; null = chosen
 *                     for the data ({@code RunSetup.defaultPatch})
 * @param classes      segmentation: the number of classes, background included; null = 2 (binary)
 * @param threads      engine threads; 0 = libtorch's choice (not part of the identity)
 * @param dataDir      where {@code medmnist:NAME} files are looked up first (not part of the identity)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RunSpec(String data, String task, String model, InitScheme init, Path weights,
                      Normalisation normalisation, Integer epochs,
                      Long steps, int batchSize, double lr, OptimizerKind optimizer, double momentum,
                      double weightDecay, ScheduleKind schedule, Integer imageSize, int evalEvery, long seed,
                      Augment.Policy augment, Integer channels, Integer trainSubset,
                      SubsetSampling subsetSampling, double width,
                      List<Double> thresholds, int snapshots, UncertaintyPolicy uncertainty, Boolean frontalOnly,
                      ClassWeights classWeights, Sampler sampler, OperatingPoint operatingPoint,
                      CalibrationKind calibrate, Integer patchSize, Integer classes, int threads, Path dataDir) {

    // The range of each numeric setting, checked by validate() here and by the study spec reader under its own
    // names: one rule per quantity, whoever reads it.
    public static final Range EPOCHS = Range.whole(1, Integer.MAX_VALUE);
    public static final Range STEPS = Range.whole(1, Long.MAX_VALUE);
    public static final Range BATCH_SIZE = Range.whole(1, Integer.MAX_VALUE);
    public static final Range LR = Range.positive(10);
    public static final Range MOMENTUM = Range.real(0, 1, false);
    public static final Range WEIGHT_DECAY = Range.real(0, 1, true);
    /** A square input side: its pixels within the limit of an input image ({@link ImageFiles#MAX_PIXELS}). */
    public static final Range IMAGE_SIZE = Range.whole(1, (long) Math.sqrt(ImageFiles.MAX_PIXELS));
    public static final Range EVAL_EVERY = Range.whole(0, Integer.MAX_VALUE).orZero("once per epoch");
    public static final Range TRAIN_SUBSET = Range.whole(2, Integer.MAX_VALUE);
    public static final Range WIDTH = Range.positive(10);
    public static final Range SNAPSHOTS = Range.whole(0, Integer.MAX_VALUE).orZero("none");
    public static final Range SEED = Range.whole(0, Long.MAX_VALUE);
    public static final Range THREADS = Range.whole(0, Integer.MAX_VALUE).orZero("libtorch's choice");
    public static final Range AUC_THRESHOLD = new Range(0, true, 1, true, false, null);
    public static final Range PATCH_SIZE = Range.whole(8, 4096);
    /** Classes of a segmentation, background included: a mask is bytes. */
    public static final Range CLASSES = Range.whole(2, 255);

    public static final List<Double> DEFAULT_THRESHOLDS = List.of(0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95);

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule().addSerializer(Path.class, new PathText())
                    .addDeserializer(Path.class, new PathParser()));

    public RunSpec {
        if (data == null || model == null) {
            throw new BadInputException("a run needs data and a model");
        }
        init = init == null ? new InitScheme.Random() : init;
        weights = weights == null ? null : weights.toAbsolutePath().normalize();
        Normalisation given = normalisation;
        normalisation = given == null || ModelRegistry.find(model).filter(c -> c.normalisation().equals(given))
                .isPresent() ? null : given;
        optimizer = optimizer == null ? OptimizerKind.ADAM : optimizer;
        schedule = schedule == null ? ScheduleKind.COSINE : schedule;
        augment = augment == null ? Augment.Policy.DEFAULT : augment;
        thresholds = thresholds == null || thresholds.isEmpty() ? DEFAULT_THRESHOLDS : List.copyOf(thresholds);
        uncertainty = uncertainty == null ? UncertaintyPolicy.U_ONES : uncertainty;
        frontalOnly = frontalOnly == null ? Boolean.TRUE : frontalOnly;
        classWeights = classWeights == null ? new ClassWeights.None() : classWeights;
        sampler = sampler == null ? Sampler.SHUFFLE : sampler;
        subsetSampling = subsetSampling == null ? SubsetSampling.RANDOM : subsetSampling;
        operatingPoint = operatingPoint == null ? new OperatingPoint.Youden() : operatingPoint;
        calibrate = calibrate == null ? CalibrationKind.NONE : calibrate;
    }

    /**
     * Every setting at its default (20 epochs, batch 64, Adam at 1e-3 with a cosine schedule, momentum 0.9, weight
     * decay 1e-4, ...): the one source of the defaults, read by {@link #builder}, the {@code train} and
     * {@code pretrain} flags and the study spec's training section. Its data and model are empty: a run names both.
     */
    public static final RunSpec DEFAULTS = new RunSpec("", null, "", null, null, null, 20, null, 64, 1e-3, null, 0.9, 1e-4,
            null, null, 0, 0L, null, null, null, null, 1.0, null, 0, null, null, null, null, null, null, null, null, 0, null);

    /**
     * The settings a segmentation run (task {@code segmentation}) takes where its command does not give them, in
     * place of {@link #DEFAULTS}' classification ones: an epoch of patches covers the training images' area once
     * ({@code data.PatchSampler}), so a few hundred small-batch steps per CHASE_DB1 epoch; sized so that unet-resnet18
     * on CHASE_DB1 trains in under 30 minutes on 2 CPU cores (docs/segmentation.md gives the measurement).
     */
    public static final RunSpec SEGMENTATION_DEFAULTS = DEFAULTS.toBuilder().task("segmentation").epochs(12)
            .batchSize(16).lr(1e-3).build();

    /** A run of {@code model} on {@code data} with every other setting at its default ({@link #DEFAULTS}). */
    public static Builder builder(String data, String model) {
        return new Builder(DEFAULTS).data(data).model(model);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** This run without how and where it executes: equal identities are the same run. */
    @JsonIgnore
    public RunSpec identity() {
        return toBuilder().threads(0).dataDir(null).snapshots(0).build();
    }

    /** Whether {@code other} is the same run (equal {@link #identity()}). */
    public boolean sameRunAs(RunSpec other) {
        return identity().equals(other.identity());
    }

    /**
     * Checks everything that can be checked without opening the data: numeric ranges, the model and, for the init
     * scheme, that it fits the model (its block exists; slim only on a slim model) and has weights when it needs
     * them. Every failure is a {@link BadInputException} naming the option.
     */
    public RunSpec validate() {
        BATCH_SIZE.check("--batch-size", batchSize);
        LR.check("--lr", lr);
        MOMENTUM.check("--momentum", momentum);
        WEIGHT_DECAY.check("--weight-decay", weightDecay);
        if (steps != null) {
            STEPS.check("--steps", steps);
        } else if (epochs != null) {
            EPOCHS.check("--epochs", epochs);
        } else {
            throw new BadInputException("give a positive --epochs or --steps");
        }
        if (imageSize != null) {
            IMAGE_SIZE.check("--image-size", imageSize);
        }
        if (trainSubset != null) {
            TRAIN_SUBSET.check("--train-subset", trainSubset);
        }
        if (channels != null && channels != 1 && channels != 3) {
            throw new BadInputException("--channels must be 1 or 3, got " + channels);
        }
        WIDTH.check("--width", width);
        SNAPSHOTS.check("--snapshots", snapshots);
        EVAL_EVERY.check("--eval-every", evalEvery);
        SEED.check("--seed", seed);
        THREADS.check("--threads", threads);
        for (double t : thresholds) {
            AUC_THRESHOLD.check("--thresholds", t);
        }
        if (patchSize != null) {
            PATCH_SIZE.check("--patch-size", patchSize);
        }
        if (classes != null) {
            CLASSES.check("--classes", classes);
        }
        Architecture arch = ModelRegistry.get(model).build(channels == null ? 3 : channels, 2, width);
        init.checkFits(arch);
        if (init.needsWeights() && weights == null) {
            throw new BadInputException("--init " + init.spec() + " needs --weights FILE (pretrained weights: "
                    + "safetensors, or a Keras MobileNetV2 export); " + model + " has no published weights to fetch "
                    + "(see `transfusion weights list`)");
        }
        if (!init.needsWeights() && weights != null) {
            throw new BadInputException("--weights is not used by --init " + init.spec());
        }
        return this;
    }

    /** The JSON form: every field, snake_case keys, in declaration order. */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("a run spec that cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** As a JSON tree (for embedding in run.json). */
    public JsonNode toTree() {
        return MAPPER.valueToTree(this);
    }

    /** Reads the JSON form back; {@code source} names where it came from in errors (file and field). */
    public static RunSpec fromJson(JsonNode json, String source) {
        try {
            return MAPPER.treeToValue(json, RunSpec.class);
        } catch (BadInputException e) {
            throw new BadInputException(source + ": " + e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof BadInputException b ? b : e;
            String message = cause.getMessage() == null ? cause.toString() : cause.getMessage().split("\n")[0];
            throw new BadInputException(source + ": not a run spec (" + message + ")");
        }
    }

    public static RunSpec fromJson(String json, String source) {
        try {
            return fromJson(MAPPER.readTree(json), source);
        } catch (IOException e) {
            throw new BadInputException(source + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
    }

    /** Builds a {@link RunSpec} field by field; every field starts at the value it was built from. */
    public static final class Builder {
        private String data;
        private String task;
        private String model;
        private InitScheme init;
        private Path weights;
        private Normalisation normalisation;
        private Integer epochs;
        private Long steps;
        private int batchSize;
        private double lr;
        private OptimizerKind optimizer;
        private double momentum;
        private double weightDecay;
        private ScheduleKind schedule;
        private Integer imageSize;
        private int evalEvery;
        private long seed;
        private Augment.Policy augment;
        private Integer channels;
        private Integer trainSubset;
        private SubsetSampling subsetSampling;
        private double width;
        private List<Double> thresholds;
        private int snapshots;
        private UncertaintyPolicy uncertainty;
        private Boolean frontalOnly;
        private ClassWeights classWeights;
        private Sampler sampler;
        private OperatingPoint operatingPoint;
        private CalibrationKind calibrate;
        private Integer patchSize;
        private Integer classes;
        private int threads;
        private Path dataDir;

        private Builder(RunSpec s) {
            data = s.data;
            task = s.task;
            model = s.model;
            init = s.init;
            weights = s.weights;
            normalisation = s.normalisation;
            epochs = s.epochs;
            steps = s.steps;
            batchSize = s.batchSize;
            lr = s.lr;
            optimizer = s.optimizer;
            momentum = s.momentum;
            weightDecay = s.weightDecay;
            schedule = s.schedule;
            imageSize = s.imageSize;
            evalEvery = s.evalEvery;
            seed = s.seed;
            augment = s.augment;
            channels = s.channels;
            trainSubset = s.trainSubset;
            subsetSampling = s.subsetSampling;
            width = s.width;
            thresholds = s.thresholds;
            snapshots = s.snapshots;
            uncertainty = s.uncertainty;
            frontalOnly = s.frontalOnly;
            classWeights = s.classWeights;
            sampler = s.sampler;
            operatingPoint = s.operatingPoint;
            calibrate = s.calibrate;
            patchSize = s.patchSize;
            classes = s.classes;
            threads = s.threads;
            dataDir = s.dataDir;
        }

        public Builder data(String v) { data = v; return this; }
        public Builder task(String v) { task = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder init(InitScheme v) { init = v; return this; }
        public Builder weights(Path v) { weights = v; return this; }
        public Builder normalisation(Normalisation v) { normalisation = v; return this; }
        public Builder epochs(Integer v) { epochs = v; return this; }
        public Builder steps(Long v) { steps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder optimizer(OptimizerKind v) { optimizer = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder schedule(ScheduleKind v) { schedule = v; return this; }
        public Builder imageSize(Integer v) { imageSize = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder augment(Augment.Policy v) { augment = v; return this; }
        public Builder channels(Integer v) { channels = v; return this; }
        public Builder trainSubset(Integer v) { trainSubset = v; return this; }
        public Builder subsetSampling(SubsetSampling v) { subsetSampling = v; return this; }
        public Builder width(double v) { width = v; return this; }
        public Builder thresholds(List<Double> v) { thresholds = v; return this; }
        public Builder snapshots(int v) { snapshots = v; return this; }
        public Builder uncertainty(UncertaintyPolicy v) { uncertainty = v; return this; }
        public Builder frontalOnly(Boolean v) { frontalOnly = v; return this; }
        public Builder classWeights(ClassWeights v) { classWeights = v; return this; }
        public Builder sampler(Sampler v) { sampler = v; return this; }
        public Builder operatingPoint(OperatingPoint v) { operatingPoint = v; return this; }
        public Builder calibrate(CalibrationKind v) { calibrate = v; return this; }
        public Builder patchSize(Integer v) { patchSize = v; return this; }
        public Builder classes(Integer v) { classes = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }

        /** Training length in steps, or in epochs when {@code steps} is null (the other is cleared). */
        public Builder length(Long stepCount, Integer epochCount) {
            steps = stepCount;
            epochs = stepCount == null ? epochCount : null;
            return this;
        }

        public RunSpec build() {
            return new RunSpec(data, task, model, init, weights, normalisation, epochs, steps, batchSize, lr, optimizer, momentum,
                    weightDecay, schedule, imageSize, evalEvery, seed, augment, channels, trainSubset, subsetSampling,
                    width, thresholds, snapshots, uncertainty, frontalOnly, classWeights, sampler, operatingPoint, calibrate,
                    patchSize, classes, threads, dataDir);
        }
    }

    /** Paths as plain text (Jackson's default is a file: URI). */
    private static final class PathText extends StdSerializer<Path> {
        PathText() {
            super(Path.class);
        }

        @Override
        public void serialize(Path p, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeString(p.toString());
        }
    }

    private static final class PathParser extends StdDeserializer<Path> {
        PathParser() {
            super(Path.class);
        }

        @Override
        public Path deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            return Path.of(p.getValueAsString());
        }
    }
}
