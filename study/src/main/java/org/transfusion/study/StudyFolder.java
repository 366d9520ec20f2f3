package org.transfusion.study;

import java.nio.file.Path;

/**
 * A study's folder, as {@code RunFolder} is a run's: {@code study.json} (the spec it runs and its data folder),
 * {@code pretrain/MODEL/} (pretraining runs), {@code runs/ID/} (the runs), beside each run folder its child
 * process's {@code ID.spec.json} and {@code ID.log}, {@code analysis/NAME.json} (the experiments' analyses),
 * {@code missing-weights/} (where a model without weights would have had them) and {@code report/index.html} with
 * its CSV files and figures. No other class spells these names.
 */
public record StudyFolder(Path dir) {
    public Path studyJson() { return dir.resolve("study.json"); }
    public Path reportDir() { return dir.resolve("report"); }
    public Path reportIndex() { return reportDir().resolve("index.html"); }
    public Path analysisDir() { return dir.resolve("analysis"); }
    /** An experiment's analysis file {@code analysis/NAME.json}. */
    public Path analysis(String name) { return analysisDir().resolve(name + ".json"); }
    public Path representations() { return analysis("representations"); }
    public Path forgetting() { return analysis("forgetting"); }
    public Path sizeSweep() { return analysis("size-sweep"); }
    public Path pairedDelong() { return analysis("paired-delong"); }
    public Path smallData() { return analysis("small-data"); }
    public Path runsDir() { return dir.resolve("runs"); }
    /** The folder of the run {@code id}. */
    public Path run(String id) { return runsDir().resolve(id); }
    public Path pretrainDir() { return dir.resolve("pretrain"); }
    /** The folder of {@code model}'s pretraining run. */
    public Path pretraining(String model) { return pretrainDir().resolve(model); }
    /** Where {@code model}'s missing pretrained weights would be (a path that names what is missing). */
    public Path missingWeights(String model) { return dir.resolve("missing-weights").resolve(model + ".safetensors"); }

    /** The spec file a child process of {@code run} trains from, beside its folder. */
    public static Path specFile(PlannedRun run) { return run.folder().resolveSibling(run.id() + ".spec.json"); }

    /** The log of a child process of {@code run}, beside its folder. */
    public static Path logFile(PlannedRun run) { return run.folder().resolveSibling(run.id() + ".log"); }
}
