package org.transfusion.study;

import ai.djl.Device;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.transfusion.engine.Devices;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.SubsetSampling;
import org.transfusion.engine.data.Tasks;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.engine.probe.SourceForgetting;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.Range;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.run.ScheduleKind;
import org.transfusion.error.BadInputException;

/**
 * The study spec's YAML layout as one table: every key, in the order {@code --print} writes it, with how its value
 * is read (type, range, parser: each refusal one line naming the file and the key's YAML path), how it is written
 * back, and its default. {@link SpecReader} reads a spec through it and {@link StudySpec#toMap} writes one, so the
 * two directions cannot disagree. A section's keys are matched to its record's components by name
 * ({@code batch_size} is {@code batchSize}); the table is checked against the records when this class loads.
 */
final class SpecSchema {
    private SpecSchema() {}

    /** Where a value sits: the file and its YAML path, named by every refusal. */
    record At(String file, String path) {
        At key(String k) {
            return new At(file, path.isEmpty() ? k : path + "." + k);
        }

        At index(int i) {
            return new At(file, path + "[" + i + "]");
        }

        BadInputException bad(String message) {
            return new BadInputException(file + ": " + path + ": " + message);
        }

        /** {@code check}'s value; its bad-input message prefixed with the file and this path. */
        <T> T check(Supplier<T> check) {
            try {
                return check.get();
            } catch (BadInputException e) {
                throw bad(e.getMessage());
            }
        }
    }

    /** How one key's value is read from what the YAML parser gives and written back as plain values. */
    interface Codec<T> {
        T read(Object raw, At at);

        Object write(T value);

        /** Whether a key holding null ({@code lr: ~}) counts as absent; lists and sections read null themselves. */
        default boolean nullIsAbsent() {
            return true;
        }

        /** The ranges of the numbers this value holds, by YAML path ({@code []}: each element of a list). */
        default void ranges(String path, Map<String, Range> out) {}
    }

    /** A key of a section: its default ({@code null} supplier: required), and whether a null is left unwritten. */
    record Key<T>(String name, Codec<T> codec, Supplier<T> fallback, boolean omitNull) {}

    static <T> Key<T> required(String name, Codec<T> codec) {
        return new Key<>(name, codec, null, false);
    }

    static <T> Key<T> key(String name, Codec<T> codec, Supplier<T> fallback) {
        return new Key<>(name, codec, fallback, false);
    }

    /** A key that may be absent (null) and is then left out of the written spec. */
    static <T> Key<T> optional(String name, Codec<T> codec) {
        return new Key<>(name, codec, () -> null, true);
    }

    /** A key whose default is the section's defaults record's value ({@link Section#withDefaults}). */
    static <T> Key<T> preset(String name, Codec<T> codec) {
        return new Key<>(name, codec, null, false);
    }

    /** A mapping of keys read into the record {@code type}. */
    static final class Section<R extends Record> implements Codec<R> {
        private final Class<R> type;
        private final List<Key<?>> keys;
        private final String atLeastOne;
        private final RecordComponent[] components;
        private final RecordComponent[] byKey;

        private Section(Class<R> type, String atLeastOne, List<Key<?>> keys) {
            this.type = type;
            this.keys = List.copyOf(keys);
            this.atLeastOne = atLeastOne;
            this.components = type.getRecordComponents();
            this.byKey = new RecordComponent[keys.size()];
            for (int i = 0; i < keys.size(); i++) {
                String name = camel(keys.get(i).name());
                byKey[i] = Arrays.stream(components).filter(c -> c.getName().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalStateException(type.getSimpleName() + " has no component " + name));
            }
            if (components.length != keys.size()) {
                throw new IllegalStateException(type.getSimpleName() + ": the schema has " + keys.size()
                        + " keys for " + components.length + " components");
            }
        }

        static <R extends Record> Section<R> of(Class<R> type, Key<?>... keys) {
            return new Section<>(type, null, List.of(keys));
        }

        /** A section of which at least one key must be given ({@code what}: what each key is, for the message). */
        static <R extends Record> Section<R> atLeastOne(String what, Class<R> type, Key<?>... keys) {
            return new Section<>(type, what, List.of(keys));
        }

        /** The keys given by {@link #preset} take their defaults from {@code defaults}' components. */
        static <R extends Record> Section<R> withDefaults(Class<R> type, Supplier<R> defaults, Key<?>... keys) {
            List<Key<?>> filled = new ArrayList<>();
            for (Key<?> k : keys) {
                filled.add(k.fallback() != null ? k : fromDefaults(k, type, defaults));
            }
            return new Section<>(type, null, filled);
        }

        private static <T, R extends Record> Key<T> fromDefaults(Key<T> k, Class<R> type, Supplier<R> defaults) {
            RecordComponent c = Arrays.stream(type.getRecordComponents())
                    .filter(x -> x.getName().equals(camel(k.name()))).findFirst().orElseThrow();
            @SuppressWarnings("unchecked")
            Supplier<T> fallback = () -> (T) get(c, defaults.get());
            return new Key<>(k.name(), k.codec(), fallback, k.omitNull());
        }

        List<String> keyNames() {
            return keys.stream().map(Key::name).toList();
        }

        @Override
        public boolean nullIsAbsent() {
            return false;
        }

        @Override
        public R read(Object raw, At at) {
            Map<?, ?> m = mapping(raw, at);
            List<String> names = keyNames();
            // YAML keys need not be strings ({99, lr: 1} has the integer key 99).
            for (Object k : m.keySet()) {
                if (!(k instanceof String) || !names.contains(k)) {
                    throw at.key(String.valueOf(k)).bad("unknown key (expected one of "
                            + String.join(", ", new TreeSet<>(names)) + ")");
                }
            }
            if (atLeastOne != null && m.isEmpty()) {
                throw at.bad("expected at least one " + atLeastOne + " (one of "
                        + String.join(", ", new TreeSet<>(names)) + ")");
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                values.put(byKey[i].getName(), value(keys.get(i), m, at));
            }
            Object[] args = Arrays.stream(components).map(c -> values.get(c.getName())).toArray();
            Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            try {
                return type.getDeclaredConstructor(types).newInstance(args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private static <T> T value(Key<T> k, Map<?, ?> m, At at) {
            At here = at.key(k.name());
            if (!m.containsKey(k.name())) {
                if (k.fallback() == null) {
                    throw here.bad("required key is missing");
                }
                return k.fallback().get();
            }
            Object raw = m.get(k.name());
            if (raw == null && k.codec().nullIsAbsent() && k.fallback() != null) {
                return k.fallback().get();
            }
            return k.codec().read(raw, here);
        }

        @Override
        public Map<String, Object> write(R value) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                Object v = get(byKey[i], value);
                if (v != null || !keys.get(i).omitNull()) {
                    out.put(keys.get(i).name(), v == null ? null : written(keys.get(i).codec(), v));
                }
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        private static <T> Object written(Codec<T> codec, Object v) {
            return codec.write((T) v);
        }

        @Override
        public void ranges(String path, Map<String, Range> out) {
            for (Key<?> k : keys) {
                k.codec().ranges(path.isEmpty() ? k.name() : path + "." + k.name(), out);
            }
        }

        /** Every number this section holds with its range, by YAML path. */
        Map<String, Range> ranges() {
            Map<String, Range> out = new LinkedHashMap<>();
            ranges("", out);
            return Collections.unmodifiableMap(out);
        }

        private static Object get(RecordComponent c, Object record) {
            try {
                return c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private static Map<?, ?> mapping(Object raw, At at) {
            if (raw == null) {
                return Map.of();
            }
            if (!(raw instanceof Map<?, ?> m)) {
                throw new BadInputException(at.file() + ": " + (at.path().isEmpty() ? "the file" : at.path())
                        + ": expected a mapping of keys, got '" + raw + "'");
            }
            return m;
        }
    }

    /** {@code batch_size} as a record component: {@code batchSize}. */
    static String camel(String key) {
        StringBuilder b = new StringBuilder();
        for (String part : key.split("_")) {
            b.append(b.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return b.toString();
    }

    // ---- value types ---------------------------------------------------------------------------------------------

    /** A value read as {@code T} and written as itself (numbers, text, true/false). */
    private abstract static class Plain<T> implements Codec<T> {
        @Override
        public Object write(T value) {
            return value;
        }
    }

    /** A whole number in {@code range}. */
    static Codec<Integer> whole(Range range) {
        return new Plain<>() {
            @Override
            public Integer read(Object raw, At at) {
                return Math.toIntExact(wholeNumber(raw, at, range));
            }

            @Override
            public void ranges(String path, Map<String, Range> out) {
                out.put(path, range);
            }
        };
    }

    /** A whole number in {@code range}, as a long (seeds). */
    static Codec<Long> wholeLong(Range range) {
        return new Plain<>() {
            @Override
            public Long read(Object raw, At at) {
                return wholeNumber(raw, at, range);
            }

            @Override
            public void ranges(String path, Map<String, Range> out) {
                out.put(path, range);
            }
        };
    }

    private static long wholeNumber(Object raw, At at, Range range) {
        if (!(raw instanceof Integer || raw instanceof Long || raw instanceof BigInteger)) {
            throw at.bad("expected a whole number, got '" + raw + "'");
        }
        if (raw instanceof BigInteger big && big.bitLength() > 63) {
            throw range.refusal(at.file() + ": " + at.path(), big.toString());
        }
        return range.check(at.file() + ": " + at.path(), ((Number) raw).longValue());
    }

    /** A number in {@code range}. */
    static Codec<Double> real(Range range) {
        return new Plain<>() {
            @Override
            public Double read(Object raw, At at) {
                return realNumber(raw, at, range);
            }

            @Override
            public void ranges(String path, Map<String, Range> out) {
                out.put(path, range);
            }
        };
    }

    private static double realNumber(Object raw, At at, Range range) {
        if (!(raw instanceof Number n)) {
            throw at.bad("expected a number, got '" + raw + "'");
        }
        return range.check(at.file() + ": " + at.path(), n.doubleValue());
    }

    static final Codec<Boolean> BOOLEAN = new Plain<>() {
        @Override
        public Boolean read(Object raw, At at) {
            if (!(raw instanceof Boolean b)) {
                throw at.bad("expected true or false, got '" + raw + "'");
            }
            return b;
        }
    };

    /** Free text (a dataset spec, a path, a name). */
    static final Codec<String> TEXT = text("text");

    /** An element of a list of names. */
    static final Codec<String> NAME = text("a name");

    private static Codec<String> text(String expected) {
        return new Plain<>() {
            @Override
            public String read(Object raw, At at) {
                if (!(raw instanceof String s)) {
                    throw at.bad("expected " + expected + ", got '" + raw + "'");
                }
                return s;
            }
        };
    }

    /** A value spelt as text, parsed by {@code parser} (its one parser) and written back by {@code writer}. */
    static <T> Codec<T> named(Function<String, T> parser, Function<T, String> writer) {
        return new Codec<>() {
            @Override
            public T read(Object raw, At at) {
                String text = TEXT.read(raw, at);
                return at.check(() -> parser.apply(text));
            }

            @Override
            public Object write(T value) {
                return writer.apply(value);
            }
        };
    }

    /**
     * A choice YAML may spell as text or a number ({@code operating_point: 0.5}), or, when {@code list}, a list of
     * numbers ({@code class_weights: [1, 9]}, each in {@code number}), parsed as the same text on the command line
     * would be; {@code number} is the range of the number form, which the parser checks.
     */
    static <T> Codec<T> choice(Function<String, T> parser, Function<T, String> writer, Range number, boolean list) {
        return new Codec<>() {
            @Override
            public T read(Object raw, At at) {
                String text;
                if (raw instanceof String || raw instanceof Number) {
                    text = raw.toString();
                } else if (list && raw instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Number)) {
                    for (int i = 0; i < l.size(); i++) {
                        realNumber(l.get(i), at.index(i), number);
                    }
                    text = l.stream().map(Object::toString).collect(Collectors.joining(","));
                } else {
                    throw at.bad("expected " + (list ? "a name, a number or a list of numbers" : "a name or a number")
                            + ", got '" + raw + "'");
                }
                return at.check(() -> parser.apply(text));
            }

            @Override
            public Object write(T value) {
                return writer.apply(value);
            }

            @Override
            public void ranges(String path, Map<String, Range> out) {
                out.put(list ? path + "[]" : path, number);
            }
        };
    }

    /** A list of {@code element}s; empty is refused with {@code empty} (null: allowed). */
    static <E> Codec<List<E>> list(Codec<E> element, String empty) {
        return new Codec<>() {
            @Override
            public List<E> read(Object raw, At at) {
                if (!(raw instanceof List<?> l)) {
                    throw at.bad("expected a list, got '" + raw + "'");
                }
                if (l.isEmpty() && empty != null) {
                    throw at.bad(empty);
                }
                List<E> out = new ArrayList<>();
                for (int i = 0; i < l.size(); i++) {
                    out.add(element.read(l.get(i), at.index(i)));
                }
                return List.copyOf(out);
            }

            @Override
            public Object write(List<E> value) {
                return value.stream().map(element::write).toList();
            }

            @Override
            public boolean nullIsAbsent() {
                return false;
            }

            @Override
            public void ranges(String path, Map<String, Range> out) {
                element.ranges(path + "[]", out);
            }
        };
    }

    /** A non-empty list of {@code what}s, refused empty as "expected at least one WHAT, got none". */
    static <E> Codec<List<E>> nonEmpty(Codec<E> element, String what) {
        return list(element, "expected at least one " + what + ", got none");
    }

    /** A model name the registry knows (kept as the name). */
    static final Codec<String> MODEL = new Plain<>() {
        @Override
        public String read(Object raw, At at) {
            String name = NAME.read(raw, at);
            at.check(() -> ModelRegistry.get(name));
            return name;
        }
    };

    /** A task name (kept as written). */
    static final Codec<String> TASK = new Plain<>() {
        @Override
        public String read(Object raw, At at) {
            String task = TEXT.read(raw, at);
            if (!Tasks.NAMES.contains(task.trim().toLowerCase(Locale.ROOT))) {
                throw at.bad("unknown task '" + task + "' (expected one of " + String.join(", ", Tasks.NAMES) + ")");
            }
            return task;
        }
    };

    /** An init scheme by its name ({@code transfusion:layer2}, {@code gabor:low}), written by its canonical name. */
    static final Codec<InitScheme> SCHEME = named(InitScheme::parse, InitScheme::spec);

    static final Codec<List<InitScheme>> SCHEMES = nonEmpty(SCHEME, "init scheme");

    /** How conv maps are folded into rows for a probe, written in lower case. */
    static final Codec<ActivationProbe.Fold> CONV = named(ActivationProbe.Fold::parse,
            f -> f.name().toLowerCase(Locale.ROOT));

    /** cpu, cuda or cuda:N, written as cpu or cuda:N; whether this machine has it is checked when the study runs. */
    static final Codec<Device> DEVICE = named(Devices::parse, Devices::name);

    static List<InitScheme> schemes(String... names) {
        return StudySpec.schemes(List.of(names));
    }

    // ---- the layout -------------------------------------------------------------------------------------------------

    static final Section<StudySpec.Training> TRAINING = Section.withDefaults(StudySpec.Training.class,
            () -> StudySpec.Training.DEFAULTS,
            preset("epochs", whole(RunSpec.EPOCHS)),
            preset("batch_size", whole(RunSpec.BATCH_SIZE)),
            preset("lr", real(RunSpec.LR)),
            preset("eval_every", whole(RunSpec.EVAL_EVERY)),
            preset("optimizer", named(OptimizerKind::parse, OptimizerKind::spec)),
            preset("schedule", named(ScheduleKind::parse, ScheduleKind::spec)),
            preset("momentum", real(RunSpec.MOMENTUM)),
            preset("weight_decay", real(RunSpec.WEIGHT_DECAY)),
            preset("augment", named(Augment.Policy::parse, Augment.Policy::spec)),
            preset("uncertainty", named(UncertaintyPolicy::parse, UncertaintyPolicy::spec)),
            preset("frontal_only", BOOLEAN),
            preset("class_weights", choice(ClassWeights::parse, ClassWeights::spec, ClassWeights.WEIGHT, true)),
            preset("sampler", named(Sampler::parse, Sampler::spec)),
            preset("operating_point", choice(OperatingPoint::parse, OperatingPoint::spec, OperatingPoint.THRESHOLD,
                    false)),
            preset("calibrate", named(CalibrationKind::parse, CalibrationKind::spec)),
            preset("subset_sampling", named(SubsetSampling::parse, SubsetSampling::spec)));

    static final Section<StudySpec.Pretrain> PRETRAIN = Section.of(StudySpec.Pretrain.class,
            key("data", TEXT, () -> null),
            key("task", TEXT, () -> null),
            key("epochs", whole(RunSpec.EPOCHS), () -> 5),
            optional("weights", TEXT),
            key("image_size", whole(RunSpec.IMAGE_SIZE.orZero("the pretraining data's stored size")), () -> 0),
            key("published", BOOLEAN, () -> true));

    static final Section<StudySpec.Performance> PERFORMANCE = Section.of(StudySpec.Performance.class,
            key("schemes", SCHEMES, () -> schemes("random", "pretrained")));

    static final Section<StudySpec.SmallData> SMALL_DATA = Section.of(StudySpec.SmallData.class,
            required("sizes", nonEmpty(whole(RunSpec.TRAIN_SUBSET), "size")),
            key("schemes", SCHEMES, () -> schemes("random", "pretrained")));

    static final Section<StudySpec.Representations> REPRESENTATIONS = Section.of(StudySpec.Representations.class,
            key("max_points", whole(RunComparison.MAX_POINTS), () -> 3000),
            key("conv", CONV, () -> ActivationProbe.Fold.FLATTEN));

    static final Section<StudySpec.Convergence> CONVERGENCE = Section.of(StudySpec.Convergence.class,
            key("schemes", SCHEMES, () -> schemes("random", "pretrained", "meanvar")),
            key("thresholds", nonEmpty(real(RunSpec.AUC_THRESHOLD), "AUC threshold"), () -> List.of(0.7, 0.8, 0.9)),
            optional("threshold", real(RunSpec.AUC_THRESHOLD)));

    static final Section<StudySpec.Transfusion> TRANSFUSION = Section.of(StudySpec.Transfusion.class,
            key("model", TEXT, () -> null),
            required("blocks", nonEmpty(NAME, "block")));

    static final Section<StudySpec.Hybrid> HYBRID = Section.of(StudySpec.Hybrid.class,
            key("model", TEXT, () -> null),
            key("schemes", SCHEMES, () -> schemes("slim", "gabor", "gabor+meanvar")));

    static final Section<StudySpec.SizeSweep> SIZE_SWEEP = Section.of(StudySpec.SizeSweep.class,
            optional("models", nonEmpty(MODEL, "model")),
            key("schemes", SCHEMES, () -> schemes("random", "pretrained")),
            key("max_points", whole(RunComparison.MAX_POINTS), () -> 3000),
            key("conv", CONV, () -> ActivationProbe.Fold.FLATTEN));

    static final Section<StudySpec.Forgetting> FORGETTING = Section.of(StudySpec.Forgetting.class,
            key("schemes", SCHEMES, () -> schemes("random", "pretrained", "transfusion:layer2", "slim")),
            key("snapshots", whole(RunSpec.SNAPSHOTS), () -> 4),
            key("train_images", whole(SourceForgetting.Request.TRAIN_IMAGES), () -> 2000),
            key("test_images", whole(SourceForgetting.Request.TEST_IMAGES), () -> 1000));

    static final Section<StudySpec.CompareWith> COMPARE_WITH = Section.of(StudySpec.CompareWith.class,
            required("data", TEXT),
            required("task", TASK),
            key("image_size", whole(RunSpec.IMAGE_SIZE.orZero("the data's stored size")), () -> 0),
            key("epochs", whole(RunSpec.EPOCHS.orZero("the study's epochs")), () -> 0));

    static final Section<StudySpec.Segmentation> SEGMENTATION = Section.of(StudySpec.Segmentation.class,
            key("schemes", SCHEMES, () -> schemes("random", "pretrained", "meanvar", "gabor")),
            key("blocks", list(NAME, null), () -> List.of()),
            key("threshold", real(RunSpec.AUC_THRESHOLD), () -> 0.7),
            key("max_points", whole(RunComparison.MAX_POINTS), () -> 3000),
            optional("compare_with", COMPARE_WITH));

    /** How much longer the random-long arm trains than the others: more than 1, at most 10 times. */
    static final Range LONG_FACTOR = new Range(1, true, 10, false, false, null);

    static final Section<StudySpec.Practitioner> PRACTITIONER = Section.of(StudySpec.Practitioner.class,
            key("sizes", nonEmpty(whole(RunSpec.TRAIN_SUBSET.orZero("all the training images")), "size"),
                    () -> List.of(100, 300, 1000, 0)),
            key("sources", nonEmpty(named(WeightsSpec::parse, WeightsSpec::spec), "pretraining source"),
                    () -> List.of(WeightsSpec.parse("published"), WeightsSpec.parse("weights"), WeightsSpec.parse("own"))),
            key("long_factor", real(LONG_FACTOR), () -> 2.0),
            key("threshold", real(RunSpec.AUC_THRESHOLD), () -> 0.7));

    static final Section<StudySpec.External> EXTERNAL = Section.of(StudySpec.External.class,
            required("data", TEXT),
            key("split", named(s -> org.transfusion.engine.data.Split.parse(s).id(), s -> s), () -> "test"));

    /** Each experiment given is run (with its defaults when given as {@code name:} alone); at least one. */
    static final Section<StudySpec.Experiments> EXPERIMENTS = Section.atLeastOne("experiment",
            StudySpec.Experiments.class,
            optional("performance", PERFORMANCE),
            optional("small_data", SMALL_DATA),
            optional("representations", REPRESENTATIONS),
            optional("convergence", CONVERGENCE),
            optional("transfusion", TRANSFUSION),
            optional("hybrid", HYBRID),
            optional("size_sweep", SIZE_SWEEP),
            optional("forgetting", FORGETTING),
            optional("segmentation", SEGMENTATION),
            optional("practitioner", PRACTITIONER),
            optional("external", EXTERNAL));

    static final Section<StudySpec> STUDY = Section.of(StudySpec.class,
            key("name", TEXT, () -> "study"),
            key("data", TEXT, () -> null),
            key("task", TASK, () -> null),
            key("image_size", whole(RunSpec.IMAGE_SIZE.orZero("the data's stored size")), () -> 0),
            required("models", list(MODEL, "expected at least one model")),
            required("seeds", list(wholeLong(RunSpec.SEED), "expected at least one seed")),
            required("training", TRAINING),
            optional("device", DEVICE),
            required("pretrain", PRETRAIN),
            required("experiments", EXPERIMENTS));
}
