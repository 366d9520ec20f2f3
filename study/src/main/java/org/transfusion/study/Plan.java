package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.data.Tasks;
import org.transfusion.engine.hub.Hub;
import org.transfusion.engine.hub.PretrainedSource;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;

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
    private final Map<String, PretrainedSource> published = new LinkedHashMap<>();
    private final Map<String, WeightsSource> sources = new LinkedHashMap<>();
    private final Map<String, String> missing = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();

    private Plan(StudySpec spec, Path dir, Path dataDir) {
        this.spec = spec;
        this.dir = dir;
        this.dataDir = dataDir;
    }

    public static Plan of(StudySpec spec, Path dir, Path dataDir) {
        Plan p = new Plan(spec, dir, dataDir);
        if (spec.data() == null) {
            p.missing.put("data", "data: the study has no data: give --data SPEC (e.g. medmnist:retinamnist, "
                    + "chexpert:PATH, eyepacs:PATH)");
        }
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

    /** The study folder's paths. */
    public StudyFolder folder() {
        return new StudyFolder(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Where the runs look up {@code medmnist:NAME} files (null: the default places); run.json does not keep it. */
    Path dataDir() {
        return dataDir;
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
        Normalisation normalisation = null;
        if (init.needsWeights()) {
            // A slim variant starts from its full model's weights (its lower blocks are the same), a U-Net from its
            // encoder's.
            String card = ModelRegistry.get(model).weightsCard().name();
            weights = weightsFor(card);
            normalisation = hubNormalisation(card);
        }
        put(id, model, init.spec(), init, weights, normalisation, subset, seed, spec.training().epochs());
    }

    /**
     * Plans, once, a practitioner study's arm ({@link StudySpec.Practitioner#arms}) of {@code model} on a train
     * subset (null: all data): {@code random} is the study's random run; {@code random-long} the same from random
     * init for {@code longFactor} times the epochs; {@code from:SOURCE} a transfer from that source's weights for the
     * model. False when the source has no weights for this model (the arm is left out; {@link #skippedSources} says
     * so).
     */
    boolean addArm(String model, String arm, Integer subset, long seed, StudySpec.Practitioner p) {
        if (arm.equals("random")) {
            add(model, "random", subset, seed);
            return true;
        }
        String id = id(model, arm, subset, seed);
        if (runs.containsKey(id)) {
            return true;
        }
        if (arm.equals(StudySpec.Practitioner.RANDOM_LONG)) {
            int epochs = (int) Math.round(spec.training().epochs() * p.longFactor());
            put(id, model, arm, new InitScheme.Random(), null, null, subset, seed, epochs);
            return true;
        }
        WeightsSpec source = p.sources().stream().filter(s -> StudySpec.Practitioner.arm(s).equals(arm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no source for arm " + arm));
        String card = ModelRegistry.get(model).weightsCard().name();
        Path weights = weightsFrom(card, source);
        if (weights == null) {
            return false;
        }
        put(id, model, arm, new InitScheme.Pretrained(), weights, hubNormalisation(sourceKey(card, source)), subset,
                seed, spec.training().epochs());
        return true;
    }

    /**
     * The input normalisation of the hub checkpoint planned under {@code key} in {@link #published} (a DINO ViT's
     * own, which its runs are fed; the card's is stored as none by RunSpec), or null when the weights are not a hub
     * checkpoint's.
     */
    private Normalisation hubNormalisation(String key) {
        PretrainedSource hub = published.get(key);
        return hub == null ? null : hub.normalisation();
    }

    private void put(String id, String model, String label, InitScheme init, Path weights, Normalisation normalisation,
                     Integer subset, long seed, int epochs) {
        List<Double> thresholds = spec.experiments().convergence() != null
                ? spec.experiments().convergence().thresholds() : RunSpec.DEFAULT_THRESHOLDS;
        if (isSegmentation()) {
            // the Dice threshold the verdicts use, declared in the spec
            thresholds = List.of(spec.experiments().segmentation() != null
                    ? spec.experiments().segmentation().threshold() : RunSpec.DEFAULT_THRESHOLDS.get(0));
        }
        RunSpec.Builder b = isSegmentation() ? segmentationTraining(model)
                : training(spec.data(), spec.task(), model, epochs)
                        .classWeights(spec.training().classWeights()).sampler(spec.training().sampler());
        RunSpec run = b.init(init).weights(weights).normalisation(normalisation).evalEvery(spec.training().evalEvery()).seed(seed).trainSubset(subset)
                .thresholds(thresholds)
                .snapshots(spec.experiments().forgetting() != null ? spec.experiments().forgetting().snapshots() : 0)
                .build();
        runs.put(id, new PlannedRun(id, model, label, subset, seed, run, folder().run(id)));
    }

    /**
     * Plans, once, the classification run of {@code encoder} (a U-Net's encoder, as its own classifier) from
     * {@code scheme} on the task a segmentation study compares with ({@code experiments.segmentation.compare_with}):
     * the study's training settings, that task's data, image size and length; the same pretrained weights as the
     * U-Net's encoder. Its id is {@code compare__} and the usual one, so it never stands for a run of the study's
     * own models.
     */
    void addComparison(String encoder, String scheme, long seed, StudySpec.CompareWith with) {
        String id = comparisonId(encoder, scheme, seed);
        if (runs.containsKey(id)) {
            return;
        }
        InitScheme init = InitScheme.parse(scheme);
        Path weights = init.needsWeights() ? weightsFor(ModelRegistry.get(encoder).weightsCard().name()) : null;
        RunSpec run = training(with.data(), with.task(), encoder, with.epochs() > 0 ? with.epochs()
                : spec.training().epochs())
                .imageSize(with.imageSize() > 0 ? with.imageSize() : null)
                .init(init).weights(weights).evalEvery(spec.training().evalEvery()).seed(seed).build();
        runs.put(id, new PlannedRun(id, encoder, init.spec(), null, seed, run, folder().run(id)));
    }

    /** The comparison run {@link #addComparison} planned, or null. */
    public PlannedRun comparison(String encoder, String scheme, long seed) {
        return runs.get(comparisonId(encoder, scheme, seed));
    }

    static String comparisonId(String encoder, String scheme, long seed) {
        return "compare__" + id(encoder, scheme, null, seed);
    }

    /**
     * A run with the study's training settings (3 input channels: pretrained and random runs alike); the class
     * weights and sampler are added for the medical task's runs only ({@link #add}).
     */
    private RunSpec.Builder training(String data, String task, String model, int epochs) {
        StudySpec.Training t = spec.training();
        // A study without data is only ever listed (--plan): missing() refuses to run it.
        return RunSpec.builder(data != null ? data : "(no data given)", model).task(task).length(null, epochs).batchSize(t.batchSize()).lr(t.lr())
                .optimizer(t.optimizer()).schedule(t.schedule()).momentum(t.momentum()).weightDecay(t.weightDecay())
                .augment(t.augment()).uncertainty(t.uncertainty()).frontalOnly(t.frontalOnly())
                .operatingPoint(t.operatingPoint()).calibrate(t.calibrate()).subsetSampling(t.subsetSampling())
                .imageSize(spec.imageSize() > 0 ? spec.imageSize() : null).channels(3)
                .dataDir(dataDir);
    }

    /**
     * A segmentation run's settings: the study's training, its {@code image_size} as the patch side (images are
     * never resized; 0 = the default patch), and no class weights or sampler (a segmentation has its own).
     */
    private RunSpec.Builder segmentationTraining(String model) {
        return training(spec.data(), spec.task(), model, spec.training().epochs()).imageSize(null)
                .patchSize(spec.imageSize() > 0 ? spec.imageSize() : null);
    }

    /** Whether the study's runs are segmentations (its task). */
    boolean isSegmentation() {
        return spec.task() != null && spec.task().strip().equalsIgnoreCase(Tasks.SEGMENTATION);
    }

    /** Published weights the plan uses (fetched before the runs start), by model. */
    public Map<String, PretrainedSource> published() {
        return new LinkedHashMap<>(published);
    }

    /** Inputs the plan needs that are not there, one line each (empty when the study can run). */
    public List<String> missing() {
        List<String> out = new ArrayList<>(missing.values());
        Hub.Config hub = Hub.Config.fromEnvironment();
        for (PretrainedSource s : published.values().stream().distinct().toList()) {
            if (Hub.cached(s, hub) == null && hub.offline()) {
                out.add(s.model() + ": HF_HUB_OFFLINE is set and " + s.repo() + " is not cached: download "
                        + Hub.url(s, hub) + " and place it at " + Hub.cachePath(s, hub).toAbsolutePath());
            }
        }
        return out;
    }

    /** Where each model's pretrained weights come from (for the report and the dry run). */
    public Map<String, WeightsSource> sources() {
        return new LinkedHashMap<>(sources);
    }

    /** Where a model's pretrained weights come from: the first source that has them, or none. */
    public sealed interface WeightsSource {
        /** In words, for the report and the dry run. */
        String describe();

        /** Whether there is no source: the study cannot run, and {@link #missing()} says what to give. */
        default boolean isMissing() {
            return this instanceof Missing;
        }

        /** A file under {@code pretrain.weights}. */
        record File(Path file) implements WeightsSource {
            public String describe() { return "weights file " + file.toAbsolutePath().normalize(); }
        }

        /** Its published ImageNet weights, fetched from the hub. */
        record Published(PretrainedSource source) implements WeightsSource {
            public String describe() {
                Normalisation own = source.normalisation();
                return "ImageNet weights " + source.repo() + " (" + source.licence() + "), fetched from the hub"
                        + (own.equals(ModelRegistry.get(source.model()).normalisation()) ? ""
                        : "; its inputs normalised as it was trained (" + own.label() + ")");
            }
        }

        /** A pretraining run of this study on {@code pretrain.data}. */
        record Pretraining(String data, String task, int epochs) implements WeightsSource {
            public String describe() {
                return "pretrained in this study on " + data + (task != null ? " (" + task + ")" : "") + ", " + epochs
                        + " epochs";
            }
        }

        /** No source has weights for the model. */
        record Missing() implements WeightsSource {
            public String describe() { return "MISSING"; }
        }
    }

    /** Fetches the published weights the plan uses (from the cache when there). */
    public void fetchPublished(PrintStream log) {
        Hub.Config hub = Hub.Config.fromEnvironment();
        published.values().stream().distinct().forEach(s -> Hub.fetch(s, hub, log));
    }

    /**
     * The pretraining sources a practitioner study lists that have no weights for a model, one line each (those
     * arms are left out of that model's runs).
     */
    public List<String> skippedSources() {
        return new ArrayList<>(skipped.values());
    }

    /** The key of {@code model}'s weights from {@code source} in {@link #sources} and {@link #published}. */
    public static String sourceKey(String model, WeightsSpec source) {
        return model + " from " + source.slug();
    }

    /**
     * The weights of {@code model} (a weights card's name) from one practitioner source, recorded in
     * {@link #sources} (and {@link #published} for a hub checkpoint) under {@link #sourceKey}; null when the source
     * has none for this model (recorded in {@link #skippedSources}). A checkpoint file that does not exist is a line
     * in {@link #missing()}.
     */
    Path weightsFrom(String model, WeightsSpec source) {
        String key = sourceKey(model, source);
        StudySpec.Pretrain p = spec.pretrain();
        switch (source.kind()) {
            case PUBLISHED, HUB -> {
                PretrainedSource s = source.kind() == WeightsSpec.Kind.PUBLISHED ? PretrainedSource.of(model)
                        : PretrainedSource.of(model, source.arg());
                if (s == null) {
                    List<String> tags = ModelRegistry.get(model).checkpoints().stream()
                            .map(org.transfusion.engine.model.PublishedWeights::tag).toList();
                    skipped.put(key, model + ": no published checkpoint" + (source.kind() == WeightsSpec.Kind.HUB
                            ? " tagged " + source.arg() : "") + " (" + (tags.isEmpty() ? "it has none"
                            : "it has " + String.join(", ", tags)) + "): " + source.spec() + " left out");
                    return null;
                }
                published.put(key, s);
                sources.put(key, new WeightsSource.Published(s));
                return Hub.cachePath(s, Hub.Config.fromEnvironment());
            }
            case WEIGHTS -> {
                Path given = p.weights() == null ? null : localWeights(Path.of(p.weights()), model);
                if (given == null) {
                    skipped.put(key, model + ": no weights file for it in pretrain.weights (" + (p.weights() == null
                            ? "none given: --weights-dir" : p.weights()) + "): weights left out");
                    return null;
                }
                sources.put(key, new WeightsSource.File(given));
                return given;
            }
            case OWN -> {
                if (p.data() == null) {
                    skipped.put(key, model + ": no pretrain.data to pretrain on (--pretrain-data): own left out");
                    return null;
                }
                return pretraining(model, key);
            }
            case FILE -> {
                Path file = Path.of(source.arg()).toAbsolutePath().normalize();
                if (!Files.isRegularFile(file) && !Files.isDirectory(file)) {
                    missing.put(key, key + ": " + file + " does not exist (experiments.practitioner.sources: "
                            + source.spec() + ")");
                }
                sources.put(key, new WeightsSource.File(file));
                return file;
            }
            default -> throw new IllegalStateException(source.kind().toString());
        }
    }

    /**
     * The pretrained weights of {@code model}, from the first source that has them: a file for it under
     * {@code pretrain.weights}; its published ImageNet weights (when {@code pretrain.published}); a pretraining run
     * on {@code pretrain.data} planned here. None: a line in {@link #missing()}.
     */
    private Path weightsFor(String model) {
        StudySpec.Pretrain p = spec.pretrain();
        if (p.weights() != null) {
            Path given = localWeights(Path.of(p.weights()), model);
            if (given != null) {
                sources.put(model, new WeightsSource.File(given));
                return given;
            }
        }
        PretrainedSource source = PretrainedSource.of(model);
        if (p.published() && source != null) {
            published.put(model, source);
            sources.put(model, new WeightsSource.Published(source));
            return Hub.cachePath(source, Hub.Config.fromEnvironment());
        }
        if (p.data() != null) {
            return pretraining(model, model);
        }
        sources.put(model, new WeightsSource.Missing());
        missing.put(model, model + ": no pretrained weights: put " + model + ".safetensors in a folder given as "
                + "pretrain.weights (--weights-dir), or give a source task to pretrain on as pretrain.data "
                + "(--pretrain-data, e.g. imagenet:PATH)" + (source != null && !p.published()
                ? ", or allow its published weights (pretrain.published: true)" : ""));
        return folder().missingWeights(model);
    }

    /** The best weights of {@code model}'s pretraining run on {@code pretrain.data}, planned once; a source under {@code key}. */
    private Path pretraining(String model, String key) {
        StudySpec.Pretrain p = spec.pretrain();
        PlannedRun run = pretrains.computeIfAbsent(model, m -> {
            RunSpec.Builder b = training(p.data(), p.task(), m, p.epochs());
            if (p.imageSize() > 0) {
                b.imageSize(p.imageSize()); // else the study's size, like the runs it serves
            }
            return new PlannedRun("pretrain__" + m, m, "random", null, 0L, b.build(), folder().pretraining(m));
        });
        sources.put(key, new WeightsSource.Pretraining(p.data(), p.task(), p.epochs()));
        return new RunFolder(run.folder()).bestWeights();
    }

    /**
     * A model's weights under {@code given}: the file itself, or in a folder {@code MODEL.safetensors},
     * {@code MODEL.npz}, a Keras export folder {@code MODEL/}, or a name its model card lists (Keras' own folder name
     * for its MobileNetV2).
     */
    private static Path localWeights(Path given, String model) {
        if (Files.isRegularFile(given)) {
            return given;
        }
        List<Path> candidates = new ArrayList<>(List.of(given.resolve(model + ".safetensors"),
                given.resolve(model + ".npz"), given.resolve(model)));
        ModelRegistry.get(model).localWeightsNames().forEach(n -> candidates.add(given.resolve(n)));
        return candidates.stream().filter(Files::exists).findFirst().orElse(null);
    }
}
