package org.transfusion.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.eval.RunEvaluation;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.io.Json;
import picocli.CommandLine.Command;
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

    @Override
    public Integer call() {
        var result = RunEvaluation.evaluate(run, data, dataDir, Split.parse(split), operatingPoint, calibrate);
        spec.commandLine().getOut().println(Json.toString(result));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
