package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.run.RunSpec;
import picocli.CommandLine;

/**
 * A run spec is one value however it travels: every field set to a non-default value on the command line comes
 * out of the flags, through JSON (what run.json records and what a --jobs child receives) and back, equal. The
 * test walks the record's components, so a field added to RunSpec without a flag or without surviving JSON fails
 * here.
 */
class RunSpecRoundTripTest {

    /**
     * Every run-defining flag with a value that differs from its default, but the training length: --steps and
     * --epochs exclude each other, so each variant below adds one.
     */
    private static final String[] FLAGS = {
        "--data", "synthetic:retina?n=64&size=16", "--task", "referable", "--model", "resnet50-slim",
        "--init", "slim", "--weights", "/tmp/w.safetensors", "--normalisation", "inception", "--batch-size", "7", "--lr", "0.05",
        "--optimizer", "sgd", "--momentum", "0.5", "--weight-decay", "0.002", "--schedule", "step",
        "--image-size", "48", "--eval-every", "9", "--seed", "42", "--augment", "none", "--channels", "1",
        "--train-subset", "33", "--subset-sampling", "stratified", "--width", "0.75", "--thresholds", "0.55,0.77", "--snapshots", "4",
        "--uncertainty", "u-zeros", "--all-views", "--class-weights", "0.5,2", "--sampler", "balanced",
        "--operating-point", "sens:0.9", "--calibrate", "temperature", "--patch-size", "64", "--classes", "3",
        "--threads", "3",
        "--data-dir", "/tmp/data", "--out", "/tmp/out"};

    @Test
    void everyFieldSurvivesFlagsToJsonAndBack() throws Exception {
        RunSpec defaults = RunSpec.builder("x", "y").build();
        List<String> notSet = new ArrayList<>();
        for (RecordComponent c : RunSpec.class.getRecordComponents()) {
            notSet.add(c.getName());
        }
        for (String[] length : new String[][] {{"--steps", "123"}, {"--epochs", "7"}}) {
            String[] args = Stream.concat(Arrays.stream(FLAGS), Arrays.stream(length))
                    .toArray(String[]::new);
            RunSpec fromFlags = parse(args);
            for (RecordComponent c : RunSpec.class.getRecordComponents()) {
                Object value = c.getAccessor().invoke(fromFlags);
                if (value != null && !value.equals(c.getAccessor().invoke(defaults))) {
                    notSet.remove(c.getName());
                }
            }
            JsonNode json = fromFlags.toTree();
            for (RecordComponent c : RunSpec.class.getRecordComponents()) {
                String key = c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
                assertThat(json.has(key)).as("JSON has " + key).isTrue();
            }
            RunSpec back = RunSpec.fromJson(fromFlags.toJson(), "test");
            assertThat(back).isEqualTo(fromFlags);
            assertThat(back.toJson()).isEqualTo(fromFlags.toJson());
        }
        assertThat(notSet).as("fields the flags leave at their default (add a flag and a value above)").isEmpty();
    }

    @Test
    void theSpecFlagReadsWhatRunJsonRecords(@TempDir Path dir) throws Exception {
        String[] args = Arrays.copyOf(FLAGS, FLAGS.length + 2);
        args[FLAGS.length] = "--steps";
        args[FLAGS.length + 1] = "5";
        RunSpec original = parse(args);
        Path file = dir.resolve("spec.json");
        Files.writeString(file, original.toJson());
        RunSpec read = parse("--spec", file.toString(), "--out", "/tmp/out");
        assertThat(read).isEqualTo(original);
        // How and where it runs may be given beside it; what it is may not.
        assertThat(parse("--spec", file.toString(), "--threads", "1", "--out", "/tmp/o").threads()).isEqualTo(1);
        CliRun.of("train", "--spec", file.toString(), "--seed", "7", "--out", dir.resolve("o").toString())
                .assertOneLineError("--spec defines the whole run; drop --seed");
    }

    @Test
    void aTypoInATypedOptionIsOneLineNamingTheChoices() {
        CliRun r = CliRun.of("train", "--data", "synthetic:retina", "--model", "cbr-tiny", "--init", "meanvr",
                "--out", "/tmp/never");
        assertThat(r.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("--init").contains("unknown init scheme 'meanvr'").contains("transfusion:BLOCK");
        assertThat(Path.of("/tmp/never")).doesNotExist();
    }

    private static RunSpec parse(String... args) {
        TrainCommand command = new TrainCommand();
        CommandLine cli = new CommandLine(command);
        Main.registerConverters(cli);
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return command.options.toSpec(parsed);
    }
}
