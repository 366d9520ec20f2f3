package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.transfusion.engine.Faults;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.error.BadInputException;
import org.transfusion.study.record.StudyRecord;

/**
 * A study folder: {@code study.json} (the spec it runs, so a rerun resumes the same study and
 * {@code transfusion report} can rebuild the report), {@code pretrain/}, {@code runs/}, {@code analysis/},
 * {@code report/}.
 */
public final class Study {
    private Study() {}

    /** Runs (or resumes) the study in {@code dir}: training, analyses, report. Returns the report's path. */
    public static Path run(StudySpec spec, Path dir, Path dataDir, StudyRunner runner, PrintStream out) {
        Plan plan = Plan.of(spec, dir, dataDir);
        refuseMissing(plan);
        record(spec, dir, dataDir);
        Faults.at("study-recorded", 0);
        plan.fetchPublished(out);
        runner.run(plan);
        analyse(plan, out);
        return Report.write(plan);
    }

    /** Runs each experiment's analysis that {@link Experiment#needsAnalysis} asks for; says which ones it keeps. */
    private static void analyse(Plan plan, PrintStream out) {
        for (Experiment e : Experiments.of(plan.spec())) {
            if (e.needsAnalysis(plan)) {
                e.analyse(plan, out);
            } else {
                e.analysisFile(plan).filter(f -> upToDate(f, e.analysedRuns(plan), plan.pretrains()))
                        .ifPresent(f -> out.println("analysis: "
                        + plan.dir().relativize(f) + " is newer than every run; kept (delete it to recompute)"));
            }
        }
    }

    /**
     * Whether an analysis file exists and was written after every one of {@code runs} and {@code pretrains} finished
     * (their metrics.json): a run trained again since makes it stale.
     */
    static boolean upToDate(Path file, List<PlannedRun> runs, List<PlannedRun> pretrains) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            long written = Files.getLastModifiedTime(file).toMillis();
            for (PlannedRun r : Stream.concat(runs.stream(), pretrains.stream()).toList()) {
                Path metrics = new RunFolder(r.folder()).metricsJson();
                if (!Files.isRegularFile(metrics) || Files.getLastModifiedTime(metrics).toMillis() > written) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A bad input listing, one line each, the inputs the plan needs that are not there. */
    /**
     * The seeds that would decide claim 1 per model, estimated from the finished runs already in the plan's folder
     * (a pilot), or a line saying that a pilot is needed ({@link SeedEstimate}); empty for a study that does not
     * pair random with pretrained.
     */
    public static java.util.List<String> seedEstimate(Plan plan) {
        return SeedEstimate.lines(plan);
    }

    public static void refuseMissing(Plan plan) {
        List<String> missing = plan.missing();
        if (!missing.isEmpty()) {
            throw new BadInputException(missing.size() + " missing input" + (missing.size() == 1 ? "" : "s")
                    + " (nothing was run):\n  " + String.join("\n  ", missing));
        }
    }

    /** Rebuilds the report of a study folder from its results, without training. */
    public static Path report(Path dir) {
        Path file = new StudyFolder(dir).studyJson();
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir + ": not a study folder (no study.json)");
        }
        StudyRecord saved = StudyRecord.read(file);
        StudySpec spec = SpecReader.parse(saved.specText(), file.toString());
        Plan plan = Plan.of(spec, dir, saved.dataDirPath());
        analyse(plan, System.err);
        return Report.write(plan);
    }

    private static Map<String, Object> withoutDevice(Map<String, Object> spec) {
        Map<String, Object> m = new LinkedHashMap<>(spec);
        m.remove("device");
        return m;
    }

    private static void record(StudySpec spec, Path dir, Path dataDir) {
        Path file = new StudyFolder(dir).studyJson();
        StudyRecord wanted = new StudyRecord(StudyRecord.FORMAT, Json.MAPPER.valueToTree(spec.toMap()),
                dataDir == null ? null : dataDir.toAbsolutePath().toString());
        if (Files.isRegularFile(file)) {
            // By meaning, not text: the saved spec is read back as a spec (defaults filled in), then both compared
            // as JSON trees (key order and number spelling do not matter).
            StudySpec savedSpec = SpecReader.parse(StudyRecord.read(file).specText(), file.toString());
            // The device is not the study's identity (a study resumes on another device).
            JsonNode saved = Json.MAPPER.valueToTree(withoutDevice(savedSpec.toMap()));
            JsonNode now = Json.MAPPER.valueToTree(withoutDevice(spec.toMap()));
            if (!saved.equals(now)) {
                throw new BadInputException(dir + ": holds another study (its study.json differs from this spec); "
                        + "choose a new --out");
            }
            return;
        }
        wanted.write(file);
    }
}
