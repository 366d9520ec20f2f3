package org.transfusion.engine.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.Devices;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.io.Records;
import org.transfusion.error.BadInputException;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;

/** Re-evaluates a saved run's best weights on a split, optionally of another dataset with the same labels. */
public final class RunEvaluation {
    private RunEvaluation() {}

    /** A run's task and its scores on a split. */
    public record TaskScores(Task task, Evaluator.Scores scores) {}

    /** A saved run's best weights scored on a split of its own data, image by image in the split's order. */
    public static TaskScores scores(Path runDir, Split split) {
        Scored sc = score(runDir, null, null, split);
        return new TaskScores(sc.setup().task(), sc.scores());
    }

    /**
     * A saved run's best weights scored on a split of another dataset (external validation), whose task must give
     * the outputs the run was trained for, by name ({@code ?relabel=} maps another dataset's labels onto them):
     * otherwise a bad input naming both lists.
     */
    public static TaskScores scoresOn(Path runDir, String dataSpec, Path dataDir, Split split) {
        var resolved = RunFolder.existing(runDir).runRecord().resolved();
        java.util.List<String> trained = resolved == null ? null : resolved.outputs();
        Scored sc = score(runDir, dataSpec, dataDir, split);
        java.util.List<String> outputs = sc.setup().task().outputNames();
        if (trained != null && !trained.equals(outputs)) {
            throw new BadInputException(dataSpec + ": its task gives the outputs " + outputs + ", the run " + runDir
                    + " was trained for " + trained + " (expected the same labels: map them with ?relabel=NAME:"
                    + "SOURCE;...)");
        }
        return new TaskScores(sc.setup().task(), sc.scores());
    }

    /** {@link #evaluate(Path, String, Path, Split, OperatingPoint, CalibrationKind)} with the run's own choices. */
    public static Map<String, Object> evaluate(Path runDir, String dataSpec, Path dataDir, Split split) {
        return evaluate(runDir, dataSpec, dataDir, split, null, null);
    }

    /**
     * The metrics.json block of a split: the operating point's thresholds and the temperatures are chosen on the
     * run's own validation split (also when evaluating on another dataset: an operating point is fixed before the
     * external data is seen).
     *
     * @param dataSpec  another dataset to evaluate on, or null for the run's own
     * @param rule      how thresholds are chosen, or null for the run's {@code operating_point}
     * @param calibrate whether to fit a temperature, or null for the run's {@code calibrate}
     */
    public static Map<String, Object> evaluate(Path runDir, String dataSpec, Path dataDir, Split split,
                                               OperatingPoint rule, CalibrationKind calibrate) {
        Scored sc = score(runDir, dataSpec, dataDir, split);
        boolean onVal = dataSpec == null && split == Split.VAL;
        Scored val = onVal ? sc : score(runDir, null, dataDir, Split.VAL);
        RunSpec o = sc.spec();
        Task task = sc.setup().task();
        MetricsReport.Fitted fitted = MetricsReport.fit(task, val.scores(), rule != null ? rule : o.operatingPoint(),
                calibrate != null ? calibrate : o.calibrate());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", runDir.toString());
        out.put("data", o.data());
        out.put("split", split.id());
        out.put("task", task.name());
        out.putAll(MetricsReport.block(task, sc.scores(), MetricsReport.headline(task, sc.scores()), fitted, onVal));
        return out;
    }

    /**
     * A segmentation run's best weights on a split (of its own data, or {@code dataSpec}'s with the same classes):
     * the metrics.json block {@link SegmentationScoring} gives, and with {@code predictions} each image's probability
     * map, field of view and overlay written there ({@link SegmentationPredictions}).
     */
    public static Map<String, Object> evaluateSegmentation(Path runDir, String dataSpec, Path dataDir, Split split,
                                                           Path predictions) {
        RunFolder run = RunFolder.existing(runDir);
        StateDict weights = run.trainedWeights();
        RunSpec o = run.specOn(dataSpec, dataDir);
        RunSetup s = RunSetup.prepare(o);
        if (!s.isSegmentation()) {
            throw new BadInputException(runDir + ": --predictions is for a segmentation run; this run's task is "
                    + s.task().name());
        }
        try (NDManager m = NDManager.newBaseManager(Devices.chosen());
             Network net = Network.create(m, s.arch(), weights)) {
            SegmentationScoring.Scored scored = SegmentationScoring.score(net, s.segmentation().split(split),
                    s.channels(), s.pipeline().mean(), s.pipeline().std(), s.imageSize(), s.task().outputs(),
                    predictions);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("run", runDir.toString());
            out.put("data", o.data());
            out.put("split", split.id());
            out.put("task", s.task().name());
            out.putAll(Records.toMap(SegmentationScoring.block(scored, SegmentationScoring.foregroundNames(s.task()),
                    Seeds.stream(o.seed(), "bootstrap"))));
            if (predictions != null) {
                out.put("predictions", predictions.toAbsolutePath().toString());
            }
            return out;
        }
    }

    /**
     * Image {@code index} of a segmentation run's {@code split}, predicted by its best weights and written to
     * {@code dir} as {@link SegmentationPredictions} does; returns the image's stem. Kept when its overlay is already
     * there and newer than the weights (a report rebuilt reuses it).
     */
    public static String predictOne(Path runDir, Split split, int index, Path dir) {
        RunFolder run = RunFolder.existing(runDir);
        RunSetup s = RunSetup.prepare(run.specOn(null, null));
        if (!s.isSegmentation()) {
            throw new BadInputException(runDir + ": not a segmentation run");
        }
        var sample = s.segmentation().split(split).sample(index);
        Path overlay = dir.resolve(sample.name() + "_overlay.png");
        try {
            if (java.nio.file.Files.isRegularFile(overlay) && java.nio.file.Files.getLastModifiedTime(overlay)
                    .compareTo(java.nio.file.Files.getLastModifiedTime(run.bestWeights())) > 0) {
                return sample.name();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (NDManager m = NDManager.newBaseManager(Devices.chosen());
             Network net = Network.create(m, s.arch(), run.trainedWeights())) {
            float[] x = org.transfusion.engine.data.PatchSampler.normalised(sample.image(), s.channels(),
                    s.pipeline().mean(), s.pipeline().std());
            float[][] probs = SlidingWindow.predict(net, x, s.channels(), sample.image().height(),
                    sample.image().width(), s.imageSize());
            SegmentationPredictions.write(dir, sample, probs, s.task().outputs());
        }
        return sample.name();
    }

    /** Whether the run in {@code runDir} is a segmentation (its spec's task). */
    public static boolean isSegmentation(Path runDir) {
        RunSpec o = RunFolder.existing(runDir).spec();
        return RunSetup.SEGMENTATION.equalsIgnoreCase(o.task() == null ? "" : o.task().strip());
    }

    private record Scored(RunSpec spec, RunSetup setup, Evaluator.Scores scores) {}

    private static Scored score(Path runDir, String dataSpec, Path dataDir, Split split) {
        RunFolder run = RunFolder.existing(runDir);
        StateDict weights = run.trainedWeights();
        RunSpec o = run.specOn(dataSpec, dataDir);
        RunSetup s = RunSetup.prepare(o);
        BatchLoader loader = new BatchLoader(s.data().split(split), s.task(), s.pipeline(), o.batchSize(), false, 0);
        try (NDManager m = NDManager.newBaseManager(Devices.chosen());
             Network net = Network.create(m, s.arch(), weights)) {
            return new Scored(o, s, Evaluator.scores(net, loader, s.task(), s.data().split(split).size()));
        }
    }
}
