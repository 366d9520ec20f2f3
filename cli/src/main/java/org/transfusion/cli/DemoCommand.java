package org.transfusion.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.transfusion.study.StudySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code transfusion demo}: the newcomer's first run. Offline, on built-in synthetic retina photographs with a
 * synthetic natural-image pretraining source, it runs every experiment of the study at demo scale (about ten
 * minutes on a 2-core laptop) and says where the report is.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole study at demo scale, offline, on built-in synthetic retina data.",
            "The paper's six experiments and three beyond it (init statistics, forgetting, the size sweep); --data",
            "SPEC runs them on other data. Prints where the report is."})
public final class DemoCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", defaultValue = "transfusion-demo", paramLabel = "DIR", description = "Study folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--data", paramLabel = "SPEC", description = "Run the demo on this dataset instead (e.g. medmnist:retinamnist)")
    String data;

    @Option(names = "--task", paramLabel = "TASK", description = "Task (default: referable)")
    String task;

    @Option(names = "--data-dir", paramLabel = "DIR") Path dataDir;

    @Override
    public Integer call() {
        StudySpec s = StudyCommand.resolve("all", "demo", data, task);
        System.err.println("transfusion demo: the study's nine experiments at demo scale on " + s.data()
                + " (pretraining source " + s.pretrain().data() + "), into " + out);
        Path report = StudyCommand.run(s, out, dataDir, 1, null, System.err);
        var p = spec.commandLine().getOut();
        p.println("demo done. report: " + report.toAbsolutePath());
        p.println("  open it in a browser; the numbers are in " + report.getParent().toAbsolutePath() + "/*.csv");
        if (s.data().startsWith("synthetic:")) {
            p.println("  its verdicts are illustrative: synthetic images at 32 px, one small model, two seeds; "
                    + "run `study all --scale quick --data ...` on real data for findings");
        }
        p.flush();
        return 0;
    }
}
