package org.transfusion.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import ai.djl.Device;
import org.transfusion.engine.Devices;
import org.transfusion.engine.hub.Hub;
import org.transfusion.engine.run.RunContext;
import org.transfusion.error.BadInputException;
import org.transfusion.study.ClusterEngine;
import org.transfusion.study.Plan;
import org.transfusion.study.PlannedRun;
import org.transfusion.study.Presets;
import org.transfusion.study.RunProcess;
import org.transfusion.study.SpecReader;
import org.transfusion.study.Study;
import org.transfusion.study.StudyRunner;
import org.transfusion.study.StudySpec;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion study PRESET|SPEC.yaml}: the paper's experiments, resumable, ending in a report. */
@Command(name = "study", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a study of the paper's experiments (a preset or a SPEC.yaml), ending in a report.",
            "Every run, skipping those already complete (or failed) in --out, then the analyses (one newer than",
            "every run is kept) and DIR/report/index.html.",
            "Presets: performance, small-data, representations, convergence, transfusion, hybrid, init-statistics,",
            "size-sweep, forgetting, all, segmentation (--task segmentation data; --compare-with), practitioner",
            "(which start to take per backbone and amount of data)."})
public final class StudyCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PRESET|SPEC.yaml") String what;

    @Option(names = "--data", paramLabel = "SPEC", description = "Dataset (overrides the spec's)") String data;
    @Option(names = "--task", paramLabel = "TASK", description = "Task (overrides the spec's)") String task;
    @Option(names = "--data-dir", paramLabel = "DIR") Path dataDir;
    @Option(names = "--scale", defaultValue = "quick", paramLabel = "demo|quick|paper",
            description = "Preset scale (default: ${DEFAULT-VALUE})") String scale;
    @Option(names = "--out", paramLabel = "DIR", description = "Study folder") Path out;
    @Option(names = "--jobs", defaultValue = "1", paramLabel = "N",
            description = "Runs in parallel, each in its own process with its share of the cores (default: ${DEFAULT-VALUE})") int jobs;
    @Option(names = "--models", split = ",", paramLabel = "NAME[,NAME...]",
            description = "Models (overrides the spec's), e.g. cbr-small,cbr-tiny") List<String> models;
    @Option(names = "--weights-dir", paramLabel = "DIR",
            description = "Pretrained weights: MODEL.safetensors / MODEL.npz / Keras export folders (pretrain.weights)")
    Path weightsDir;
    @Option(names = "--pretrain-data", paramLabel = "SPEC",
            description = "Source task to pretrain models without published weights on, e.g. imagenet:PATH, "
                    + "cifar10:download (pretrain.data)") String pretrainData;
    @Option(names = "--compare-with", paramLabel = "SPEC", description = "For a segmentation study: a classification "
            + "dataset of the same kind of images (e.g. medmnist:retinamnist) to fine-tune each U-Net's encoder on "
            + "too, setting its change in segmentation beside its change in classification "
            + "(experiments.segmentation.compare_with)") String compareWith;
    @Option(names = "--compare-task", paramLabel = "TASK", description = "The task of --compare-with (default: "
            + "referable)") String compareTask;
    @Option(names = "--device", paramLabel = "D", description = "cpu (default) or cuda[:N] for every run (needs a "
            + "CUDA libtorch; see docs/scaling.md); also TRANSFUSION_DEVICE") String device;
    @Option(names = "--engine", defaultValue = "local", paramLabel = "local|spark",
            description = "Where runs execute: local (this machine, --jobs processes; default) or spark (each run a "
                    + "Spark task; needs the Spark module, see docs/scaling.md)") String engine;
    @Option(names = "--master", paramLabel = "URL", description = "With --engine spark: local[N], local[N,RETRIES], "
            + "spark://HOST:7077, yarn, k8s://... (default: spark-submit's, else local[*])") String master;
    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "With --engine spark: a Spark setting "
            + "(repeatable), e.g. spark.task.maxFailures=4") java.util.Map<String, String> conf;
    @Option(names = "--gpus-per-run", defaultValue = "0", paramLabel = "N", description = "With --engine spark: GPUs "
            + "each run's task asks for (spark.task.resource.gpu.amount); the run trains on the GPU it is given")
    int gpusPerRun;
    @Option(names = "--threads-per-run", paramLabel = "N", description = "With --engine spark: CPU threads (and "
            + "spark.task.cpus) per run (default: cores / N for local[N], else 1 with GPUs and 4 without)")
    Integer threadsPerRun;
    @Option(names = "--print", description = "Print the resolved spec as YAML and exit (edit it, then run it)") boolean print;
    @Option(names = "--plan", description = "List every run and every weights file the study will fetch or needs, "
            + "without training; exit 2 with one line per missing input") boolean plan;

    @Override
    public Integer call() {
        StudySpec s = withComparison(resolve(what, scale, data, task, models, weightsDir, pretrainData), scale,
                compareWith, compareTask);
        if (print) {
            DumperOptions o = new DumperOptions();
            o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            spec.commandLine().getOut().print(new Yaml(o).dump(s.toMap()));
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (plan) {
            return printPlan(s);
        }
        if (out == null) {
            throw new BadInputException("--out DIR is required (the study folder)");
        }
        Device device = this.device != null ? Devices.parse(this.device) : s.device(); // --device over the spec's
        // Checked before anything runs (in-process runs are given it in their context, child runs as --device),
        // except for a cluster, whose runs use their nodes' GPUs, not this machine's.
        boolean cluster = engine.equals("spark") && master != null && !master.startsWith("local");
        String runDevice = device == null ? null : Devices.name(cluster ? device : Devices.available(device));
        if (jobs < 1 || jobs > Runtime.getRuntime().availableProcessors()) {
            throw new BadInputException("--jobs must be between 1 and the number of cores ("
                    + Runtime.getRuntime().availableProcessors() + "), got " + jobs);
        }
        if (!engine.equals("local") && !engine.equals("spark")) {
            throw new BadInputException("--engine must be local or spark, got '" + engine + "'");
        }
        if (engine.equals("local") && (master != null || conf != null || gpusPerRun != 0 || threadsPerRun != null)) {
            throw new BadInputException("--master, --conf, --gpus-per-run and --threads-per-run need --engine spark");
        }
        if (engine.equals("spark") && jobs != 1) {
            throw new BadInputException("--jobs is for --engine local; on Spark the runs at a time are the cluster's "
                    + "task slots (--master local[N] on one machine)");
        }
        if (gpusPerRun < 0 || (threadsPerRun != null && threadsPerRun < 1)) {
            throw new BadInputException("--gpus-per-run must be >= 0 and --threads-per-run >= 1");
        }
        Path report;
        if (engine.equals("spark")) {
            ClusterEngine e = clusterEngine("spark");
            ClusterEngine.Options o = new ClusterEngine.Options(master, conf == null ? java.util.Map.of() : conf,
                    gpusPerRun, threadsPerRun, System.err,
                    (run, threads) -> RunProcess.of(run, threads, RunProcess.clusterClasspath(), runDevice));
            try (org.transfusion.study.RunExecutor executor = e.open(o)) {
                report = Study.run(s, out, dataDir, new StudyRunner(System.err, executor), System.err);
            }
        } else {
            report = run(s, out, dataDir, jobs, runDevice, System.err);
        }
        spec.commandLine().getOut().println("report: " + report.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static StudySpec resolve(String what, String scale, String data, String task) {
        return resolve(what, scale, data, task, null, null, null);
    }

    static StudySpec resolve(String what, String scale, String data, String task, List<String> models,
                             Path weightsDir, String pretrainData) {
        StudySpec s = what.endsWith(".yaml") || what.endsWith(".yml") || Files.isRegularFile(Path.of(what))
                ? SpecReader.read(Path.of(what)) : Presets.get(what, scale, weightsDir);
        StudySpec.Pretrain p = s.pretrain();
        StudySpec.Pretrain pretrain = new StudySpec.Pretrain(pretrainData != null ? pretrainData : p.data(), p.task(),
                p.epochs(), weightsDir != null ? weightsDir.toString() : p.weights(), p.imageSize(), p.published());
        StudySpec resolved = new StudySpec(s.name(), data != null ? data : s.data(), task != null ? task : s.task(),
                s.imageSize(), models != null ? models : s.models(), s.seeds(), s.training(), pretrain,
                s.experiments(), s.device());
        // Overrides are checked like the file's own values (a misspelt --models name, say).
        return SpecReader.parse(new Yaml().dump(resolved.toMap()), "the study spec with the command's options");
    }

    /**
     * {@code s} comparing its segmentation with {@code data} ({@code task}, default referable) at the scale's
     * classification size and length; {@code s} itself when {@code data} is null.
     */
    static StudySpec withComparison(StudySpec s, String scale, String data, String task) {
        if (data == null) {
            if (task != null) {
                throw new BadInputException("--compare-task needs --compare-with SPEC (the classification data)");
            }
            return s;
        }
        StudySpec.Segmentation seg = s.experiments().segmentation();
        if (seg == null) {
            throw new BadInputException("--compare-with is for a segmentation study (study segmentation, or a spec "
                    + "with experiments.segmentation); " + s.name() + " has none");
        }
        StudySpec.Experiments e = s.experiments();
        StudySpec.Segmentation compared = new StudySpec.Segmentation(seg.schemes(), seg.blocks(), seg.threshold(),
                seg.maxPoints(), Presets.compareWith(Presets.SCALES.contains(scale) ? scale : "quick", data,
                        task != null ? task : "referable"));
        StudySpec out = new StudySpec(s.name(), s.data(), s.task(), s.imageSize(), s.models(), s.seeds(), s.training(),
                s.pretrain(), new StudySpec.Experiments(e.performance(), e.smallData(), e.representations(),
                e.convergence(), e.transfusion(), e.hybrid(), e.sizeSweep(), e.forgetting(), compared), s.device());
        return SpecReader.parse(new Yaml().dump(out.toMap()), "the study spec with --compare-with");
    }

    /** The dry run: every run, where each model's pretrained weights come from, what is missing. */
    private int printPlan(StudySpec s) {
        Path dir = out != null ? out : Path.of("study-plan");
        Plan p = Plan.of(s, dir, dataDir);
        PrintWriter w = spec.commandLine().getOut();
        w.println("study " + s.name() + ": " + (p.pretrains().size() + p.runs().size()) + " runs ("
                + p.pretrains().size() + " pretraining)");
        for (PlannedRun r : p.pretrains()) {
            w.println("  pretrain  " + r.id() + "  on " + r.spec().data());
        }
        for (PlannedRun r : p.runs()) {
            w.println("  run       " + r.id());
        }
        w.println("pretrained weights:");
        p.sources().forEach((model, source) -> w.println("  " + model + ": " + source.describe()));
        Hub.Config hub = Hub.Config.fromEnvironment();
        p.skippedSources().forEach(line -> w.println("  skipped " + line));
        p.published().values().stream().distinct().forEach(src -> {
            Hub.Fetched cached = Hub.cached(src, hub);
            // the pin: the revision asked for, and the file's SHA-256 where we pin it (the hub's own hash is
            // checked in every case)
            w.println("  fetch " + src.repo() + " (" + src.licence() + "; revision " + src.revision() + ", "
                    + (src.sha256() != null ? "sha256 " + src.sha256() : "sha256 not pinned: the hub's checked")
                    + "): " + (cached != null ? "cached at " + cached.file()
                    : (hub.offline() ? "NOT cached (offline) " : "will download ") + Hub.url(src, hub) + " to "
                    + Hub.cachePath(src, hub)));
        });
        List<String> seeds = Study.seedEstimate(p);
        if (!seeds.isEmpty()) {
            w.println("seeds to decide claim 1 (transfer does not change test AUC, +-0.02), from the runs in " + dir + ":");
            seeds.forEach(l -> w.println("  " + l));
        }
        w.flush();
        Study.refuseMissing(p);
        return 0;
    }

    /**
     * The study in this JVM ({@code jobs} 1) or in {@code jobs} child JVMs at a time, its runs on {@code device}
     * (null: the environment's).
     */
    static Path run(StudySpec s, Path out, Path dataDir, int jobs, String device, PrintStream log) {
        StudyRunner runner = new StudyRunner(log, jobs, jobs > 1 ? StudyRunner.childProcesses(device) : null,
                RunContext.on(device));
        return Study.run(s, out, dataDir, runner, log);
    }

    /** The cluster engine called {@code name}, from the class path (the launcher adds the Spark module's jars). */
    static ClusterEngine clusterEngine(String name) {
        for (ClusterEngine e : java.util.ServiceLoader.load(ClusterEngine.class)) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw new BadInputException("--engine " + name + " needs the Spark module on the class path: run through the "
                + "transfusion launcher (it adds spark/target/ when --engine spark is given; build it with ./mvnw "
                + "install) or spark-submit the transfusion-spark jar (see docs/scaling.md, \"Studies on Spark\")");
    }
}
