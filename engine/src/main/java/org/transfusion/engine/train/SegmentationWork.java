package org.transfusion.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.data.PatchSampler;
import org.transfusion.engine.data.SegmentationDataset;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.eval.SegmentationLoss;
import org.transfusion.engine.eval.SegmentationMetrics;
import org.transfusion.engine.eval.SegmentationScoring;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.run.record.MetricsRecord;

/**
 * What a segmentation run's loop does differently from a classification run's ({@link Trainer}): its batches are
 * {@link PatchSampler} patches, its loss {@link SegmentationLoss}, its validation the Dice and pixel AUC of whole
 * validation images by sliding windows, and its final blocks {@link SegmentationScoring}'s.
 */
final class SegmentationWork {
    private final RunSetup s;
    private final RunSpec o;
    private final SegmentationDataset data;
    private final PatchSampler sampler;

    SegmentationWork(RunSetup s, Progress progress) {
        this.s = s;
        this.o = s.options();
        this.data = s.segmentation();
        this.sampler = new PatchSampler(data.split(Split.TRAIN), s.channels(), s.pipeline().mean(),
                s.pipeline().std(), s.imageSize(), o.batchSize(), Seeds.stream(o.seed(), "patches"),
                !o.augment().augment().isNone());
    }

    int batchesPerEpoch() {
        return sampler.batchesPerEpoch();
    }

    /** One gradient step on patch batch {@code step}; the loss, or a non-finite value with no update made. */
    final class Stepper {
        private final Network net;
        private final Optimizer optimizer;
        private final Map<String, NDArray> params;
        private final BatchArrays arrays = new BatchArrays();

        Stepper(Network net, Optimizer optimizer) {
            this.net = net;
            this.optimizer = optimizer;
            this.params = net.trainable();
        }

        float run(long step, float lr) {
            PatchSampler.Patches p = sampler.batch(step);
            try (NDManager m = net.manager().newSubManager()) {
                NDArray x = arrays.images(m, p.batch());
                float loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = net.forward(x, true);
                    NDArray l = SegmentationLoss.of(logits, p.classes(), p.fov(), m);
                    gc.backward(l);
                    loss = l.getFloat();
                }
                if (Float.isFinite(loss)) {
                    optimizer.step(params, lr);
                }
                return loss;
            }
        }
    }

    Stepper stepper(Network net, Optimizer optimizer) {
        return new Stepper(net, optimizer);
    }

    /** A validation: pooled Dice and pixel AUC over the validation images, the pixel loss, why it fails (or null). */
    record Validation(double dice, double auc, double loss, String failure) {}

    Validation validate(Network net) {
        SegmentationScoring.Scored v = score(net, Split.VAL);
        SegmentationMetrics.Result r = SegmentationMetrics.of(v.perClass().get(0), 0, 0);
        double dice = r.pooled().dice();
        double auc = r.pooled().auc();
        if (v.perClass().size() > 1) {
            dice = 0;
            auc = 0;
            for (var images : v.perClass()) {
                SegmentationMetrics.Scores p = SegmentationMetrics.of(images, 0, 0).pooled();
                dice += p.dice();
                auc += p.auc();
            }
            dice /= v.perClass().size();
            auc /= v.perClass().size();
        }
        return new Validation(dice, auc, v.loss(), SegmentationScoring.collapsed("validation", v));
    }

    /** The best weights' validation and test blocks, and why they are no result (or null). */
    record Final(MetricsRecord.Split val, MetricsRecord.Split test, String failure) {}

    Final finish(Network net) {
        SegmentationScoring.Scored val = score(net, Split.VAL);
        SegmentationScoring.Scored test = score(net, Split.TEST);
        List<String> names = SegmentationScoring.foregroundNames(s.task());
        long seed = Seeds.stream(o.seed(), "bootstrap");
        return new Final(SegmentationScoring.block(val, names, seed), SegmentationScoring.block(test, names, seed),
                SegmentationScoring.collapsed("test", test));
    }

    private SegmentationScoring.Scored score(Network net, Split split) {
        return SegmentationScoring.score(net, data.split(split), s.channels(), s.pipeline().mean(),
                s.pipeline().std(), s.imageSize(), s.task().outputs(), null);
    }
}
