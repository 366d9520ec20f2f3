package org.transfusion.cli;

import java.nio.file.Path;
import org.transfusion.engine.train.TrainOptions;
import picocli.CommandLine.Option;

/** The options of one training run, shared by {@code train} and {@code pretrain}. */
public final class TrainingOptions {
    @Option(names = "--data", required = true, paramLabel = "SPEC",
            description = "Dataset spec, e.g. npz:retinamnist.npz, medmnist:retinamnist, nih-cxr14:DIR")
    String data;

    @Option(names = "--task", paramLabel = "TASK",
            description = "grade, referable, binary, multiclass, chexpert5, all14, multilabel (default: the dataset's)")
    String task;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name (see `transfusion models`)")
    String model;

    @Option(names = "--init", defaultValue = "random", paramLabel = "SCHEME", description = "random, pretrained, meanvar, meanvar-bn-copy, transfusion:BLOCK, slim, gabor[:low|high|mixed], gabor+meanvar (default: ${DEFAULT-VALUE})")
    String init;

    @Option(names = "--weights", paramLabel = "FILE", description = "Pretrained weights (safetensors) for transfer schemes")
    Path weights;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default: 20)")
    Integer epochs;

    @Option(names = "--steps", paramLabel = "N", description = "Training length in gradient steps (instead of --epochs)")
    Long steps;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", paramLabel = "LR", description = "Base learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|sgd", description = "Optimizer (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", paramLabel = "M", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0.0001", paramLabel = "W", description = "L2 weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "cosine", paramLabel = "constant|cosine|step", description = "Learning-rate schedule (default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--image-size", paramLabel = "S", description = "Square input size (default: the dataset's)")
    Integer imageSize;

    @Option(names = "--channels", paramLabel = "1|3", description = "Model input channels (default: the dataset's)")
    Integer channels;

    @Option(names = "--augment", defaultValue = "default", paramLabel = "default|none", description = "Training augmentation: flip, crop/scale, small rotation (default: ${DEFAULT-VALUE})")
    String augment;

    @Option(names = "--train-subset", paramLabel = "N", description = "Train on a seeded subset of N training images")
    Integer trainSubset;

    @Option(names = "--width", defaultValue = "1.0", paramLabel = "F", description = "Width multiplier (mobilenet-v2) (default: ${DEFAULT-VALUE})")
    double width;

    @Option(names = "--eval-every", defaultValue = "0", paramLabel = "K", description = "Validate every K steps (default: once per epoch)")
    int evalEvery;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Root seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "T", description = "Engine threads (default: libtorch's choice)")
    int threads;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where medmnist:NAME files are looked up first")
    Path dataDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run in --out from its last checkpoint")
    boolean resume;

    /** The engine's options from the command line (20 epochs when neither --epochs nor --steps is given). */
    TrainOptions toOptions() {
        Integer e = steps == null && epochs == null ? Integer.valueOf(20) : epochs;
        return new TrainOptions(data, task, model, init, weights, steps == null ? e : null, steps, batchSize, lr,
                optimizer, momentum, weightDecay, schedule, imageSize, evalEvery, seed, threads, augment, channels,
                trainSubset, width, dataDir, TrainOptions.DEFAULT_THRESHOLDS);
    }
}
