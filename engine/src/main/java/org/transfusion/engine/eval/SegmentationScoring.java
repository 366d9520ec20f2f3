package org.transfusion.engine.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.data.PatchSampler;
import org.transfusion.engine.data.SegmentationSample;
import org.transfusion.engine.data.SegmentationSplit;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.run.record.MetricsRecord;

/**
 * Scores a segmentation network on a split, image by image: each whole image by {@link SlidingWindow}, its
 * pixels inside the field of view counted per foreground class ({@link SegmentationMetrics.ImageCounts}), the
 * pixel cross-entropy of the blended probabilities, and, when asked, the probability maps written as
 * {@link SegmentationPredictions}. Used by training (validation and the final scores) and by {@code evaluate}.
 */
public final class SegmentationScoring {
    /** What is said about where the metrics come from, in metrics.json's {@code scope}. */
    public static final String SCOPE = "pixels inside the field of view; scores at 16 bits (what --predictions "
            + "writes), foreground at q >= 0.5; pooled over the split's pixels; per_image each image's; intervals: "
            + "percentile bootstrap over images (" + SegmentationMetrics.RESAMPLES + " draws)";

    private SegmentationScoring() {}

    /**
     * A split's scores: per foreground class (index 0 = class 1), each image's counts; the mean pixel loss; whether
     * every pixel of every image got the same score (a collapsed network).
     */
    public record Scored(List<List<SegmentationMetrics.ImageCounts>> perClass, double loss, boolean constant,
                         int images) {}

    /**
     * Scores {@code split}.
     *
     * @param predictions where to write each image's maps, or null
     */
    public static Scored score(Network net, SegmentationSplit split, int channels, float[] mean, float[] std,
                               int window, int outputs, Path predictions) {
        int foreground = outputs == 1 ? 1 : outputs - 1;
        List<List<SegmentationMetrics.ImageCounts>> perClass = new ArrayList<>();
        for (int c = 0; c < foreground; c++) {
            perClass.add(new ArrayList<>());
        }
        double lossSum = 0;
        long lossPixels = 0;
        int firstLevel = -1;
        boolean constant = true;
        for (int i = 0; i < split.size(); i++) {
            SegmentationSample s = split.sample(i);
            int h = s.image().height();
            int w = s.image().width();
            float[] x = PatchSampler.normalised(s.image(), channels, mean, std);
            float[][] probs = SlidingWindow.predict(net, x, channels, h, w, window);
            byte[] mask = s.mask();
            byte[] fov = s.fov();
            for (int c = 0; c < foreground; c++) {
                float[] p = outputs == 1 ? probs[0] : probs[c + 1];
                perClass.get(c).add(SegmentationMetrics.ImageCounts.of(s.name(), p, mask, fov, c + 1));
            }
            for (int p = 0; p < h * w; p++) {
                if (fov[p] == 0) {
                    continue;
                }
                int cls = mask[p] & 0xff;
                double q;
                if (outputs == 1) {
                    q = cls != 0 ? probs[0][p] : 1 - probs[0][p];
                } else {
                    q = cls < outputs ? probs[cls][p] : 0;
                }
                lossSum -= Math.log(Math.max(q, 1e-7));
                lossPixels++;
                int level = SegmentationMetrics.level(outputs == 1 ? probs[0][p] : probs[1][p]);
                if (firstLevel < 0) {
                    firstLevel = level;
                } else if (level != firstLevel) {
                    constant = false;
                }
            }
            if (predictions != null) {
                SegmentationPredictions.write(predictions, s, probs, outputs);
            }
        }
        return new Scored(perClass, lossPixels == 0 ? Double.NaN : lossSum / lossPixels,
                constant && split.size() > 0, split.size());
    }

    /** The split's metrics.json block; {@code classNames} names the foreground classes. */
    public static MetricsRecord.Split block(Scored scored, List<String> classNames, long seed) {
        List<SegmentationMetrics.Result> results = new ArrayList<>();
        for (List<SegmentationMetrics.ImageCounts> images : scored.perClass()) {
            results.add(SegmentationMetrics.of(images, SegmentationMetrics.RESAMPLES, seed));
        }
        SegmentationMetrics.Result first = results.get(0);
        Map<String, MetricsRecord.ClassScores> perClass = null;
        double dice = first.pooled().dice();
        double iou = first.pooled().iou();
        double auc = first.pooled().auc();
        double ap = first.pooled().averagePrecision();
        double sens = first.pooled().sensitivity();
        double spec = first.pooled().specificity();
        if (results.size() > 1) {
            perClass = new LinkedHashMap<>();
            double[] sums = new double[6];
            for (int c = 0; c < results.size(); c++) {
                SegmentationMetrics.Scores p = results.get(c).pooled();
                perClass.put(classNames.get(c), new MetricsRecord.ClassScores(p.dice(), p.iou(), p.auc(),
                        p.averagePrecision(), p.sensitivity(), p.specificity()));
                double[] v = {p.dice(), p.iou(), p.auc(), p.averagePrecision(), p.sensitivity(), p.specificity()};
                for (int k = 0; k < 6; k++) {
                    sums[k] += v[k];
                }
            }
            int n = results.size();
            dice = sums[0] / n;
            iou = sums[1] / n;
            auc = sums[2] / n;
            ap = sums[3] / n;
            sens = sums[4] / n;
            spec = sums[5] / n;
        }
        List<MetricsRecord.ImageScores> perImage = new ArrayList<>();
        for (int i = 0; i < first.perImage().size(); i++) {
            SegmentationMetrics.Scores s = first.perImage().get(i);
            perImage.add(new MetricsRecord.ImageScores(first.names().get(i), s.dice(), s.iou(), s.auc(),
                    s.averagePrecision(), s.sensitivity(), s.specificity(), s.accuracy(),
                    s.tp() + s.fp() + s.tn() + s.fn()));
        }
        List<Double> diceCi = results.size() == 1 ? List.of(first.diceCi95()[0], first.diceCi95()[1]) : null;
        Object aucCi = results.size() == 1 ? List.of(first.aucCi95()[0], first.aucCi95()[1]) : null;
        return new MetricsRecord.Split(auc, null, null, aucCi == null ? null : Records.MAPPER.valueToTree(aucCi),
                first.pooled().accuracy(), sens, spec, scored.loss(), scored.images(), null, ap, null, null, null,
                null, dice, iou, diceCi, first.meanDice(), first.meanAuc(), perImage, perClass, SCOPE);
    }

    /** Why these scores are no result (every pixel the same score), or null. */
    public static String collapsed(String split, Scored scored) {
        if (!Double.isFinite(scored.loss())) {
            return "the " + split + " loss is " + scored.loss();
        }
        return scored.constant() ? "the network gives every " + split + " pixel the same prediction (collapsed)"
                : null;
    }

    /** The class names of a task's foreground classes, in output order. */
    public static List<String> foregroundNames(Task task) {
        return task.outputs() == 1 ? task.outputNames() : task.outputNames().subList(1, task.outputNames().size());
    }
}
