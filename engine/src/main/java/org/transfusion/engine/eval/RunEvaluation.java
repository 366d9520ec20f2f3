package org.transfusion.engine.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;

/** Re-evaluates a saved run's best weights on a split, optionally of another dataset with the same labels. */
public final class RunEvaluation {
    private RunEvaluation() {}

    /**
     * @param dataSpec another dataset to evaluate on, or null for the run's own
     */
    public static Map<String, Object> evaluate(Path runDir, String dataSpec, Path dataDir, Split split) {
        RunFolder run = RunFolder.existing(runDir);
        StateDict weights = run.trainedWeights();
        RunSpec o = run.specOn(dataSpec, dataDir);
        RunSetup s = RunSetup.prepare(o);
        BatchLoader loader = new BatchLoader(s.data().split(split), s.task(), s.pipeline(), o.batchSize(), false, 0);
        try (NDManager m = NDManager.newBaseManager();
             Network net = Network.create(m, s.arch(), weights)) {
            Metrics metrics = Evaluator.evaluate(net, loader, s.task(), s.data().split(split).size());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("run", runDir.toString());
            out.put("data", o.data());
            out.put("split", split.id());
            out.put("task", s.task().name());
            out.putAll(metrics.toMap());
            return out;
        }
    }
}
