package org.transfusion.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.Tasks;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.Range;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.run.ScheduleKind;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.engine.probe.SourceForgetting;
import org.transfusion.error.BadInputException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates a study spec up front: unknown keys, wrong types and unknown names (models, task, init
 * schemes, blocks of the transfusion model, optimiser, schedule, augmentation) are errors that name the file and
 * the path of the key in it (e.g. {@code study.yaml: experiments.small_data.sizes[1]: expected a whole number},
 * {@code study.yaml: models[1]: unknown model 'resnet-50' (expected one of ...)}), before any run starts.
 */
public final class SpecReader {
    /**
     * Every numeric key a spec may hold and its range: the reader reads a number only through this table (a key
     * missing here is a bug, not a default), so each is checked before anything runs. Paths ending in {@code []} are
     * lists of numbers, each element checked. The ranges are the ones the train flags use ({@link RunSpec}), or the
     * commands measuring the same quantity.
     */
    private static final Map<String, Range> NUMERIC_KEYS = numericKeys(
            "image_size", RunSpec.IMAGE_SIZE.orZero("the data's stored size"),
            "seeds[]", RunSpec.SEED,
            "training.epochs", RunSpec.EPOCHS,
            "training.batch_size", RunSpec.BATCH_SIZE,
            "training.lr", RunSpec.LR,
            "training.eval_every", RunSpec.EVAL_EVERY,
            "training.momentum", RunSpec.MOMENTUM,
            "training.weight_decay", RunSpec.WEIGHT_DECAY,
            "training.class_weights[]", ClassWeights.WEIGHT,
            "training.operating_point", OperatingPoint.THRESHOLD,
            "pretrain.epochs", RunSpec.EPOCHS,
            "pretrain.image_size", RunSpec.IMAGE_SIZE.orZero("the pretraining data's stored size"),
            "experiments.small_data.sizes[]", RunSpec.TRAIN_SUBSET,
            "experiments.representations.max_points", RunComparison.MAX_POINTS,
            "experiments.convergence.thresholds[]", RunSpec.AUC_THRESHOLD,
            "experiments.size_sweep.max_points", RunComparison.MAX_POINTS,
            "experiments.forgetting.snapshots", RunSpec.SNAPSHOTS,
            "experiments.forgetting.train_images", SourceForgetting.Request.TRAIN_IMAGES,
            "experiments.forgetting.test_images", SourceForgetting.Request.TEST_IMAGES);

    private final String file;

    private SpecReader(String file) {
        this.file = file;
    }

    /**
     * The numeric keys a spec may hold, by YAML path ({@code []}: each element of a list), with their ranges. The
     * choices that also take numbers ({@code operating_point: 0.5}, {@code class_weights: [1, 9]}) are listed with
     * the range of their number form, which their parsers check.
     */
    public static Map<String, Range> numericKeys() {
        return NUMERIC_KEYS;
    }

    private static Map<String, Range> numericKeys(Object... pathsAndRanges) {
        Map<String, Range> m = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndRanges.length; i += 2) {
            m.put((String) pathsAndRanges[i], (Range) pathsAndRanges[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    public static StudySpec read(Path path) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new BadInputException(path + ": file not found");
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(text, path.toString());
    }

    public static StudySpec parse(String yaml, String source) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new BadInputException(source + ": not valid YAML ("
                    + BadInputException.printable(e.getMessage().split("\n")[0], 1000) + ")");
        }
        try {
            return new SpecReader(source).spec(root);
        } catch (BadInputException e) {
            // Messages quote the spec's keys and values, which YAML lets hold line breaks and other control
            // characters; escaped here once for every message, so each stays one line.
            String message = BadInputException.printable(e.getMessage(), 2000);
            throw message.equals(e.getMessage()) ? e : new BadInputException(message, e);
        }
    }

    private StudySpec spec(Object root) {
        Map<String, Object> m = map(root, "");
        keys(m, "", Set.of("name", "data", "task", "image_size", "models", "seeds", "training", "pretrain",
                "experiments", "device"));
        Map<String, Object> t = map(require(m, "training", ""), "training");
        keys(t, "training", Set.of("epochs", "batch_size", "lr", "eval_every", "optimizer", "schedule", "momentum",
                "weight_decay", "augment", "uncertainty", "frontal_only", "class_weights", "sampler", "operating_point",
                "calibrate"));
        StudySpec.Training training = new StudySpec.Training(integer(t, "epochs", "training", 10),
                integer(t, "batch_size", "training", 64), number(t, "lr", "training", 1e-3),
                integer(t, "eval_every", "training", 0),
                named(t, "optimizer", "training", "adam", OptimizerKind::parse),
                named(t, "schedule", "training", "cosine", ScheduleKind::parse),
                number(t, "momentum", "training", 0.9), number(t, "weight_decay", "training", 1e-4),
                named(t, "augment", "training", "default", Augment.Policy::parse),
                named(t, "uncertainty", "training", "u-ones", UncertaintyPolicy::parse),
                bool(t, "frontal_only", "training", true),
                choice(t, "class_weights", "training", "none", ClassWeights::parse),
                named(t, "sampler", "training", "shuffle", Sampler::parse),
                choice(t, "operating_point", "training", "youden", OperatingPoint::parse),
                named(t, "calibrate", "training", "none", CalibrationKind::parse));
        Map<String, Object> p = map(require(m, "pretrain", ""), "pretrain");
        keys(p, "pretrain", Set.of("data", "task", "epochs", "weights", "image_size", "published"));
        StudySpec.Pretrain pretrain = new StudySpec.Pretrain(string(p, "data", "pretrain", null),
                string(p, "task", "pretrain", null), integer(p, "epochs", "pretrain", 5),
                string(p, "weights", "pretrain", null), integer(p, "image_size", "pretrain", 0),
                bool(p, "published", "pretrain", true));
        Map<String, Object> e = map(require(m, "experiments", ""), "experiments");
        Set<String> experimentKeys = Set.of("performance", "small_data", "representations", "convergence",
                "transfusion", "hybrid", "size_sweep", "forgetting");
        keys(e, "experiments", experimentKeys);
        if (e.isEmpty()) {
            throw new BadInputException(file + ": experiments: expected at least one experiment (one of "
                    + String.join(", ", new java.util.TreeSet<>(experimentKeys)) + ")");
        }
        StudySpec.Experiments experiments = new StudySpec.Experiments(
                e.containsKey("performance") ? performance(e) : null,
                e.containsKey("small_data") ? smallData(e) : null,
                e.containsKey("representations") ? representations(e) : null,
                e.containsKey("convergence") ? convergence(e) : null,
                e.containsKey("transfusion") ? transfusion(e) : null,
                e.containsKey("hybrid") ? hybrid(e) : null,
                e.containsKey("size_sweep") ? sizeSweep(e) : null,
                e.containsKey("forgetting") ? forgetting(e) : null);
        List<String> models = strings(require(m, "models", ""), "models");
        if (models.isEmpty()) {
            throw new BadInputException(file + ": models: expected at least one model");
        }
        for (int i = 0; i < models.size(); i++) {
            model(models.get(i), "models[" + i + "]");
        }
        String task = string(m, "task", "", null);
        if (task != null && !Tasks.NAMES.contains(task.trim().toLowerCase(Locale.ROOT))) {
            throw new BadInputException(file + ": task: unknown task '" + task + "' (expected one of "
                    + String.join(", ", Tasks.NAMES) + ")");
        }
        checkBlocks(experiments, models);
        List<Long> seeds = new ArrayList<>();
        List<Object> rawSeeds = list(require(m, "seeds", ""), "seeds");
        for (int i = 0; i < rawSeeds.size(); i++) {
            seeds.add(whole(rawSeeds.get(i), "seeds[" + i + "]", "seeds[]"));
        }
        if (seeds.isEmpty()) {
            throw new BadInputException(file + ": seeds: expected at least one seed");
        }
        String device = string(m, "device", "", null);
        if (device != null) {
            try {
                device = org.transfusion.engine.Devices.name(org.transfusion.engine.Devices.parse(device));
            } catch (BadInputException bad) {
                throw new BadInputException(file + ": device: " + bad.getMessage());
            }
        }
        return new StudySpec(string(m, "name", "", "study"), string(m, "data", "", null), task,
                integer(m, "image_size", "", 0), models, seeds, training, pretrain, experiments, device);
    }

    private StudySpec.Forgetting forgetting(Map<String, Object> e) {
        String where = "experiments.forgetting";
        Map<String, Object> x = map(e.get("forgetting"), where);
        keys(x, where, Set.of("schemes", "snapshots", "train_images", "test_images"));
        StudySpec.Forgetting f = new StudySpec.Forgetting(schemes(x.getOrDefault("schemes",
                List.of("random", "pretrained", "transfusion:layer2", "slim")), where + ".schemes"), integer(x, "snapshots", where, 4),
                integer(x, "train_images", where, 2000), integer(x, "test_images", where, 1000));
        return f;
    }

    private StudySpec.Performance performance(Map<String, Object> e) {
        Map<String, Object> x = map(e.get("performance"), "experiments.performance");
        keys(x, "experiments.performance", Set.of("schemes"));
        return new StudySpec.Performance(schemes(x.getOrDefault("schemes", List.of("random", "pretrained")),
                "experiments.performance.schemes"));
    }

    private StudySpec.SmallData smallData(Map<String, Object> e) {
        String where = "experiments.small_data";
        Map<String, Object> x = map(e.get("small_data"), where);
        keys(x, where, Set.of("sizes", "schemes"));
        List<Integer> sizes = new ArrayList<>();
        List<Object> raw = nonEmpty(list(require(x, "sizes", where), where + ".sizes"), where + ".sizes", "size");
        for (int i = 0; i < raw.size(); i++) {
            sizes.add((int) whole(raw.get(i), where + ".sizes[" + i + "]", where + ".sizes[]"));
        }
        return new StudySpec.SmallData(sizes, schemes(x.getOrDefault("schemes", List.of("random", "pretrained")),
                where + ".schemes"));
    }

    private StudySpec.Representations representations(Map<String, Object> e) {
        String where = "experiments.representations";
        Map<String, Object> x = map(e.get("representations"), where);
        keys(x, where, Set.of("max_points", "conv"));
        return new StudySpec.Representations(integer(x, "max_points", where, 3000), string(x, "conv", where, "flatten"));
    }

    private StudySpec.Convergence convergence(Map<String, Object> e) {
        String where = "experiments.convergence";
        Map<String, Object> x = map(e.get("convergence"), where);
        keys(x, where, Set.of("schemes", "thresholds"));
        List<Double> thresholds = new ArrayList<>();
        List<Object> raw = nonEmpty(list(x.getOrDefault("thresholds", List.of(0.7, 0.8, 0.9)), where + ".thresholds"),
                where + ".thresholds", "AUC threshold");
        for (int i = 0; i < raw.size(); i++) {
            thresholds.add(real(raw.get(i), where + ".thresholds[" + i + "]", where + ".thresholds[]"));
        }
        return new StudySpec.Convergence(schemes(x.getOrDefault("schemes", List.of("random", "pretrained", "meanvar")),
                where + ".schemes"), thresholds);
    }

    private StudySpec.Transfusion transfusion(Map<String, Object> e) {
        String where = "experiments.transfusion";
        Map<String, Object> x = map(e.get("transfusion"), where);
        keys(x, where, Set.of("model", "blocks"));
        List<String> blocks = strings(require(x, "blocks", where), where + ".blocks");
        nonEmpty(blocks, where + ".blocks", "block");
        return new StudySpec.Transfusion(string(x, "model", where, null), blocks);
    }

    private StudySpec.Hybrid hybrid(Map<String, Object> e) {
        String where = "experiments.hybrid";
        Map<String, Object> x = map(e.get("hybrid"), where);
        keys(x, where, Set.of("model", "schemes"));
        return new StudySpec.Hybrid(string(x, "model", where, null), schemes(x.getOrDefault("schemes",
                List.of("slim", "gabor", "gabor+meanvar")), where + ".schemes"));
    }

    private StudySpec.SizeSweep sizeSweep(Map<String, Object> e) {
        String where = "experiments.size_sweep";
        Map<String, Object> x = map(e.get("size_sweep"), where);
        keys(x, where, Set.of("models", "schemes", "max_points", "conv"));
        List<String> models = x.containsKey("models") ? strings(x.get("models"), where + ".models") : null;
        if (models != null) {
            nonEmpty(models, where + ".models", "model");
            for (int i = 0; i < models.size(); i++) {
                model(models.get(i), where + ".models[" + i + "]");
            }
        }
        return new StudySpec.SizeSweep(models, schemes(x.getOrDefault("schemes", List.of("random", "pretrained")),
                where + ".schemes"), integer(x, "max_points", where, 3000),
                named(x, "conv", where, "flatten", ActivationProbe.Fold::parse).name().toLowerCase(Locale.ROOT));
    }

    // ---- names checked against the registries, with the key's path in every message ---------------------

    /** Init schemes, parsed (one parser: {@link InitScheme#parse}) and kept by their canonical names. */
    private List<String> schemes(Object o, String where) {
        List<String> names = nonEmpty(strings(o, where), where, "init scheme");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String at = where + "[" + i + "]";
            String name = names.get(i);
            out.add(atPath(at, () -> InitScheme.parse(name)).spec());
        }
        return out;
    }

    private ModelCard model(String name, String where) {
        return atPath(where, () -> ModelRegistry.get(name));
    }

    /**
     * The blocks of the transfusion experiment and any transfusion:BLOCK scheme exist in the model they apply to;
     * a hybrid's slim scheme has a slim variant of its model.
     */
    private void checkBlocks(StudySpec.Experiments e, List<String> models) {
        if (e.transfusion() != null) {
            String where = "experiments.transfusion";
            String name = e.transfusion().model() != null ? e.transfusion().model() : models.get(0);
            Architecture arch = model(name, where + ".model").build(3, 2, 1.0);
            List<String> blocks = e.transfusion().blocks();
            for (int i = 0; i < blocks.size(); i++) {
                InitScheme scheme = new InitScheme.Transfusion(blocks.get(i));
                atPath(where + ".blocks[" + i + "]", () -> {
                    scheme.checkFits(arch);
                    return scheme;
                });
            }
        }
        if (e.hybrid() != null) {
            String where = "experiments.hybrid";
            String name = e.hybrid().model() != null ? e.hybrid().model() : models.get(0);
            ModelCard card = model(name, where + ".model");
            List<String> schemes = e.hybrid().schemes();
            for (int i = 0; i < schemes.size(); i++) {
                if (schemes.get(i).equals("slim") && card.slimVariant().isEmpty()) {
                    String scheme = where + ".schemes[" + i + "] (slim needs a slim variant of " + name + ")";
                    atPath(scheme, () -> ReportPage.runModel(name, "slim"));
                }
            }
        }
        for (String model : models) {
            Architecture arch = model(model, "models").build(3, 2, 1.0);
            checkFits(e.performance() == null ? List.of() : e.performance().schemes(), arch,
                    "experiments.performance.schemes");
            checkFits(e.convergence() == null ? List.of() : e.convergence().schemes(), arch,
                    "experiments.convergence.schemes");
            checkFits(e.smallData() == null ? List.of() : e.smallData().schemes(), arch,
                    "experiments.small_data.schemes");
        }
        if (e.sizeSweep() != null) {
            for (String model : e.sizeSweep().models() != null ? e.sizeSweep().models() : models) {
                checkFits(e.sizeSweep().schemes(), model(model, "experiments.size_sweep").build(3, 2, 1.0),
                        "experiments.size_sweep.schemes");
            }
        }
    }

    private void checkFits(List<String> schemes, Architecture arch, String where) {
        for (int i = 0; i < schemes.size(); i++) {
            InitScheme scheme = InitScheme.parse(schemes.get(i));
            atPath(where + "[" + i + "]", () -> {
                scheme.checkFits(arch);
                return scheme;
            });
        }
    }

    /** A value parsed by {@code parser}; its bad-input message prefixed with the file and the key's path. */
    private <T> T named(Map<String, Object> m, String key, String where, String fallback, Function<String, T> parser) {
        String text = string(m, key, where, fallback);
        return atPath(path(where, key), () -> parser.apply(text));
    }

    /**
     * A choice YAML may spell as text, a number ({@code operating_point: 0.5}) or a list of numbers
     * ({@code class_weights: [1, 9]}), parsed as the same text on the command line would be.
     */
    private <T> T choice(Map<String, Object> m, String key, String where, String fallback, Function<String, T> parser) {
        Object o = m.get(key);
        String text;
        if (o == null) {
            text = fallback;
        } else if (o instanceof String || o instanceof Number) {
            text = o.toString();
        } else if (o instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Number)) {
            for (int i = 0; i < l.size(); i++) {
                real(l.get(i), path(where, key) + "[" + i + "]", path(where, key) + "[]"); // each named by its index
            }
            text = l.stream().map(Object::toString).collect(Collectors.joining(","));
        } else {
            throw new BadInputException(file + ": " + path(where, key) + ": expected a name, a number or a list of "
                    + "numbers, got '" + o + "'");
        }
        return atPath(path(where, key), () -> parser.apply(text));
    }

    private <T> T atPath(String where, Supplier<T> check) {
        try {
            return check.get();
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + where + ": " + e.getMessage());
        }
    }

    // ---- typed access with the key's path in every message ----------------------------------------------

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object o, String where) {
        if (o == null) {
            return Map.of();
        }
        if (!(o instanceof Map)) {
            throw new BadInputException(file + ": " + (where.isEmpty() ? "the file" : where)
                    + ": expected a mapping of keys, got '" + o + "'");
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String where) {
        if (!(o instanceof List)) {
            throw new BadInputException(file + ": " + where + ": expected a list, got '" + o + "'");
        }
        return (List<Object>) o;
    }

    private List<String> strings(Object o, String where) {
        List<String> out = new ArrayList<>();
        List<Object> raw = list(o, where);
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof String s)) {
                throw new BadInputException(file + ": " + where + "[" + i + "]: expected a name, got '" + raw.get(i) + "'");
            }
            out.add(s);
        }
        return out;
    }

    private Object require(Map<String, Object> m, String key, String where) {
        if (!m.containsKey(key)) {
            throw new BadInputException(file + ": " + path(where, key) + ": required key is missing");
        }
        return m.get(key);
    }

    private void keys(Map<String, Object> m, String where, Set<String> allowed) {
        // YAML keys need not be strings ({99, lr: 1} has the integer key 99), whatever the map's declared type.
        for (Object k : ((Map<?, ?>) m).keySet()) {
            if (!(k instanceof String) || !allowed.contains(k)) {
                throw new BadInputException(file + ": " + path(where, String.valueOf(k)) + ": unknown key (expected one of "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    /** The value of {@code key}, or {@code fallback} when absent; a value of another type names the key's path. */
    private <T> T typed(Map<String, Object> m, String key, String where, T fallback, Class<T> type, String expected) {
        Object o = m.get(key);
        if (o == null) {
            return fallback;
        }
        if (!type.isInstance(o)) {
            throw new BadInputException(file + ": " + path(where, key) + ": expected " + expected + ", got '" + o + "'");
        }
        return type.cast(o);
    }

    /** A whole number in its key's range ({@link #NUMERIC_KEYS}), or {@code fallback} when absent. */
    private int integer(Map<String, Object> m, String key, String where, int fallback) {
        Object o = m.get(key);
        return o == null ? fallback : Math.toIntExact(whole(o, path(where, key), path(where, key)));
    }

    /** A whole number in the range of {@code key} (its path in {@link #NUMERIC_KEYS}); {@code at} names it. */
    private long whole(Object o, String at, String key) {
        Range range = range(key);
        if (!(o instanceof Integer || o instanceof Long || o instanceof java.math.BigInteger)) {
            throw new BadInputException(file + ": " + at + ": expected a whole number, got '" + o + "'");
        }
        if (o instanceof java.math.BigInteger big && big.bitLength() > 63) {
            throw range.refusal(file + ": " + at, big.toString());
        }
        return range.check(file + ": " + at, ((Number) o).longValue());
    }

    /** A number in the range of {@code key} (its path in {@link #NUMERIC_KEYS}); {@code at} names it. */
    private double real(Object o, String at, String key) {
        if (!(o instanceof Number n)) {
            throw new BadInputException(file + ": " + at + ": expected a number, got '" + o + "'");
        }
        return range(key).check(file + ": " + at, n.doubleValue());
    }

    private static Range range(String key) {
        Range r = NUMERIC_KEYS.get(key);
        if (r == null) {
            throw new IllegalStateException("no range declared for the numeric key " + key + " (SpecReader.NUMERIC_KEYS)");
        }
        return r;
    }

    private <T> List<T> nonEmpty(List<T> list, String where, String what) {
        if (list.isEmpty()) {
            throw new BadInputException(file + ": " + where + ": expected at least one " + what + ", got none");
        }
        return list;
    }

    private boolean bool(Map<String, Object> m, String key, String where, boolean fallback) {
        return typed(m, key, where, fallback, Boolean.class, "true or false");
    }

    /** A number in its key's range ({@link #NUMERIC_KEYS}), or {@code fallback} when absent. */
    private double number(Map<String, Object> m, String key, String where, double fallback) {
        Object o = m.get(key);
        return o == null ? fallback : real(o, path(where, key), path(where, key));
    }

    private String string(Map<String, Object> m, String key, String where, String fallback) {
        return typed(m, key, where, fallback, String.class, "text");
    }

    private static String path(String where, String key) {
        return where.isEmpty() ? key : where + "." + key;
    }
}
