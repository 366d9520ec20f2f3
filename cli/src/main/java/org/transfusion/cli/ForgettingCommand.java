package org.transfusion.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.probe.SourceForgetting;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion forgetting}: how much of the source task a fine-tuned run still holds, along its training. */
@Command(name = "forgetting", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"How much of its source task a fine-tuned run still knows, per layer.",
            "Source-task accuracy at init, at each snapshot (train --snapshots N) and at its best weights: with the pretraining run's original classifier put back on the fine-tuned",
            "features, and with a linear probe re-fitted on each layer's pooled activations.",
            "Prints a table; with --out DIR also writes DIR/forgetting.json and DIR/forgetting.csv."})
public final class ForgettingCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "A fine-tuned run folder")
    Path run;

    @Option(names = "--source", paramLabel = "SPEC",
            description = "The source task's data (default: the pretraining run's, read beside the run's --weights)")
    String source;

    @Option(names = "--source-task", paramLabel = "TASK", description = "The source task (default: the pretraining run's)")
    String sourceTask;

    @Option(names = "--source-size", paramLabel = "PX",
            description = "Source image size (default: the pretraining run's, else the run's own)")
    Integer sourceSize;

    @Option(names = "--data-dir", paramLabel = "DIR") Path dataDir;

    @Option(names = "--train-images", defaultValue = "" + SourceForgetting.Request.DEFAULT_TRAIN_IMAGES, paramLabel = "N",
            description = "Source train images the probes are fitted on (default: ${DEFAULT-VALUE})")
    int trainImages;

    @Option(names = "--test-images", defaultValue = "" + SourceForgetting.Request.DEFAULT_TEST_IMAGES, paramLabel = "N",
            description = "Source test images everything is scored on (default: ${DEFAULT-VALUE})")
    int testImages;

    @Option(names = "--l2", defaultValue = "" + SourceForgetting.Request.DEFAULT_L2, paramLabel = "L",
            description = "The probes' L2 penalty on the mean cross-entropy (default: ${DEFAULT-VALUE})")
    double l2;

    @Option(names = "--layers", split = ",", paramLabel = "L", description = "Layers to probe (default: every probe layer)")
    List<String> layers = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Also write DIR/forgetting.json and DIR/forgetting.csv")
    Path out;

    @Override
    public Integer call() {
        SourceForgetting.Request.TRAIN_IMAGES.check("--train-images", trainImages);
        SourceForgetting.Request.TEST_IMAGES.check("--test-images", testImages);
        if (sourceSize != null) {
            RunSpec.IMAGE_SIZE.check("--source-size", sourceSize);
        }
        if (!(l2 > 0)) {
            throw new BadInputException("--l2 must be positive, got " + l2);
        }
        SourceForgetting.Result result = SourceForgetting.measure(run, new SourceForgetting.Request(source, sourceTask,
                sourceSize, dataDir, trainImages, testImages, l2, layers));
        var o = spec.commandLine().getOut();
        o.println("source-task accuracy of " + run + " (" + result.meta().get("source") + ", task "
                + result.meta().get("source_task") + "); head = the pretraining run's classifier on these features");
        o.print(result.table());
        o.println(result.meta().get("probe"));
        if (out != null) {
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Json.write(out.resolve("forgetting.json"), result.toMap());
            AtomicFiles.writeString(out.resolve("forgetting.csv"), result.csv());
            o.println("wrote " + out.resolve("forgetting.json") + " and " + out.resolve("forgetting.csv"));
        }
        o.flush();
        return 0;
    }
}
