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
     * @param dataSpec another dataset to evaluate on, or null for the run's own
     */
    public static Map<String, Object> evaluate(Path runDir, String dataSpec, Path dataDir, Split split) {
        Scored sc = score(runDir, dataSpec, dataDir, split);
        Evaluator.Scores e = sc.scores();
        Metrics metrics = Metrics.compute(sc.setup().task(), e.probs(), e.targets(), e.n(), e.loss(), 0.5);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", runDir.toString());
        out.put("data", sc.spec().data());
        out.put("split", split.id());
        out.put("task", sc.setup().task().name());
        out.putAll(metrics.toMap());
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
