package org.transfusion.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.nio.file.Files;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.study.Presets;
import org.transfusion.study.StudyFolder;
import org.transfusion.study.StudySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code transfusion demo}: the newcomer's first run. Offline, on built-in synthetic retina photographs with a
 * synthetic natural-image pretraining source, it runs the paper's experiments, forgetting and a width sweep at demo
 * scale, then the segmentation study (9 minutes on the idle 2-core machine of the last measurement), and says where
 * the reports are.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole study at demo scale, offline, on built-in synthetic retina data.",
            "The paper's six experiments and two beyond it (forgetting, a width sweep), then segmentation; --data",
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
        System.err.println("transfusion demo: the study's eight experiments at demo scale on " + s.data()
                + " (pretraining source " + s.pretrain().data() + "), into " + out);
        Path report = StudyCommand.run(s, out, dataDir, 1, null, System.err);
        // The paper's open question, segmentation, on synthetic vessels (offline), as a study of its own beside it.
        // Its encoder's pretraining is the demo's own (the same classifier on the same synthetic natural images),
        // handed over as a weights file rather than trained twice.
        StudySpec preset = Presets.get("segmentation", "demo");
        String encoder = ModelRegistry.get(preset.models().get(0)).weightsCard().name();
        Path pretrained = new RunFolder(new StudyFolder(out).pretraining(encoder)).bestWeights();
        StudySpec seg = StudyCommand.resolve("segmentation", "demo", null, null, null,
                Files.isRegularFile(pretrained) ? pretrained : null, null);
        System.err.println("transfusion demo: the segmentation experiment at demo scale on " + seg.data() + ", into "
                + out.resolve("segmentation"));
        Path segReport = StudyCommand.run(seg, out.resolve("segmentation"), dataDir, 1, null, System.err);
        var p = spec.commandLine().getOut();
        p.println("demo done. report: " + report.toAbsolutePath());
        p.println("  segmentation (the paper's open question): " + segReport.toAbsolutePath());
        p.println("  open it in a browser; the numbers are in " + report.getParent().toAbsolutePath() + "/*.csv");
        if (s.data().startsWith("synthetic:")) {
            p.println("  its verdicts are illustrative: synthetic images at 32 px, one small model, two seeds; "
                    + "run `study all --scale quick --data ...` on real data for findings");
        }
        p.flush();
        return 0;
    }
}
