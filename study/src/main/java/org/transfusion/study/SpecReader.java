package org.transfusion.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.run.Range;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.data.Tasks;
import org.transfusion.error.BadInputException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates a study spec up front: unknown keys, wrong types and unknown names (models, task, init
 * schemes, blocks of the transfusion model, optimiser, schedule, augmentation) are errors that name the file and
 * the path of the key in it (e.g. {@code study.yaml: experiments.small_data.sizes[1]: expected a whole number},
 * {@code study.yaml: models[1]: unknown model 'resnet-50' (expected one of ...)}), before any run starts. The keys,
 * their types, ranges and defaults are one table ({@link SpecSchema}), which {@link StudySpec#toMap} writes back
 * through; this class adds the checks between keys (blocks and schemes that fit their models).
 */
public final class SpecReader {
    /**
     * Every numeric key a spec may hold and its range, read off the schema: each number is read only through its
     * range, so each is checked before anything runs. Paths ending in {@code []} are lists of numbers, each element
     * checked. The ranges are the ones the train flags use ({@code RunSpec}), or the commands measuring the same
     * quantity.
     */
    private static final Map<String, Range> NUMERIC_KEYS = SpecSchema.STUDY.ranges();

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
            StudySpec spec = SpecSchema.STUDY.read(root, new SpecSchema.At(source, ""));
            new SpecReader(source).checkBlocks(spec.experiments(), spec.models());
            new SpecReader(source).checkSegmentation(spec);
            new SpecReader(source).checkThreshold(spec.experiments().convergence());
            new SpecReader(source).checkPractitioner(spec.experiments());
            return spec;
        } catch (BadInputException e) {
            // Messages quote the spec's keys and values, which YAML lets hold line breaks and other control
            // characters; escaped here once for every message, so each stays one line.
            String message = BadInputException.printable(e.getMessage(), 2000);
            throw message.equals(e.getMessage()) ? e : new BadInputException(message, e);
        }
    }

    // ---- checks between keys, with the key's path in every message ------------------------------------------

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
            List<InitScheme> schemes = e.hybrid().schemes();
            for (int i = 0; i < schemes.size(); i++) {
                if (schemes.get(i) instanceof InitScheme.Slim && card.slimVariant().isEmpty()) {
                    String scheme = where + ".schemes[" + i + "] (slim needs a slim variant of " + name + ")";
                    atPath(scheme, () -> ReportPage.runModel(name, "slim"));
                }
            }
        }
        for (String model : models) {
            Architecture arch = model(model, "models").build(3, 2, 1.0);
            checkFits(e.performance(), arch, "experiments.performance.schemes");
            checkFits(e.convergence(), arch, "experiments.convergence.schemes");
            checkFits(e.smallData(), arch, "experiments.small_data.schemes");
        }
        if (e.sizeSweep() != null) {
            for (String model : e.sizeSweep().models() != null ? e.sizeSweep().models() : models) {
                checkFits(e.sizeSweep(), model(model, "experiments.size_sweep").build(3, 2, 1.0),
                        "experiments.size_sweep.schemes");
            }
        }
    }

    /**
     * A segmentation study is all segmentation: its task is {@code segmentation} exactly when the segmentation
     * experiment is given, its models are U-Nets, its only experiment that one; each scheme and block fits every
     * model.
     */
    private void checkSegmentation(StudySpec spec) {
        StudySpec.Experiments e = spec.experiments();
        boolean task = spec.task() != null && spec.task().strip().equalsIgnoreCase(Tasks.SEGMENTATION);
        if (e.segmentation() == null) {
            if (task) {
                atPath("experiments", () -> {
                    throw new BadInputException("task segmentation needs the segmentation experiment "
                            + "(experiments.segmentation); the others are for classification");
                });
            }
            for (int i = 0; i < spec.models().size(); i++) {
                String name = spec.models().get(i);
                if (model(name, "models[" + i + "]").isSegmentation()) {
                    atPath("models[" + i + "]", () -> {
                        throw new BadInputException(name + " is a segmentation model; give task: segmentation "
                                + "and experiments.segmentation");
                    });
                }
            }
            return;
        }
        if (!task) {
            atPath("task", () -> {
                throw new BadInputException("experiments.segmentation needs task: segmentation (got "
                        + spec.task() + ")");
            });
        }
        List<String> others = new java.util.ArrayList<>();
        if (e.performance() != null) others.add("performance");
        if (e.smallData() != null) others.add("small_data");
        if (e.representations() != null) others.add("representations");
        if (e.convergence() != null) others.add("convergence");
        if (e.transfusion() != null) others.add("transfusion");
        if (e.hybrid() != null) others.add("hybrid");
        if (e.sizeSweep() != null) others.add("size_sweep");
        if (e.forgetting() != null) others.add("forgetting");
        if (e.practitioner() != null) others.add("practitioner");
        if (e.external() != null) others.add("external");
        if (!others.isEmpty()) {
            atPath("experiments", () -> {
                throw new BadInputException("a segmentation study runs the segmentation experiment only (it has its "
                        + "own convergence, transfusion, Gabor and change-per-layer parts); drop "
                        + String.join(", ", others));
            });
        }
        for (int i = 0; i < spec.models().size(); i++) {
            String name = spec.models().get(i);
            ModelCard card = model(name, "models[" + i + "]");
            if (!card.isSegmentation()) {
                atPath("models[" + i + "]", () -> {
                    throw new BadInputException(name + " is not a segmentation model (expected unet-ENCODER, e.g. "
                            + "unet-cbr-small; see `transfusion models`)");
                });
            }
            Architecture arch = card.build(3, 1, 1.0);
            checkFits(e.segmentation(), arch, "experiments.segmentation.schemes");
            List<String> blocks = e.segmentation().blocks();
            for (int b = 0; b < blocks.size(); b++) {
                InitScheme scheme = new InitScheme.Transfusion(blocks.get(b));
                atPath("experiments.segmentation.blocks[" + b + "]", () -> {
                    scheme.checkFits(arch);
                    return scheme;
                });
            }
        }
        StudySpec.CompareWith cw = e.segmentation().compareWith();
        if (cw != null && cw.task().strip().equalsIgnoreCase(Tasks.SEGMENTATION)) {
            atPath("experiments.segmentation.compare_with.task", () -> {
                throw new BadInputException("expected a classification task (e.g. referable) to compare the "
                        + "encoder's change with, not segmentation");
            });
        }
        List<String> schemes = e.segmentation().schemeNames();
        if (cw != null && !schemes.contains("pretrained")) {
            atPath("experiments.segmentation.compare_with", () -> {
                throw new BadInputException("compares the pretrained encoder's change in both tasks: add "
                        + "'pretrained' to experiments.segmentation.schemes");
            });
        }
        if (!schemes.contains("random")) {
            atPath("experiments.segmentation.schemes", () -> {
                throw new BadInputException("expected 'random' among the schemes: every other scheme is judged "
                        + "against it");
            });
        }
    }

    /**
     * The declared convergence threshold is one of the thresholds the runs record steps to (a verdict at another
     * would have no steps to read).
     */
    private void checkThreshold(StudySpec.Convergence c) {
        if (c != null && c.threshold() != null && c.thresholds().stream().noneMatch(t -> t == c.declared())) {
            atPath("experiments.convergence.threshold", () -> {
                throw new BadInputException(c.threshold() + " is not among the thresholds " + c.thresholds()
                        + " the runs record steps to: add it to experiments.convergence.thresholds");
            });
        }
    }

    /**
     * The practitioner study's sizes and sources are each given once, and its threshold is one the runs record steps
     * to (the convergence experiment's thresholds when the study has one, else every run's defaults).
     */
    private void checkPractitioner(StudySpec.Experiments e) {
        StudySpec.Practitioner p = e.practitioner();
        if (p == null) {
            return;
        }
        for (int i = 0; i < p.sizes().size(); i++) {
            int size = p.sizes().get(i);
            if (p.sizes().indexOf(size) < i) {
                atPath("experiments.practitioner.sizes[" + i + "]", () -> {
                    throw new BadInputException(size + " is given twice (expected each size once)");
                });
            }
        }
        for (int i = 0; i < p.sources().size(); i++) {
            WeightsSpec s = p.sources().get(i);
            boolean twice = p.sources().subList(0, i).stream().anyMatch(o -> o.slug().equals(s.slug()));
            if (twice) {
                atPath("experiments.practitioner.sources[" + i + "]", () -> {
                    throw new BadInputException(s.spec() + " is given twice or shares its name " + s.slug()
                            + " with another source (expected each source once)");
                });
            }
        }
        List<Double> recorded = e.convergence() != null ? e.convergence().thresholds() : RunSpec.DEFAULT_THRESHOLDS;
        if (recorded.stream().noneMatch(t -> t == p.threshold())) {
            atPath("experiments.practitioner.threshold", () -> {
                throw new BadInputException(p.threshold() + " is not among the thresholds " + recorded + " the runs "
                        + "record steps to" + (e.convergence() != null ? ": add it to experiments.convergence.thresholds"
                        : ""));
            });
        }
    }

    /** Each scheme of {@code experiment} (absent: none) fits {@code arch}. */
    private void checkFits(StudySpec.Schemes experiment, Architecture arch, String where) {
        List<InitScheme> schemes = experiment == null ? List.of() : experiment.schemes();
        for (int i = 0; i < schemes.size(); i++) {
            InitScheme scheme = schemes.get(i);
            atPath(where + "[" + i + "]", () -> {
                scheme.checkFits(arch);
                return scheme;
            });
        }
    }

    private <T> T atPath(String where, java.util.function.Supplier<T> check) {
        return new SpecSchema.At(file, where).check(check);
    }
}
