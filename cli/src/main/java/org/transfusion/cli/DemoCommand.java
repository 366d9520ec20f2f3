package org.transfusion.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.transfusion.engine.train.ConsoleProgress;
import org.transfusion.engine.train.RunFolder;
import org.transfusion.engine.train.TrainOptions;
import org.transfusion.engine.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code transfusion demo}: the newcomer's first run, offline. Until the study presets land it trains a CBR net
 * from random initialisation on the built-in synthetic retina data and reports its test ROC AUC.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the end-to-end demo offline on built-in synthetic retina data and say where the results are."})
public final class DemoCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", defaultValue = "transfusion-demo", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--data", defaultValue = "synthetic:retina?n=2000&size=32", paramLabel = "SPEC",
            description = "Dataset (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--task", defaultValue = "referable", paramLabel = "TASK", description = "Task (default: ${DEFAULT-VALUE})")
    String task;

    @Override
    public Integer call() {
        var o = TrainOptions.defaults(data, "cbr-small").withSteps(null, 6);
        o = new TrainOptions(o.data(), task, o.model(), o.init(), o.weights(), o.epochs(), o.steps(), o.batchSize(),
                o.lr(), o.optimizer(), o.momentum(), o.weightDecay(), o.schedule(), o.imageSize(), o.evalEvery(),
                o.seed(), o.threads(), o.augment(), o.channels(), o.trainSubset(), o.width(), o.dataDir(),
                o.thresholds());
        Path runDir = out.resolve("runs").resolve("cbr-small-random-seed0");
        var err = System.err;
        err.println("transfusion demo: training cbr-small from random initialisation on " + data + " (" + task + ")");
        Map<String, Object> metrics = Trainer.run(o, new RunFolder(runDir), true, new ConsoleProgress(err));
        @SuppressWarnings("unchecked")
        Map<String, Object> test = (Map<String, Object>) metrics.get("test");
        var p = spec.commandLine().getOut();
        p.printf(Locale.ROOT, "demo done: cbr-small (random init) test ROC AUC %.4f on %s%n", ((Number) test.get("auc")).doubleValue(), data);
        p.println("run folder: " + runDir.toAbsolutePath());
        p.println("  run.json (spec + provenance), metrics.json, curve.csv (learning curve), init/weights.safetensors");
        p.flush();
        return 0;
    }
}
