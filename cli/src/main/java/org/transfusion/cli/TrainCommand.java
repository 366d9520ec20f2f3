package org.transfusion.cli;

import java.util.concurrent.Callable;
import org.transfusion.engine.train.ConsoleProgress;
import org.transfusion.engine.train.RunFolder;
import org.transfusion.engine.train.Trainer;
import org.transfusion.error.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code transfusion train}: one training run into its own folder. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model on a dataset and evaluate it (ROC AUC) into a run folder.",
            "Writes run.json, metrics.json, curve.csv, init.safetensors and weights.safetensors (best by val AUC)."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin TrainingOptions options;

    @Override
    public Integer call() {
        run(options);
        return 0;
    }

    static java.util.Map<String, Object> run(TrainingOptions options) {
        RunFolder folder = new RunFolder(options.out);
        if (options.resume && !folder.hasRun()) {
            throw new BadInputException(options.out + ": nothing to resume (no run.json there)");
        }
        return Trainer.run(options.toOptions(), folder, options.resume, new ConsoleProgress(System.err));
    }
}
