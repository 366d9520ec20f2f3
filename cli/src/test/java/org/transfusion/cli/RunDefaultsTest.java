package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.study.SpecReader;
import org.transfusion.study.StudySpec;
import picocli.CommandLine;

/**
 * A run setting has one default, {@link RunSpec#DEFAULTS}: the train and pretrain flags and a study spec's
 * training section read it there, so changing it in RunSpec changes it for all three. The keys come from the
 * spec's own layout (what {@link StudySpec#toMap} writes for the training section), so a key added later is
 * checked too.
 */
class RunDefaultsTest {
    private static final String NO_TRAINING_SETTINGS = """
            models: [cbr-small]
            seeds: [0]
            training: {}
            pretrain: {}
            experiments: {performance: {}}
            """;

    @Test
    void everyTrainingKeyDefaultsAlikeInTheSpecTheTrainFlagsAndRunSpec() throws Exception {
        StudySpec spec = SpecReader.parse(NO_TRAINING_SETTINGS, "defaults.yaml");
        @SuppressWarnings("unchecked")
        Map<String, Object> layout = (Map<String, Object>) spec.toMap().get("training");
        RunSpec train = trainFlags("train");
        RunSpec pretrain = trainFlags("pretrain");
        List<String> compared = new ArrayList<>();
        for (String key : layout.keySet()) {
            String component = camel(key);
            Object fromSpec = value(StudySpec.Training.class, component, spec.training());
            Object fromRunSpec = value(RunSpec.class, component, RunSpec.DEFAULTS);
            assertThat(value(RunSpec.class, component, train)).as("train's default for " + key).isEqualTo(fromRunSpec);
            assertThat(value(RunSpec.class, component, pretrain)).as("pretrain's default for " + key)
                    .isEqualTo(fromRunSpec);
            if (key.equals("epochs")) {
                // The one study default of its own (a study trains many runs; study.json files record 10).
                assertThat(fromSpec).isEqualTo(StudySpec.Training.DEFAULT_EPOCHS);
                continue;
            }
            assertThat(fromSpec).as("the spec's default for training." + key).isEqualTo(fromRunSpec);
            compared.add(key);
        }
        assertThat(compared).contains("batch_size", "lr", "optimizer", "weight_decay", "class_weights", "calibrate")
                .hasSize(layout.size() - 1);
        // The presets' shorthand fills the rest from the same defaults.
        assertThat(new StudySpec.Training(3, 8, 0.1, 2).momentum()).isEqualTo(RunSpec.DEFAULTS.momentum());
    }

    @Test
    void theHelpShowsTheDefaultsAsTheFlagsAreWritten() {
        StringWriter help = new StringWriter();
        CommandLine cli = new CommandLine(new TrainCommand());
        cli.setOut(new PrintWriter(help));
        cli.usage(new PrintWriter(help));
        assertThat(help.toString()).contains("Training epochs (default: " + RunSpec.DEFAULTS.epochs() + ")")
                .contains("L2 weight decay (default: 0.0001)").contains("Base learning rate (default: 0.001)")
                .contains("Width factor (mobilenet-v2, CBRs) (default: 1.0)").contains("Optimizer (default: adam)");
    }

    private static RunSpec trainFlags(String command) {
        CommandLine cli = new CommandLine(command.equals("train") ? new TrainCommand() : new PretrainCommand());
        Main.registerConverters(cli);
        CommandLine.ParseResult parsed = cli.parseArgs("--data", "synthetic:retina", "--model", "cbr-small", "--out",
                "/tmp/never");
        Object userObject = cli.getCommand();
        TrainingOptions options = userObject instanceof TrainCommand t ? t.options : ((PretrainCommand) userObject).options;
        return options.toSpec(parsed);
    }

    private static Object value(Class<? extends Record> type, String component, Object record) throws Exception {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equals(component)) {
                return c.getAccessor().invoke(record);
            }
        }
        throw new AssertionError(type.getSimpleName() + " has no " + component);
    }

    private static String camel(String key) {
        StringBuilder b = new StringBuilder();
        for (String part : key.split("_")) {
            b.append(b.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return b.toString();
    }
}
