package org.transfusion.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.DatasetSpecs;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.SubsetSampling;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.run.ScheduleKind;
import org.transfusion.error.BadInputException;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The options of one training run, shared by {@code train} and {@code pretrain}; their defaults are
 * {@link RunSpec#DEFAULTS}'s, through {@link RunDefaults} (each command names it as its default provider).
 */
public final class TrainingOptions {
    @Option(names = "--spec", paramLabel = "FILE",
            description = "A run spec as JSON (what run.json records under \"spec\"; what `study --jobs` hands to each "
                    + "run): it defines the run, so no other run-defining option may be given with it")
    Path spec;

    @Option(names = "--data", paramLabel = "SPEC",
            description = "Dataset spec, e.g. npz:retinamnist.npz, medmnist:retinamnist, nih-cxr14:DIR")
    String data;

    @Option(names = "--skip-unreadable",
            description = "DICOM data: leave out files the header scan cannot decode (counted in run.json) instead "
                    + "of refusing the dataset; the data spec option unreadable=skip")
    boolean skipUnreadable;

    @Option(names = "--task", paramLabel = "TASK",
            description = "grade, referable, binary, multiclass, chexpert5, all14, multilabel (default: the dataset's), "
                    + "or segmentation (masks per pixel; its own defaults: see --patch-size)")
    String task;

    @Option(names = "--patch-size", paramLabel = "P",
            description = "Segmentation: side of the training patches and inference windows, a multiple of the "
                    + "model's stride (default: the largest multiple within the smallest image side and 96). "
                    + "A segmentation run's defaults differ: --epochs 12 --batch-size 16 (an epoch: patches "
                    + "covering the training images once)")
    Integer patchSize;

    @Option(names = "--classes", paramLabel = "N",
            description = "Segmentation: classes in the masks, background included (default: 2, binary)")
    Integer classes;

    @Option(names = "--model", paramLabel = "NAME", description = "Model name (see `transfusion models`)")
    String model;

    @Option(names = "--init", paramLabel = "SCHEME", description = {
            "random, pretrained, meanvar, meanvar-bn-copy, shuffle, moments, covariance, meanvar-channel, "
                    + "transfusion:BLOCK, slim, gabor[:low|high|mixed], gabor+meanvar[:band] (default: ${DEFAULT-VALUE}). "
                    + "The schemes drawn from pretrained statistics (conv/linear tensors re-drawn, batch-norm reset, "
                    + "a new head random):",
            "  " + InitScheme.MEANVAR_HELP, "  " + InitScheme.SHUFFLE_HELP, "  " + InitScheme.MOMENTS_HELP,
            "  " + InitScheme.COVARIANCE_HELP, "  " + InitScheme.MEANVAR_CHANNEL_HELP})
    InitScheme init;

    @Option(names = "--weights", paramLabel = "FILE", description = "Pretrained weights (safetensors) for transfer schemes")
    Path weights;

    @Option(names = "--checkpoint", paramLabel = "TAG",
            description = "Without --weights: the model's published checkpoint tagged TAG instead of its default "
                    + "(e.g. dino, a1_in1k; see `transfusion weights list`), fed inputs normalised as it was trained")
    String checkpoint;

    @Option(names = "--normalisation", paramLabel = "imagenet|inception|M,M,M/S,S,S",
            description = "Input mean and std per channel (RGB, on [0, 1]) (default: the model card's, or the "
                    + "--checkpoint's)")
    Normalisation normalisation;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default: ${DEFAULT-VALUE})")
    Integer epochs;

    @Option(names = "--steps", paramLabel = "N", description = "Training length in gradient steps (instead of --epochs)")
    Long steps;

    @Option(names = "--batch-size", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "Base learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--optimizer", paramLabel = "adam|sgd", description = "Optimizer (default: ${DEFAULT-VALUE})")
    OptimizerKind optimizer;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "W", description = "L2 weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--schedule", paramLabel = "constant|cosine|step", description = "Learning-rate schedule (default: ${DEFAULT-VALUE})")
    ScheduleKind schedule;

    @Option(names = "--image-size", paramLabel = "S", description = "Square input size (default: the dataset's)")
    Integer imageSize;

    @Option(names = "--channels", paramLabel = "1|3", description = "Model input channels (default: the dataset's)")
    Integer channels;

    @Option(names = "--augment", paramLabel = "default|none", description = "Training augmentation: flip, crop/scale, small rotation (default: ${DEFAULT-VALUE})")
    Augment.Policy augment;

    @Option(names = "--train-subset", paramLabel = "N", description = "Train on a seeded subset of N training images")
    Integer trainSubset;

    @Option(names = "--subset-sampling", paramLabel = "random|stratified",
            description = "How --train-subset draws its images: a seeded shuffle, or stratified by class; both "
                    + "nested across sizes for one seed (default: ${DEFAULT-VALUE})")
    SubsetSampling subsetSampling;

    @Option(names = "--width", paramLabel = "F", description = "Width factor (mobilenet-v2, CBRs) (default: ${DEFAULT-VALUE})")
    double width;

    @Option(names = "--eval-every", paramLabel = "K", description = "Validate every K steps (default: once per epoch)")
    int evalEvery;

    @Option(names = "--thresholds", split = ",", paramLabel = "AUC[,AUC...]",
            description = "Validation AUC thresholds for steps_to_auc in metrics.json (default: 0.6,0.65,...,0.95)")
    List<Double> thresholds;

    @Option(names = "--snapshots", paramLabel = "N",
            description = "Keep the weights at N evenly spaced validations in snapshots/step-K.safetensors, for "
                    + "'transfusion forgetting' (default: none)")
    int snapshots;

    @Option(names = "--uncertainty", paramLabel = "u-ones|u-zeros|u-ignore",
            description = "CheXpert: what uncertain labels become (default: ${DEFAULT-VALUE})")
    UncertaintyPolicy uncertainty;

    @Option(names = "--all-views", description = "CheXpert: keep lateral views too (default: frontal only, as the paper)")
    boolean allViews;

    @Option(names = "--class-weights", paramLabel = "auto|none|W[,W...]",
            description = "Loss weights against class imbalance: auto = pos_weight negatives/positives per label "
                    + "(binary, multi-label), N / (C n_c) per class (multiclass); or one weight per output "
                    + "(default: ${DEFAULT-VALUE})")
    ClassWeights classWeights;

    @Option(names = "--sampler", paramLabel = "shuffle|balanced",
            description = "Training batches: a seeded shuffle per epoch, or balanced (each draw picks a class "
                    + "uniformly, then an image of it; binary and multiclass tasks) (default: ${DEFAULT-VALUE})")
    Sampler sampler;

    @Option(names = "--operating-point", paramLabel = "youden|sens:S|T",
            description = "Threshold for the reported sensitivity, specificity, PPV, NPV, F1, chosen on validation: "
                    + "Youden's J, the highest reaching sensitivity S, or a fixed T (default: ${DEFAULT-VALUE})")
    OperatingPoint operatingPoint;

    @Option(names = "--calibrate", paramLabel = "none|temperature",
            description = "Fit a temperature on validation (NLL) and report test calibration before and after it "
                    + "(default: ${DEFAULT-VALUE})")
    CalibrationKind calibrate;

    @Option(names = "--seed", paramLabel = "S", description = "Root seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Engine threads (default: libtorch's choice)")
    int threads;

    @Option(names = "--device", paramLabel = "D", description = "cpu (default) or cuda[:N] (needs a CUDA libtorch; see "
            + "docs/scaling.md); also TRANSFUSION_DEVICE")
    String device;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where medmnist:NAME files are looked up first")
    Path dataDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run in --out from its last checkpoint")
    boolean resume;

    /**
     * The run spec: read from {@code --spec}, with only {@code --threads} and {@code --data-dir} (how and where it
     * runs) added; or built from the flags, whose defaults are {@link RunSpec#DEFAULTS} ({@link RunDefaults}; --steps
     * wins over --epochs).
     */
    RunSpec toSpec(CommandLine.ParseResult parsed) {
        if (spec != null) {
            List<String> defining = new ArrayList<>();
            for (CommandLine.Model.OptionSpec o : parsed.matchedOptions()) {
                if (!HOW_AND_WHERE.contains(o.longestName())) {
                    defining.add(o.longestName());
                }
            }
            if (!defining.isEmpty()) {
                throw new BadInputException("--spec defines the whole run; drop " + String.join(", ", defining)
                        + " (only " + String.join(", ", HOW_AND_WHERE) + " may be given with it)");
            }
            String text;
            try {
                text = Files.readString(spec);
            } catch (NoSuchFileException e) {
                throw new BadInputException(spec + ": file not found");
            } catch (IOException e) {
                throw new BadInputException(spec + ": cannot read (" + e.getMessage() + ")");
            }
            RunSpec s = RunSpec.fromJson(text, spec.toString());
            return s.toBuilder().threads(threads > 0 ? threads : s.threads())
                    .dataDir(dataDir != null ? dataDir : s.dataDir()).build();
        }
        if (data == null || model == null) {
            throw new BadInputException("give --data and --model (or --spec FILE)");
        }
        int batch = batchSize;
        double rate = lr;
        Integer epochCount = epochs;
        if (task != null && task.strip().equalsIgnoreCase(RunSpec.SEGMENTATION_DEFAULTS.task())) {
            // a segmentation's own defaults where the command line does not give the setting
            RunSpec d = RunSpec.SEGMENTATION_DEFAULTS;
            batch = parsed.hasMatchedOption("--batch-size") ? batchSize : d.batchSize();
            rate = parsed.hasMatchedOption("--lr") ? lr : d.lr();
            epochCount = parsed.hasMatchedOption("--epochs") ? epochs : d.epochs();
        }
        return RunSpec.builder(skipUnreadable ? DatasetSpecs.skipUnreadable(data) : data, model).task(task).init(init).weights(weights).normalisation(normalisation).length(steps, epochCount)
                .batchSize(batch).lr(rate).optimizer(optimizer).momentum(momentum).weightDecay(weightDecay)
                .schedule(schedule).imageSize(imageSize).evalEvery(evalEvery).seed(seed).augment(augment)
                .channels(channels).trainSubset(trainSubset).subsetSampling(subsetSampling).width(width).thresholds(thresholds).snapshots(snapshots)
                .uncertainty(uncertainty).frontalOnly(!allViews).classWeights(classWeights).sampler(sampler)
                .operatingPoint(operatingPoint).calibrate(calibrate).patchSize(patchSize).classes(classes).threads(threads)
                .dataDir(dataDir).build();
    }

    /** The options that say how and where a run executes, not what it is. */
    private static final List<String> HOW_AND_WHERE = List.of("--spec", "--threads", "--device", "--data-dir", "--out",
            "--resume");
}
