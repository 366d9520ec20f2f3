package org.transfusion.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.transfusion.study.Study;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion report DIR}: rebuild a study's report from its results, without training. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild DIR/report/index.html and DIR/report/*.csv from a study's results (no training).")
public final class ReportCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DIR") Path dir;

    @Override
    public Integer call() {
        Path report = Study.report(dir);
        spec.commandLine().getOut().println("report: " + report.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
