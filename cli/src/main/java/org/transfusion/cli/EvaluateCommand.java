package org.transfusion.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.eval.RunEvaluation;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.io.Json;
import picocli.CommandLine.Command;
import org.transfusion.error.BadInputException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion evaluate RUN_DIR}: the run's best weights on a split, as JSON. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Re-evaluate a saved run (its best weights) on a split; prints metrics as JSON.")
public final class EvaluateCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder written by `transfusion train`")
    Path run;

    @Option(names = "--data", paramLabel = "SPEC", description = "Evaluate on this dataset instead of the run's own")
    String data;

    @Option(names = "--split", defaultValue = "test", paramLabel = "train|val|test", description = "Split (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where medmnist:NAME files are looked up first")
    Path dataDir;

    @Option(names = "--operating-point", paramLabel = "youden|sens:S|T",
            description = "Threshold rule, applied on the run's validation split (default: the run's)")
    OperatingPoint operatingPoint;

    @Option(names = "--calibrate", paramLabel = "none|temperature",
            description = "Temperature scaling fitted on the run's validation split (default: the run's)")
    CalibrationKind calibrate;

    @Option(names = "--predictions", paramLabel = "DIR",
            description = "Segmentation: write each image's probability map (16-bit PNG named after the image's "
                    + "stem, its size), its field of view and an overlay to DIR")
    Path predictions;

    @Override
    public Integer call() {
        Split which = Split.parse(split);
        Object result;
        if (RunEvaluation.isSegmentation(run)) {
            if (operatingPoint != null || calibrate != null) {
                throw new BadInputException("--operating-point and --calibrate are for classification runs; a "
                        + "segmentation is scored at 0.5 (and by its AUCs)");
            }
            result = RunEvaluation.evaluateSegmentation(run, data, dataDir, which, predictions);
        } else {
            if (predictions != null) {
                throw new BadInputException("--predictions is for a segmentation run; " + run + " is a "
                        + "classification run");
            }
            result = RunEvaluation.evaluate(run, data, dataDir, which, operatingPoint, calibrate);
        }
        spec.commandLine().getOut().println(Json.toString(result));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
