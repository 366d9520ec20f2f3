package org.transfusion.engine.run;

import org.transfusion.engine.Seeds;
import org.transfusion.engine.data.DataOptions;
import org.transfusion.engine.data.Dataset;
import org.transfusion.engine.data.DatasetSpecs;
import org.transfusion.engine.data.Image;
import org.transfusion.engine.data.ImagePipeline;
import org.transfusion.engine.data.LabelCounts;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.Split;
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
 */
public record RunSetup(RunSpec options, Dataset data, Task task, ModelCard model, Architecture arch, int imageSize,
                       int channels, ImagePipeline pipeline, LabelCounts trainCounts, double[] classWeights) {

    /** Resolves data, task, model and sizes, with every user mistake reported before training starts. */
    public static RunSetup prepare(RunSpec o) {
        o.validate();
        ModelCard info = ModelRegistry.get(o.model());
        DataOptions d = DataOptions.defaults();
        DataOptions dataOptions = new DataOptions(o.dataDir(), d.seed(), o.uncertainty().spec(), o.frontalOnly(),
                d.online());
        Dataset data = DatasetSpecs.open(o.data(), dataOptions);
        Task task = Tasks.resolve(o.task(), data);
        if (o.trainSubset() != null) {
            data = data.withSplit(Split.TRAIN, SubsetSplit.sample(data.split(Split.TRAIN), o.trainSubset(),
                    Seeds.random(o.seed(), "subset")), o.trainSubset() + " images, seeded");
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
        ImagePipeline pipeline = ImagePipeline.of(info.normalisation(), size, channels,
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
        return new RunSetup(o, data, task, info, arch, size, channels, pipeline, counts, weights);
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
