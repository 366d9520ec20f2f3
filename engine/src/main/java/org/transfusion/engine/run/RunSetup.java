package org.transfusion.engine.run;

import org.transfusion.engine.Seeds;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.DataOptions;
import org.transfusion.engine.data.Dataset;
import org.transfusion.engine.data.DatasetSpecs;
import org.transfusion.engine.data.Image;
import org.transfusion.engine.data.ImagePipeline;
import org.transfusion.engine.data.LabelCounts;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.SegmentationDataset;
import org.transfusion.engine.data.SegmentationSample;
import org.transfusion.engine.data.SegmentationSpecs;
import org.transfusion.engine.data.SegmentationSplit;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.data.SubsetSampling;
import org.transfusion.engine.data.SubsetSplit;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.data.Tasks;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.weights.KerasMobileNetV2;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * A run spec resolved against its data: the opened dataset (with the seeded train subset), the task, the model
 * built for the data's channels and the task's outputs, the input size and the image pipeline. Training, evaluation
 * and probing a run all start from it, so all three see a run's data the same way.
 *
 * @param trainCounts  the training labels' balance, counted when class weights or the balanced sampler need it
 *                     (else null)
 * @param classWeights the loss's weight per output ({@link ClassWeights}), or null for unweighted
 * @param segmentation a segmentation run's data (images, masks, fields of view), null for classification; then
 *                     {@code data} is its images cut into patch-sized tiles at their own resolution (what the
 *                     probes read: {@code SegmentationDataset.asTiles}), {@code imageSize} the patch side
 */
public record RunSetup(RunSpec options, Dataset data, Task task, ModelCard model, Architecture arch, int imageSize,
                       int channels, ImagePipeline pipeline, LabelCounts trainCounts, double[] classWeights,
                       SegmentationDataset segmentation) {
    /** The task a segmentation is asked for by. */
    public static final String SEGMENTATION = Tasks.SEGMENTATION;
    /** The default patch side's ceiling: a multiple of 32, small enough for a CPU step (see {@link #defaultPatch}). */
    public static final int DEFAULT_PATCH = 96;

    public boolean isSegmentation() {
        return segmentation != null;
    }

    /** Images per split: a segmentation's images (its {@code data} holds their tiles), else the dataset's. */
    public java.util.Map<String, Integer> sizes() {
        return isSegmentation() ? segmentation.sizes() : data.sizes();
    }

    /** Resolves data, task, model and sizes, with every user mistake reported before training starts. */
    public static RunSetup prepare(RunSpec o) {
        o.validate();
        ModelCard info = ModelRegistry.get(o.model());
        DataOptions d = DataOptions.defaults();
        DataOptions dataOptions = new DataOptions(o.dataDir(), d.seed(), o.uncertainty().spec(), o.frontalOnly(),
                d.online());
        boolean segmentationTask = SEGMENTATION.equalsIgnoreCase(o.task() == null ? "" : o.task().strip());
        if (segmentationTask || SegmentationSpecs.isSegmentation(o.data())) {
            return prepareSegmentation(o, info, dataOptions, segmentationTask);
        }
        if (o.patchSize() != null || o.classes() != null) {
            throw new BadInputException((o.patchSize() != null ? "--patch-size" : "--classes") + " is for --task "
                    + SEGMENTATION + " only");
        }
        if (info.isSegmentation()) {
            throw new BadInputException(o.model() + " is a segmentation model: give --task " + SEGMENTATION
                    + " with masked data (drive:, chase-db1:, masks:, synthetic:retina-vessels)");
        }
        Dataset data = DatasetSpecs.open(o.data(), dataOptions);
        Task task = Tasks.resolve(o.task(), data);
        if (o.trainSubset() != null) {
            java.util.SplittableRandom rng = Seeds.random(o.seed(), "subset");
            data = o.subsetSampling() == SubsetSampling.STRATIFIED
                    ? data.withSplit(Split.TRAIN, SubsetSplit.nestedStratified(data.split(Split.TRAIN), task,
                            o.trainSubset(), rng), o.trainSubset() + " images, seeded, stratified by class")
                    : data.withSplit(Split.TRAIN, SubsetSplit.sample(data.split(Split.TRAIN), o.trainSubset(), rng),
                            o.trainSubset() + " images, seeded");
        }
        for (Split split : Split.values()) {
            if (data.split(split).size() == 0) {
                throw new BadInputException(o.data() + ": the " + split.id() + " split has no images (expected at "
                        + "least one: train trains, val picks the best weights, test scores them)");
            }
        }
        Image first = data.split(Split.TRAIN).image(0);
        if (first.height() < 1 || first.width() < 1) {
            throw new BadInputException(o.data() + ": train image 0 is " + first.height() + " x " + first.width()
                    + " pixels, expected at least 1 x 1");
        }
        int channels = o.channels() != null ? o.channels() : defaultChannels(o, info, first);
        if (channels != 1 && channels != 3) {
            throw new BadInputException("--channels must be 1 or 3, got " + channels);
        }
        int size = o.imageSize() != null ? o.imageSize() : first.height();
        Architecture arch = info.build(channels, task.outputs(), o.width());
        if (size < arch.minImageSize()) {
            throw new BadInputException("--image-size " + size + " is too small for " + o.model() + " (at least "
                    + arch.minImageSize() + ")");
        }
        ImagePipeline pipeline = ImagePipeline.of(normalisation(o, info), size, channels,
                o.augment().augment());
        if (o.sampler() == Sampler.BALANCED && task.type() == Task.Type.MULTILABEL) {
            throw new BadInputException("--sampler balanced draws every class equally often, which needs one class "
                    + "per image; task '" + task.name() + "' is multi-label (an image holds several findings, so "
                    + "balancing one unbalances the others): use --class-weights auto instead (a pos_weight per "
                    + "finding)");
        }
        LabelCounts counts = null;
        double[] weights = null;
        if (o.sampler() == Sampler.BALANCED || !(o.classWeights() instanceof ClassWeights.None)) {
            counts = LabelCounts.of(task, data.split(Split.TRAIN));
            weights = o.classWeights().resolve(task, counts);
        }
        return new RunSetup(o, data, task, info, arch, size, channels, pipeline, counts, weights, null);
    }

    private static RunSetup prepareSegmentation(RunSpec o, ModelCard info, DataOptions dataOptions,
                                                boolean asked) {
        if (!asked) {
            throw new BadInputException(o.data() + " is segmentation data (images with masks): give --task "
                    + SEGMENTATION + (o.task() == null ? "" : " instead of --task " + o.task()));
        }
        if (!info.isSegmentation()) {
            throw new BadInputException("--task " + SEGMENTATION + " needs a segmentation model (unet-ENCODER, e.g. "
                    + "unet-resnet18; see `transfusion models`), not " + o.model());
        }
        if (!SegmentationSpecs.isSegmentation(o.data())) {
            throw new BadInputException("--task " + SEGMENTATION + " needs data with masks (drive:PATH, "
                    + "chase-db1:PATH, masks:PATH, synthetic:retina-vessels), not " + o.data());
        }
        if (o.trainSubset() != null) {
            throw new BadInputException("--train-subset is not supported for --task " + SEGMENTATION + " yet");
        }
        if (o.sampler() == Sampler.BALANCED || !(o.classWeights() instanceof ClassWeights.None)) {
            throw new BadInputException("--sampler balanced and --class-weights are for classification; a "
                    + "segmentation draws a third of its patches on the foreground and adds a Dice loss instead");
        }
        int classes = o.classes() == null ? 2 : o.classes();
        SegmentationDataset seg = SegmentationSpecs.open(o.data(), dataOptions, classes);
        for (Split split : Split.values()) {
            if (seg.split(split).size() == 0) {
                throw new BadInputException(o.data() + ": the " + split.id() + " split has no images (expected at "
                        + "least one: train trains, val picks the best weights, test scores them)");
            }
        }
        Task task = Task.segmentation(seg.classes());
        SegmentationSample first = seg.split(Split.TRAIN).sample(0);
        int channels = o.channels() != null ? o.channels() : defaultChannels(o, info, first.image());
        if (channels != 1 && channels != 3) {
            throw new BadInputException("--channels must be 1 or 3, got " + channels);
        }
        Architecture arch = info.build(channels, task.outputs(), o.width());
        int multiple = arch.sizeMultiple();
        int patch = o.patchSize() != null ? o.patchSize() : defaultPatch(seg, multiple);
        if (patch % multiple != 0 || patch < arch.minImageSize()) {
            throw new BadInputException("--patch-size " + patch + " does not fit " + o.model() + ": it needs a "
                    + "multiple of " + multiple + " of at least " + Math.max(multiple, arch.minImageSize()));
        }
        if (o.imageSize() != null) {
            throw new BadInputException("--image-size is not used by --task " + SEGMENTATION + ": images are never "
                    + "resized; the network sees --patch-size patches and whole images by sliding windows");
        }
        ImagePipeline pipeline = ImagePipeline.of(normalisation(o, info), patch, channels, Augment.NONE);
        return new RunSetup(o, seg.asTiles(patch), task, info, arch, patch, channels, pipeline, null, null, seg);
    }

    /** The run's input normalisation: its own (a checkpoint trained with another), else its model card's. */
    static Normalisation normalisation(RunSpec o, ModelCard info) {
        return o.normalisation() != null ? o.normalisation() : info.normalisation();
    }

    /**
     * The patch side chosen for the data: the largest multiple of the network's total stride within both the
     * smallest training image side and {@link #DEFAULT_PATCH} (and at least one stride).
     */
    static int defaultPatch(SegmentationDataset seg, int multiple) {
        SegmentationSplit train = seg.split(Split.TRAIN);
        int side = Integer.MAX_VALUE;
        for (int i = 0; i < train.size(); i++) {
            Image img = train.sample(i).image();
            side = Math.min(side, Math.min(img.height(), img.width()));
        }
        int cap = Math.min(side, DEFAULT_PATCH);
        return Math.max(multiple, cap / multiple * multiple);
    }

    /**
     * The dataset's channels, unless pretrained weights are given: then their first convolution's, so grey
     * x-rays are replicated to RGB for an ImageNet-style network, as the paper did.
     */
    private static int defaultChannels(RunSpec o, ModelCard info, Image first) {
        if (o.weights() != null && KerasMobileNetV2.isKerasExport(o.weights())) {
            return 3; // Keras ImageNet weights: RGB
        }
        if (o.weights() != null && o.init().needsWeights()) {
            long[] shape = SafeTensors.shapes(o.weights()).get(info.firstConvKey());
            if (shape != null && shape.length == 4 && (shape[1] == 1 || shape[1] == 3)) {
                return (int) shape[1];
            }
        }
        return first.channels();
    }
}
