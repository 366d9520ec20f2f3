package org.transfusion.engine.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.Devices;
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
