package org.transfusion.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.error.BadInputException;

/**
 * Every run a study needs, each once: the pretraining runs (one per architecture that transfer schemes need,
 * unless weights are given), then the runs each {@link Experiment} asks for, shared between experiments where they
 * coincide (the performance table's random and pretrained runs are also the convergence experiment's).
 */
public final class Plan {
    private final StudySpec spec;
    private final Path dir;
    private final Path dataDir;
    private final Map<String, PlannedRun> pretrains = new LinkedHashMap<>();
    private final Map<String, PlannedRun> runs = new LinkedHashMap<>();

    private Plan(StudySpec spec, Path dir, Path dataDir) {
        this.spec = spec;
        this.dir = dir;
        this.dataDir = dataDir;
    }

    public static Plan of(StudySpec spec, Path dir, Path dataDir) {
        if (spec.data() == null) {
            throw new BadInputException("the study has no data: give --data SPEC (e.g. medmnist:retinamnist)");
        }
        Plan p = new Plan(spec, dir, dataDir);
        List<Experiment> experiments = Experiments.of(spec);
        for (String model : spec.models()) {
            for (long seed : spec.seeds()) {
                experiments.forEach(e -> e.plan(p, model, seed));
            }
        }
        experiments.forEach(e -> e.planOnce(p));
        return p;
    }

    public List<PlannedRun> pretrains() {
        return new ArrayList<>(pretrains.values());
    }

    public List<PlannedRun> runs() {
        return new ArrayList<>(runs.values());
    }

    public PlannedRun run(String model, String scheme, Integer subset, long seed) {
        return runs.get(id(model, scheme, subset, seed));
    }

    public StudySpec spec() {
        return spec;
    }

    public Path dir() {
        return dir;
    }

    static String id(String model, String scheme, Integer subset, long seed) {
        String s = scheme.toLowerCase(Locale.ROOT).replace(":", "-").replace("+", "-plus-");
        return model + "__" + s + "__" + (subset == null ? "all" : "n" + subset) + "__s" + seed;
    }

    /** Plans the run of {@code model} from {@code scheme} (on a train subset, or all data when null) once. */
    void add(String model, String scheme, Integer subset, long seed) {
        String id = id(model, scheme, subset, seed);
        if (runs.containsKey(id)) {
            return;
        }
        InitScheme init = InitScheme.parse(scheme);
        Path weights = null;
        if (init.needsWeights()) {
            weights = weightsFor(model.endsWith("-slim") ? model.substring(0, model.length() - 5) : model);
        }
        List<Double> thresholds = spec.experiments().convergence() != null
                ? spec.experiments().convergence().thresholds() : RunSpec.DEFAULT_THRESHOLDS;
        RunSpec run = training(spec.data(), spec.task(), model, spec.training().epochs())
                .init(init).weights(weights).evalEvery(spec.training().evalEvery()).seed(seed).trainSubset(subset)
                .thresholds(thresholds).build();
        runs.put(id, new PlannedRun(id, model, init.spec(), subset, seed, run, dir.resolve("runs").resolve(id)));
    }

    /** A run with the study's training settings (3 input channels: pretrained and random runs alike). */
    private RunSpec.Builder training(String data, String task, String model, int epochs) {
        StudySpec.Training t = spec.training();
        return RunSpec.builder(data, model).task(task).length(null, epochs).batchSize(t.batchSize()).lr(t.lr())
                .optimizer(t.optimizer()).schedule(t.schedule()).momentum(t.momentum()).weightDecay(t.weightDecay())
                .augment(t.augment()).imageSize(spec.imageSize() > 0 ? spec.imageSize() : null).channels(3)
                .dataDir(dataDir);
    }

    /** The pretrained weights of {@code model}: a given file or folder, or a pretraining run planned here. */
    private Path weightsFor(String model) {
        StudySpec.Pretrain p = spec.pretrain();
        if (p.weights() != null) {
            Path w = Path.of(p.weights());
            Path file = Files.isDirectory(w) || p.weights().endsWith("/") ? w.resolve(model + ".safetensors") : w;
            if (!Files.isRegularFile(file)) {
                throw new BadInputException("pretrain.weights: no pretrained weights for " + model + " at " + file);
            }
            return file;
        }
        PlannedRun run = pretrains.computeIfAbsent(model, m -> new PlannedRun("pretrain__" + m, m, "random", null, 0L,
                training(p.data(), p.task(), m, p.epochs()).build(), dir.resolve("pretrain").resolve(m)));
        return new RunFolder(run.folder()).bestWeights();
    }
}
