package org.transfusion.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.error.BadInputException;

/**
 * The paper's experiments as specs, at three scales: {@code demo} (synthetic data, 32 px, one small CBR, two
 * seeds: minutes on a laptop), {@code quick} (real data at 64 px, ImageNet resnet18 and CIFAR-10-pretrained CBRs,
 * three seeds: a CPU) and {@code paper} (224 px, the paper's architectures, ImageNet for all, five seeds: a GPU).
 */
public final class Presets {
    public static final List<String> NAMES =
            List.of("performance", "small-data", "representations", "convergence", "transfusion", "hybrid",
                    "init-statistics", "size-sweep", "forgetting", "all", "segmentation", "practitioner");
    public static final List<String> SCALES = List.of("demo", "quick", "paper");

    private Presets() {}

    /** The convergence thresholds recorded: 0.7, 0.8, 0.9; the demo's short runs 0.6, 0.65, 0.7. */
    private static List<Double> thresholds(boolean demo) {
        return demo ? List.of(0.6, 0.65, 0.7) : List.of(0.7, 0.8, 0.9);
    }

    /**
     * The size-sweep preset's models below paper scale: the four CBRs (width, depth and kernel vary together), and
     * cbr-small's width series at fixed depth and depth series at fixed width, six sizes each (cbr-small itself in
     * both); the demo, the four CBRs and its short width series.
     */
    private static List<String> sweepModels(boolean demo) {
        List<String> out = new ArrayList<>(SizeSweepExperiment.CBRS);
        for (String m : SizeSweepExperiment.widthSeries("cbr-small",
                demo ? SizeSweepExperiment.DEMO_WIDTHS : SizeSweepExperiment.WIDTHS)) {
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        if (!demo) {
            for (String m : SizeSweepExperiment.depthSeries("cbr-small", SizeSweepExperiment.DEPTHS)) {
                if (!out.contains(m)) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    public static StudySpec get(String name, String scale) {
        return get(name, scale, null);
    }

    /**
     * The preset {@code name} at {@code scale}; {@code weightsDir} (or null) is where pretrained weights files are
     * looked for first, and at {@code quick} scale the ImageNet MobileNetV2-0.35 joins the models when its Keras
     * export is there.
     */
    public static StudySpec get(String name, String scale, Path weightsDir) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(n)) {
            throw new BadInputException("unknown preset '" + name + "'" + suggestion(n, NAMES) + " (presets: "
                    + String.join(", ", NAMES) + "; or give a SPEC.yaml file)");
        }
        String s = scale.toLowerCase(Locale.ROOT);
        if (!SCALES.contains(s)) {
            throw new BadInputException("unknown --scale '" + scale + "'" + suggestion(s, SCALES) + " (expected "
                    + String.join(", ", SCALES) + ")");
        }
        if (n.equals("segmentation")) {
            return segmentation(s, weightsDir);
        }
        if (n.equals("practitioner")) {
            return practitioner(s, weightsDir);
        }
        boolean demo = s.equals("demo");
        boolean paper = s.equals("paper");
        boolean sweep = n.equals("size-sweep");
        // The size sweep needs several sizes: below paper scale the four CBRs and cbr-small's width and depth series
        // (issue 30.9); in "all", cbr-small's width series from random init (below).
        List<String> models = new ArrayList<>(sweep && !paper ? sweepModels(demo) : demo ? List.of("cbr-small") : paper
                ? List.of("resnet50", "inception-v3", "cbr-large-tall", "cbr-large-wide", "cbr-small", "cbr-tiny")
                : List.of("resnet18", "cbr-small", "cbr-tiny"));
        ModelCard keras = ModelRegistry.get("mobilenet-v2-0.35-keras");
        if (s.equals("quick") && !sweep && weightsDir != null
                && keras.localWeightsNames().stream().anyMatch(f -> Files.isDirectory(weightsDir.resolve(f)))) {
            models.add(keras.name());
        }
        List<Long> seeds = paper ? List.of(0L, 1L, 2L, 3L, 4L) : demo ? List.of(0L, 1L) : List.of(0L, 1L, 2L);
        // The demo stays under ten minutes on a 2-core machine with its segmentation part: 1,000 images at 32 px,
        // batches of 32 for 5 epochs (more, smaller steps learn the synthetic task better than 6 epochs of 64 on
        // 1,500 images, in about 80% of the time).
        StudySpec.Training training = demo ? new StudySpec.Training(5, 32, 1e-3, 8)
                : paper ? new StudySpec.Training(30, 32, 1e-3, 250) : new StudySpec.Training(10, 64, 1e-3, 4);
        String weights = weightsDir == null ? null : weightsDir.toString();
        // What "pretrained" means at each scale (docs/study.md): demo, synthetic natural images (offline);
        // quick, ImageNet weights where published (resnet18; the Keras MobileNetV2-0.35 from --weights-dir) and
        // CIFAR-10 at its own 32 px for the CBRs; paper, ImageNet for all: published ResNet50/Inception-v3 and the
        // CBRs pretrained on imagenet:PATH (--pretrain-data) or given as files in --weights-dir.
        StudySpec.Pretrain pretrain = demo
                ? new StudySpec.Pretrain("synthetic:natural?n=2000&size=32", "multiclass", 3, weights, 0, false)
                : paper ? new StudySpec.Pretrain(null, "multiclass", 30, weights, 224, true)
                : new StudySpec.Pretrain("cifar10:download", "multiclass", 3, weights, 32, true);
        String small = "cbr-small";
        boolean all = n.equals("all");
        boolean initStatistics = n.equals("init-statistics");
        if (initStatistics) {
            models.retainAll(List.of(paper ? "resnet50" : "cbr-small")); // one model: nine schemes per seed
        }
        StudySpec.Experiments e = new StudySpec.Experiments(
                all || n.equals("performance") ? new StudySpec.Performance(StudySpec.schemes(List.of("random", "pretrained"))) : null,
                all || n.equals("small-data") ? new StudySpec.SmallData(demo ? List.of(150) : paper
                        ? List.of(5000, 1000) : List.of(300, 100), StudySpec.schemes(List.of("random", "pretrained"))) : null,
                all || n.equals("representations") ? new StudySpec.Representations(demo ? 3000 : paper ? 25000 : 5000, ActivationProbe.Fold.FLATTEN) : null,
                // init-statistics: the convergence comparison of Mean Var with the schemes that keep more of the
                // pretrained statistics (and Gabor, transfer); its own preset (eight runs per seed beyond random).
                // The verdicts' threshold is declared here, before any run: 0.8 at paper scale (ResNet50 and
                // Inception-v3 on CheXpert or EyePACS), 0.7 below, 0.65 in the demo (its runs are short); the
                // others listed are recorded too (sensitivity).
                initStatistics ? new StudySpec.Convergence(StudySpec.schemes(ConvergenceExperiment.INIT_STATISTICS),
                        thresholds(demo), paper ? 0.8 : demo ? 0.65 : 0.7)
                        : all || n.equals("convergence") ? new StudySpec.Convergence(StudySpec.schemes(List.of("random",
                        "pretrained", "meanvar")), thresholds(demo), paper ? 0.8 : demo ? 0.65 : 0.7) : null,
                all || n.equals("transfusion") ? new StudySpec.Transfusion(paper ? "resnet50" : small,
                        paper ? List.of("conv1", "layer1", "layer2", "layer3", "layer4")
                                : demo && all ? List.of("layer1", "layer2") : List.of("layer1", "layer2", "layer3")) : null,
                all || n.equals("hybrid") ? new StudySpec.Hybrid(paper ? "resnet50" : small,
                        StudySpec.schemes(List.of("slim", "gabor", "gabor+meanvar"))) : null,
                // size-sweep: its own preset (the CBRs and cbr-small's width and depth series, from random and
                // pretrained); inside `all` below paper scale, cbr-small's width series at fixed depth from random
                // init alone, so that no other pretraining is trained (the paper's "large models change less" holds
                // from random init too) and the demo stays short (its four widths cost about two cbr-small runs).
                // Below paper scale the preset's 14 models train from random init only: from pretrained weights each
                // variant would need a pretraining of its own (14 on CIFAR-10), for a claim that holds from random
                // init too; a spec adds `schemes: [random, pretrained]` where wanted.
                sweep ? new StudySpec.SizeSweep(null, StudySpec.schemes(paper ? List.of("random", "pretrained")
                        : List.of("random")),
                        demo ? 3000 : paper ? 25000 : 5000, ActivationProbe.Fold.FLATTEN)
                        : all && !paper ? new StudySpec.SizeSweep(SizeSweepExperiment.widthSeries(small,
                        demo ? SizeSweepExperiment.DEMO_WIDTHS : SizeSweepExperiment.WIDTHS),
                        StudySpec.schemes(List.of("random")), demo ? 3000 : 5000, ActivationProbe.Fold.FLATTEN)
                        : null,
                all || n.equals("forgetting") ? new StudySpec.Forgetting(
                        StudySpec.schemes(demo && all ? List.of("random", "pretrained", "transfusion:layer2")
                                : List.of("random", "pretrained", "transfusion:layer2", "slim")), demo ? 2 : paper ? 8 : 4,
                        demo ? 300 : paper ? 5000 : 2000, demo ? 200 : paper ? 2000 : 1000) : null);
        String data = demo ? "synthetic:retina?n=1000&size=32" : null;
        return new StudySpec(n, data, "referable", demo ? 32 : paper ? 224 : 64, models, seeds, training, pretrain, e);
    }

    /**
     * The segmentation study (the paper's open question) at {@code scale}: U-Nets trained on masks from random init,
     * pretrained encoders, Mean Var, Gabor and transfusion up to low encoder blocks, with the validation Dice
     * threshold of the convergence verdicts declared here, before any run. {@code demo}: synthetic vessels at 64 px,
     * unet-cbr-small on 32 px patches, two seeds, transfusion up to layer1, the encoder pretrained on synthetic
     * natural images (minutes, offline), compared with the synthetic fundus classification task; {@code quick}: the
     * data given (e.g. chase-db1:PATH), 64 px patches, one epoch validated three times, three seeds, no Gabor, the ImageNet
     * MobileNetV2-0.35 encoder when {@code weightsDir} has its Keras export, else unet-cbr-small pretrained on
     * CIFAR-10; {@code paper}: unet-resnet50 and unet-resnet18 with ImageNet encoders, 96 px patches, five seeds (a
     * GPU). The image size of a segmentation study is its patch side.
     */
    static StudySpec segmentation(String scale, Path weightsDir) {
        boolean demo = scale.equals("demo");
        boolean paper = scale.equals("paper");
        ModelCard keras = ModelRegistry.get("unet-mobilenet-v2-0.35-keras");
        boolean haveKeras = weightsDir != null && keras.encoderCard().localWeightsNames().stream()
                .anyMatch(f -> Files.isDirectory(weightsDir.resolve(f)));
        List<String> models = demo ? List.of("unet-cbr-small")
                : paper ? List.of("unet-resnet50", "unet-resnet18")
                : List.of(haveKeras ? keras.name() : "unet-cbr-small");
        List<String> blocks = demo ? List.of("layer1") : !paper && !haveKeras ? List.of("layer1", "layer2")
                : paper ? List.of("conv1", "layer1", "layer2") : List.of("features.3");
        List<Long> seeds = paper ? List.of(0L, 1L, 2L, 3L, 4L) : demo ? List.of(0L, 1L) : List.of(0L, 1L, 2L);
        // An epoch of patches covers the training images once (CHASE_DB1 at 64 px patches: 234 steps of 16); at
        // quick scale three validations of whole images (a third of the run's time each on CHASE_DB1) give the Dice
        // curve its steps.
        StudySpec.Training training = demo ? new StudySpec.Training(4, 16, 1e-3, 0)
                : paper ? new StudySpec.Training(12, 16, 1e-3, 0) : new StudySpec.Training(1, 16, 1e-3, 78);
        String weights = weightsDir == null ? null : weightsDir.toString();
        StudySpec.Pretrain pretrain = demo
                ? new StudySpec.Pretrain("synthetic:natural?n=2000&size=32", "multiclass", 3, weights, 32, false)
                : paper ? new StudySpec.Pretrain(null, "multiclass", 30, weights, 224, true)
                : new StudySpec.Pretrain("cifar10:download", "multiclass", 3, weights, 32, true);
        StudySpec.Experiments e = new StudySpec.Experiments(null, null, null, null, null, null, null, null,
                // Gabor at paper scale; below it the schemes of the claims that carry over (transfer, Mean Var,
                // transfusion): a quick U-Net run takes minutes on a CPU, and the demo stays under ten minutes
                new StudySpec.Segmentation(StudySpec.schemes(paper
                        ? List.of("random", "pretrained", "meanvar", "gabor")
                        : List.of("random", "pretrained", "meanvar")),
                        blocks, demo ? 0.5 : 0.7, demo ? 2000 : 5000,
                        demo ? compareWith(scale, "synthetic:retina?n=200&size=32", "referable") : null));
        return new StudySpec("segmentation", demo ? "synthetic:retina-vessels?n=40&size=64" : null, "segmentation",
                demo ? 32 : paper ? 96 : 64, models, seeds, training, pretrain, e);
    }

    /**
     * The practitioner's study (issue 31) at {@code scale}: which start to take per backbone and amount of data.
     * Every backbone trains on stratified, nested training subsets (and all the data) from random init, from random
     * init for twice the epochs, and from each source with weights for it: its published checkpoint, its file in
     * {@code weightsDir}, and this study's own pretraining. {@code demo}: cbr-small on synthetic fundus images at
     * 32 px pretrained on synthetic natural images, 200 and 600 of 1,000 images and all, two seeds (minutes,
     * offline); {@code quick}: the data given (e.g. medmnist:retinamnist) at 32 px, cbr-small and EfficientNet-B0
     * pretrained on CIFAR-10 and the Keras ImageNet MobileNetV2-0.35 where {@code weightsDir} has it (also
     * pretrained on CIFAR-10), 100 and 300 images and all, three seeds; {@code paper}: 224 px, ResNet-50 (torchvision
     * ImageNet weights and timm's A1 recipe), DenseNet-121 and EfficientNet-B0, 100 to 10,000 images and all, five
     * seeds (a GPU). The convergence threshold is declared here, before any run.
     */
    static StudySpec practitioner(String scale, Path weightsDir) {
        boolean demo = scale.equals("demo");
        boolean paper = scale.equals("paper");
        List<String> models = new ArrayList<>(demo ? List.of("cbr-small") : paper
                ? List.of("resnet50", "densenet121", "efficientnet-b0") : List.of("cbr-small", "efficientnet-b0"));
        ModelCard keras = ModelRegistry.get("mobilenet-v2-0.35-keras");
        if (scale.equals("quick") && weightsDir != null
                && keras.localWeightsNames().stream().anyMatch(f -> Files.isDirectory(weightsDir.resolve(f)))) {
            models.add(keras.name());
        }
        List<Long> seeds = paper ? List.of(0L, 1L, 2L, 3L, 4L) : demo ? List.of(0L, 1L) : List.of(0L, 1L, 2L);
        StudySpec.Training base = demo ? new StudySpec.Training(5, 32, 1e-3, 8)
                : paper ? new StudySpec.Training(30, 32, 1e-3, 250) : new StudySpec.Training(10, 64, 1e-3, 4);
        StudySpec.Training training = new StudySpec.Training(base.epochs(), base.batchSize(), base.lr(),
                base.evalEvery(), base.optimizer(), base.schedule(), base.momentum(), base.weightDecay(),
                base.augment(), base.uncertainty(), base.frontalOnly(), base.classWeights(), base.sampler(),
                base.operatingPoint(), base.calibrate(), org.transfusion.engine.data.SubsetSampling.STRATIFIED);
        String weights = weightsDir == null ? null : weightsDir.toString();
        StudySpec.Pretrain pretrain = demo
                ? new StudySpec.Pretrain("synthetic:natural?n=2000&size=32", "multiclass", 3, weights, 0, false)
                : paper ? new StudySpec.Pretrain(null, "multiclass", 30, weights, 224, true)
                : new StudySpec.Pretrain("cifar10:download", "multiclass", 3, weights, 32, true);
        List<WeightsSpec> sources = new ArrayList<>(List.of(WeightsSpec.parse("published")));
        if (paper) {
            sources.add(WeightsSpec.parse("hub:a1_in1k"));
        }
        sources.add(WeightsSpec.parse("weights"));
        if (!paper) {
            sources.add(WeightsSpec.parse("own"));
        }
        StudySpec.Practitioner p = new StudySpec.Practitioner(demo ? List.of(200, 600, 0) : paper
                ? List.of(100, 300, 1000, 3000, 10000, 0) : List.of(100, 300, 0), sources, 2.0,
                demo ? 0.65 : paper ? 0.8 : 0.7);
        StudySpec.Experiments e = new StudySpec.Experiments(null, null, null, null, null, null, null, null, null, p);
        return new StudySpec("practitioner", demo ? "synthetic:retina?n=1000&size=32" : null, "referable",
                demo ? 32 : paper ? 224 : 32, models, seeds, training, pretrain, e);
    }

    /**
     * The classification task a segmentation study at {@code scale} compares its encoders with
     * ({@code experiments.segmentation.compare_with}): {@code data} and {@code task} at the scale's classification
     * size and length (demo: 32 px, 3 epochs; quick: 64 px, 3 epochs; paper: 224 px, the study's epochs).
     */
    public static StudySpec.CompareWith compareWith(String scale, String data, String task) {
        return switch (scale) {
            case "demo" -> new StudySpec.CompareWith(data, task, 32, 3);
            case "paper" -> new StudySpec.CompareWith(data, task, 224, 0);
            default -> new StudySpec.CompareWith(data, task, 64, 3);
        };
    }

    /** " (did you mean X?)" for the closest name by edit distance, when it is close. */
    static String suggestion(String given, List<String> names) {
        String best = names.stream().min(Comparator.comparingInt(x -> distance(given, x))).orElse(null);
        return best != null && distance(given, best) <= Math.max(2, best.length() / 3) ? " (did you mean " + best + "?)" : "";
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

}
