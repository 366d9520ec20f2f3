package org.transfusion.engine.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/** Re-evaluates a saved run's best weights on a split, optionally of another dataset with the same labels. */
public final class RunEvaluation {
    private RunEvaluation() {}

    /**
     * @param dataSpec another dataset to evaluate on, or null for the run's own
     */
    public static Map<String, Object> evaluate(Path runDir, String dataSpec, Path dataDir, Split split) {
        RunFolder run = new RunFolder(runDir);
        if (!run.hasRun()) {
            throw new BadInputException(runDir + ": not a run folder (no run.json)");
        }
        if (!Files.isRegularFile(run.bestWeights())) {
            throw new BadInputException(runDir + ": has no weights.safetensors (the run has not validated yet)");
        }
        RunSpec o = run.spec();
        if (dataSpec != null || dataDir != null) {
            o = o.toBuilder().data(dataSpec != null ? dataSpec : o.data()).dataDir(dataDir).build();
        }
        RunSetup s = RunSetup.prepare(o);
        BatchLoader loader = new BatchLoader(s.data().split(split), s.task(), s.pipeline(), o.batchSize(), false, 0);
        try (NDManager m = NDManager.newBaseManager();
             Network net = Network.create(m, s.arch(), SafeTensors.read(run.bestWeights()))) {
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
