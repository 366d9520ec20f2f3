package org.transfusion.engine.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;

/**
 * A run's folder (DESIGN.md): run.json, metrics.json, curve.csv, init.safetensors, weights.safetensors, and
 * while training checkpoint.safetensors + checkpoint.json. Every file is written atomically.
 */
public record RunFolder(Path dir) {
    public Path runJson() { return dir.resolve("run.json"); }
    public Path metricsJson() { return dir.resolve("metrics.json"); }
    public Path curveCsv() { return dir.resolve("curve.csv"); }
    public Path initWeights() { return dir.resolve("init.safetensors"); }
    public Path bestWeights() { return dir.resolve("weights.safetensors"); }
    public Path checkpoint() { return dir.resolve("checkpoint.safetensors"); }
    public Path checkpointState() { return dir.resolve("checkpoint.json"); }

    public boolean isComplete() {
        return Files.isRegularFile(metricsJson()) && Files.isRegularFile(bestWeights());
    }

    public boolean hasRun() {
        return Files.isRegularFile(runJson());
    }

    /**
     * Refuses a folder that holds another run: a run.json whose spec is not the same run as {@code wanted}, or
     * other files without a run.json. Returns true when the folder holds this same run.
     */
    public boolean checkReusable(RunSpec wanted) {
        if (!Files.exists(dir)) {
            return false;
        }
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": exists and is not a folder");
        }
        if (!hasRun()) {
            try (var files = Files.list(dir)) {
                if (files.anyMatch(p -> !p.getFileName().toString().startsWith("."))) {
                    throw new BadInputException(dir + ": folder is not empty and holds no run.json; choose a new --out");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return false;
        }
        RunSpec saved = spec();
        if (saved.sameRunAs(wanted)) {
            return true;
        }
        JsonNode was = saved.identity().toTree();
        JsonNode now = wanted.identity().toTree();
        List<String> differences = new ArrayList<>();
        for (Iterator<String> it = now.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!was.path(field).equals(now.path(field))) {
                differences.add(field + " " + was.get(field) + " vs " + now.get(field));
            }
        }
        throw new BadInputException(dir + ": holds a different run (" + String.join(", ",
                differences.subList(0, Math.min(3, differences.size()))) + "); choose a new --out");
    }

    /** The folder of a run that exists (holds run.json): a bad input naming the folder otherwise. */
    public static RunFolder existing(Path dir) {
        RunFolder f = new RunFolder(dir);
        if (!f.hasRun()) {
            throw new BadInputException(dir + ": not a run folder (no run.json)");
        }
        return f;
    }

    /** The weights the run started from (init.safetensors). */
    public StateDict initialWeights() {
        return weights(initWeights(), " (runs from before init.safetensors was recorded cannot be compared before/after)");
    }

    /** The run's best weights by validation AUC (weights.safetensors). */
    public StateDict trainedWeights() {
        return weights(bestWeights(), " (the run has not validated yet)");
    }

    /** The weights file of {@code which}: {@code init} or {@code best}. */
    public Path weightsFile(String which) {
        return switch (which) {
            case "init" -> initWeights();
            case "best" -> bestWeights();
            default -> throw new BadInputException("--at must be init or best, got '" + which + "'");
        };
    }

    private StateDict weights(Path file, String why) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(dir + ": has no " + file.getFileName() + why);
        }
        return SafeTensors.read(file);
    }

    /**
     * The recorded spec, to evaluate or probe the run again, on another dataset ({@code data}) or with another data
     * folder ({@code dataDir}) where given.
     */
    public RunSpec specOn(String data, Path dataDir) {
        RunSpec o = spec();
        if (data == null && dataDir == null) {
            return o;
        }
        return o.toBuilder().data(data != null ? data : o.data()).dataDir(dataDir).build();
    }

    /** The learning curve ({@code curve.csv}). */
    public List<CurvePoint> curve() {
        try {
            List<String> lines = Files.readAllLines(curveCsv());
            List<CurvePoint> out = new ArrayList<>();
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                out.add(CurvePoint.parse(line));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(curveCsv() + ": not a learning curve (" + e.getMessage() + ")");
        }
    }

    /** Writes the learning curve atomically. */
    public void writeCurve(List<CurvePoint> curve) {
        StringBuilder sb = new StringBuilder(CurvePoint.HEADER).append('\n');
        curve.forEach(p -> sb.append(p.csv()).append('\n'));
        AtomicFiles.writeString(curveCsv(), sb.toString());
    }

    /** What a finished run's metrics.json says. */
    public RunMetrics metrics() {
        return RunMetrics.of(Json.read(metricsJson()));
    }

    /** The run spec recorded in run.json. */
    public RunSpec spec() {
        return RunSpec.fromJson(Json.read(runJson()).path("spec"), runJson() + ": spec");
    }
}
