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
