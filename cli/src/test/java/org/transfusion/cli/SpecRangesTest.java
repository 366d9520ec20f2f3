package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.run.Range;
import org.transfusion.study.SpecReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A study spec is checked whole before anything is written: every numeric key in its range (the same range the
 * train flag has), every experiment list non-empty, the input size within the image limit. A refusal is one line
 * naming the YAML path, exit 2, and no study folder.
 */
class SpecRangesTest {
    @TempDir Path dir;

    /** A spec holding every key the reader accepts, each valid: every experiment, every numeric setting. */
    private static final String FULL = """
            name: full
            data: synthetic:retina?n=80&size=16
            task: referable
            image_size: 16
            models: [cbr-small]
            seeds: [0, 1]
            training: {epochs: 1, batch_size: 16, lr: 0.001, eval_every: 2, momentum: 0.9, weight_decay: 0.0001,
                       class_weights: [3], operating_point: 0.3}
            pretrain: {data: "synthetic:natural?n=100&size=16", task: multiclass, epochs: 1, image_size: 16}
            experiments:
              performance: {schemes: [random, pretrained]}
              small_data: {sizes: [40], schemes: [random]}
              representations: {max_points: 100}
              convergence: {schemes: [random], thresholds: [0.7], threshold: 0.7}
              transfusion: {model: cbr-small, blocks: [layer1]}
              hybrid: {model: cbr-small, schemes: [gabor]}
              size_sweep: {schemes: [random], max_points: 100}
              forgetting: {schemes: [random], snapshots: 1, train_images: 10, test_images: 10}
              practitioner: {sizes: [40, 0], sources: [own], long_factor: 2, threshold: 0.7}
              external: {data: "synthetic:retina?n=80&size=16&seed=5", split: test}
            """;

    /** A segmentation study with every key of its experiment (a segmentation study runs that experiment alone). */
    private static final String SEGMENTATION_FULL = """
            name: seg
            data: synthetic:retina-vessels?n=24&size=32
            task: segmentation
            image_size: 16
            models: [unet-cbr-tiny]
            seeds: [0, 1]
            training: {epochs: 1, batch_size: 4, lr: 0.001, eval_every: 2, momentum: 0.9, weight_decay: 0.0001}
            pretrain: {data: "synthetic:natural?n=100&size=16", task: multiclass, epochs: 1, image_size: 16}
            experiments:
              segmentation: {schemes: [random, pretrained], blocks: [layer1], threshold: 0.5, max_points: 100,
                compare_with: {data: "synthetic:retina?n=40&size=16", task: referable, image_size: 16, epochs: 1}}
            """;

    /** The full spec that holds {@code key}. */
    private static String fullFor(String key) {
        return key.startsWith("experiments.segmentation") ? SEGMENTATION_FULL : FULL;
    }

    /** The hostile values, as YAML writes them, and as the reader sees them. */
    private static final Map<String, Object> VALUES = values();

    private static Map<String, Object> values() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("0", 0);
        v.put("-1", -1);
        v.put(".nan", Double.NaN);
        v.put(".inf", Double.POSITIVE_INFINITY);
        v.put("-.inf", Double.NEGATIVE_INFINITY);
        v.put("1.0e+300", 1e300);
        v.put("9223372036854775808", BigInteger.ONE.shiftLeft(63));
        return v;
    }

    @Test
    void theRangeTableCoversEveryNumberASpecHolds() {
        // Derived from the spec's own layout: every number (or list of numbers) StudySpec.toMap writes for a spec
        // with every key must have a declared range, so a new numeric key cannot slip past the validator.
        Set<String> numeric = new TreeSet<>();
        for (String full : List.of(FULL, SEGMENTATION_FULL)) {
            numericLeaves(SpecReader.parse(full, "full.yaml").toMap(), "", numeric);
        }
        assertThat(numeric).isNotEmpty();
        assertThat(SpecReader.numericKeys().keySet()).containsAll(numeric);
        // ...and every key in the table is one FULL (or SEGMENTATION_FULL) sets, so the sweep below reaches each.
        for (String key : SpecReader.numericKeys().keySet()) {
            assertThat(at(load(fullFor(key)), key)).as(key).isNotNull();
        }
    }

    @Test
    void everyNumericKeyRefusesOutOfRangeValuesWithItsYamlPathBeforeAnythingIsWritten() throws IOException {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, Range> key : SpecReader.numericKeys().entrySet()) {
            for (Map.Entry<String, Object> value : VALUES.entrySet()) {
                String yaml = with(key.getKey(), value.getKey());
                Object read = at(load(yaml), key.getKey());
                assertThat(read).as("the YAML holds the intended value at " + key.getKey()).isEqualTo(value.getValue());
                Object v = value.getValue();
                boolean valid = !(v instanceof BigInteger) && key.getValue().contains(((Number) v).doubleValue());
                String where = key.getKey() + " = " + value.getKey();
                if (valid) {
                    // 0 where the range allows it (weight decay, momentum, a seed, eval_every...): accepted.
                    assertThatCode(() -> SpecReader.parse(yaml, "spec.yaml")).as(where).doesNotThrowAnyException();
                    continue;
                }
                Path case_ = Files.createDirectories(dir.resolve("case" + checked.size()));
                Path spec = case_.resolve("spec.yaml");
                Files.writeString(spec, yaml);
                Path out = case_.resolve("study");
                CliRun r = CliRun.of("study", spec.toString(), "--out", out.toString());
                r.assertOneLineError(spec + ": " + key.getKey().replace("[]", "[0]") + ": ");
                try (Stream<Path> left = Files.list(case_)) {
                    assertThat(left).as(where + ": nothing written").containsExactly(spec);
                }
                checked.add(where);
            }
        }
        // Each key refuses at least its negative, NaN, infinite and huge values.
        assertThat(checked).hasSizeGreaterThanOrEqualTo(SpecReader.numericKeys().size() * 5);
    }

    @Test
    void zeroBatchSizeAndNaNLrNameTheYamlPathInPlanAndRun() throws IOException {
        String[][] cases = {
            {"batch_size: 16", "batch_size: 0", "training.batch_size: must be at least 1, got 0"},
            {"batch_size: 16", "batch_size: -1", "training.batch_size: must be at least 1, got -1"},
            {"lr: 0.001", "lr: .nan", "training.lr: must lie in (0, 10], got NaN"},
            {"lr: 0.001", "lr: -1", "training.lr: must lie in (0, 10], got -1"},
            {"epochs: 1, batch", "epochs: 0, batch", "training.epochs: must be at least 1, got 0"},
            {"eval_every: 2", "eval_every: -5", "training.eval_every: must be 0 (once per epoch) or positive, got -5"},
        };
        for (String[] c : cases) {
            Path spec = dir.resolve("spec.yaml");
            Files.writeString(spec, FULL.replace(c[0], c[1]));
            Path out = dir.resolve("study");
            CliRun.of("study", spec.toString(), "--plan", "--out", out.toString()).assertOneLineError(spec + ": " + c[2]);
            CliRun.of("study", spec.toString(), "--out", out.toString()).assertOneLineError(spec + ": " + c[2]);
            assertThat(out).as(c[1]).doesNotExist();
        }
    }

    @Test
    void aSpecWithNothingToRunIsRefused() throws IOException {
        String[][] cases = {
            {"experiments: {}", "experiments: expected at least one experiment"},
            {"experiments:\n  performance: {schemes: []}", "experiments.performance.schemes: expected at least one "
                    + "init scheme, got none"},
            {"experiments:\n  small_data: {sizes: []}", "experiments.small_data.sizes: expected at least one size"},
            {"experiments:\n  transfusion: {blocks: []}", "experiments.transfusion.blocks: expected at least one block"},
            {"experiments:\n  convergence: {thresholds: []}", "experiments.convergence.thresholds: expected at least "
                    + "one AUC threshold"},
        };
        String head = FULL.substring(0, FULL.indexOf("experiments:"));
        for (String[] c : cases) {
            Path spec = dir.resolve("empty.yaml");
            Files.writeString(spec, head + c[0] + "\n");
            Path out = dir.resolve("study");
            CliRun.of("study", spec.toString(), "--plan").assertOneLineError(spec + ": " + c[1]);
            CliRun.of("study", spec.toString(), "--out", out.toString()).assertOneLineError(spec + ": " + c[1]);
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void anImageSizeBeyondTheImageLimitIsOneLineForTheFlagsAndTheSpec() throws IOException {
        Path run = dir.resolve("run");
        CliRun.of("train", "--data", "synthetic:retina?n=40&size=16", "--model", "cbr-tiny", "--image-size", "20000",
                "--out", run.toString()).assertOneLineError("--image-size: must be from 1 to 8192, got 20000");
        assertThat(run).doesNotExist();
        CliRun.of("forgetting", run.toString(), "--source-size", "20000")
                .assertOneLineError("--source-size: must be from 1 to 8192, got 20000");
        for (String key : List.of("image_size: 16\n", "pretrain: {data: \"synthetic:natural?n=100&size=16\", "
                + "task: multiclass, epochs: 1, image_size: 16")) {
            Path spec = dir.resolve("big.yaml");
            Files.writeString(spec, FULL.replace(key, key.replace("16\n", "20000\n").replace("image_size: 16",
                    "image_size: 20000")));
            String path = key.startsWith("pretrain") ? "pretrain.image_size" : "image_size";
            CliRun.of("study", spec.toString(), "--plan").assertOneLineError(spec + ": " + path
                    + ": must be 0 (the " + (key.startsWith("pretrain") ? "pretraining " : "")
                    + "data's stored size) or from 1 to 8192, got 20000");
        }
    }

    // ---- the spec as a tree -------------------------------------------------------------------------------

    private static Map<String, Object> load(String yaml) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    }

    /** FULL with the value at {@code key} (a list of it for a {@code []} key) written as {@code literal}. */
    private static String with(String key, String literal) {
        Map<String, Object> tree = load(fullFor(key));
        String[] parts = key.replace("[]", "").split("\\.");
        Map<String, Object> m = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            m = child(m, parts[i]);
        }
        String token = "VALUE_TOKEN";
        m.put(parts[parts.length - 1], key.endsWith("[]") ? List.of(token) : token);
        return new Yaml().dump(tree).replace(token, literal);
    }

    /** The value at {@code key} ({@code []}: the list's first element), or null. */
    private static Object at(Map<String, Object> tree, String key) {
        String[] parts = key.replace("[]", "").split("\\.");
        Object o = tree;
        for (String p : parts) {
            o = o instanceof Map<?, ?> m ? m.get(p) : null;
        }
        return key.endsWith("[]") && o instanceof List<?> l && !l.isEmpty() ? l.get(0) : key.endsWith("[]") ? null : o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    private static void numericLeaves(Object o, String path, Set<String> out) {
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> numericLeaves(v, path.isEmpty() ? (String) k : path + "." + k, out));
        } else if (o instanceof Number) {
            out.add(path);
        } else if (o instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Number)) {
            out.add(path + "[]");
        }
    }
}
