package org.transfusion.cli;

import java.util.concurrent.Callable;
import org.transfusion.engine.Devices;
import org.transfusion.engine.hub.Hub;
import org.transfusion.engine.hub.PretrainedSource;
import org.transfusion.engine.run.RunContext;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.train.ConsoleProgress;
import org.transfusion.engine.train.Trainer;
import org.transfusion.error.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code transfusion train}: one training run into its own folder. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = RunDefaults.class,
        description = {"Train a model on a dataset and evaluate it (ROC AUC) into a run folder.",
            "Writes run.json, metrics.json, curve.csv, init.safetensors and weights.safetensors (best by val AUC)."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin TrainingOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        run(options, spec.commandLine().getParseResult());
        return 0;
    }

    /**
     * A transfer scheme without {@code --weights} uses the model's published ImageNet weights (or its checkpoint
     * tagged {@code checkpoint}), fetched (or found in the cache) as timm's {@code pretrained=True} does, with the
     * normalisation they were trained on unless {@code --normalisation} is given; a model without any keeps the spec
     * as it is, and its validation says what to give.
     */
    static RunSpec withPublishedWeights(RunSpec run, String checkpoint) {
        if (checkpoint != null && (run.weights() != null || !run.init().needsWeights())) {
            throw new BadInputException("--checkpoint picks published weights for a transfer scheme without "
                    + "--weights; " + (run.weights() != null ? "drop it or --weights" : "--init " + run.init().spec()
                    + " uses none"));
        }
        if (!run.init().needsWeights() || run.weights() != null) {
            return run;
        }
        PretrainedSource source = checkpoint == null ? PretrainedSource.of(run.model())
                : WeightsCommand.published(run.model(), checkpoint, "--checkpoint");
        if (source == null) {
            return run;
        }
        RunSpec.Builder b = run.toBuilder().weights(Hub.fetch(source, Hub.Config.fromEnvironment(), System.err).file());
        return run.normalisation() == null ? b.normalisation(source.normalisation()).build() : b.build();
    }

    static java.util.Map<String, Object> run(TrainingOptions options, CommandLine.ParseResult parsed) {
        // --device, else TRANSFUSION_DEVICE: checked here, before weights are fetched or a folder is touched
        RunContext context = RunContext.on(options.device);
        RunSpec run = withPublishedWeights(options.toSpec(parsed), options.checkpoint);
        RunFolder folder = new RunFolder(options.out);
        if (options.resume && !folder.hasRun()) {
            throw new BadInputException(options.out + ": nothing to resume (no run.json there)");
        }
        return Trainer.run(run, folder, options.resume, new ConsoleProgress(System.err), context);
    }
}
