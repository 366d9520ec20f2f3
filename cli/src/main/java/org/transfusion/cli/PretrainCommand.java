package org.transfusion.cli;

import java.util.concurrent.Callable;
import org.transfusion.engine.run.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code transfusion pretrain}: ordinary training on a source task (e.g. {@code cifar10:DIR} or
 * {@code synthetic:natural}) whose {@code weights.safetensors} then serves as {@code --weights} for transfer.
 * The paper pretrained on ImageNet; any source task works here.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = RunDefaults.class,
        description = {"Pretrain a model on a source task, for later runs to transfer from.",
            "Its weights.safetensors is then --weights for --init pretrained, meanvar, transfusion:BLOCK, ...",
            "Same options as train."})
public final class PretrainCommand implements Callable<Integer> {
    @Mixin TrainingOptions options;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        TrainCommand.run(options, spec.commandLine().getParseResult());
        spec.commandLine().getOut().println("pretrained weights: " + new RunFolder(options.out).bestWeights()
                + "  (use: transfusion train ... --init pretrained --weights THAT_FILE)");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
