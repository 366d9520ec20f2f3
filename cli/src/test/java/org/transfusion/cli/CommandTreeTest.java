package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main builds only the command it runs (start-up time, issue 33). Each expectation is the output of the same
 * arguments with every command built ({@link Main#ALL_COMMANDS_PROPERTY}), which is how the CLI built its tree before.
 */
class CommandTreeTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(Main.ALL_COMMANDS_PROPERTY);
    }

    /** The same arguments run with every command built. */
    private static CliRun eager(String... args) {
        System.setProperty(Main.ALL_COMMANDS_PROPERTY, "true");
        try {
            return CliRun.of(args);
        } finally {
            System.clearProperty(Main.ALL_COMMANDS_PROPERTY);
        }
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Class<?> c : Main.SUBCOMMANDS) {
            names.add(c.getAnnotation(Command.class).name());
        }
        return names;
    }

    @Test
    void aNamedCommandIsTheOnlyOneBuilt() {
        CommandLine cli = new CommandLine(new Main());
        Main.addSubcommands(cli, new String[] {"similarity", "a.npy", "b.npy"});
        Map<String, CommandLine> built = cli.getSubcommands();
        assertThat(built).containsOnlyKeys("similarity");
        Object similarity = built.get("similarity").getCommand();
        assertThat(similarity).isInstanceOf(SimilarityCommand.class);

        CommandLine help = new CommandLine(new Main());
        Main.addSubcommands(help, new String[] {"help", "train"});
        Map<String, CommandLine> helped = help.getSubcommands();
        Object train = helped.get("train").getCommand();
        Object models = helped.get("models").getCommand();
        assertThat(train).isInstanceOf(TrainCommand.class);
        assertThat(models).as("a stand-in").isNull();
        assertThat(helped).containsOnlyKeys(names().toArray(String[]::new));
    }

    @Test
    void theUsageFromStandInsIsTheUsageOfEveryCommandBuilt() {
        for (String[] args : new String[][] {{}, {"--help"}, {"help"}}) {
            CliRun lazy = CliRun.of(args);
            CliRun full = eager(args);
            assertThat(lazy.out()).as(String.join(" ", args)).isEqualTo(full.out()).contains("similarity")
                    .contains("Computes the representation similarity");
            assertThat(lazy.code()).isEqualTo(full.code());
        }
    }

    @Test
    void everyCommandsHelpIsWhatItWasWithTheWholeTree() {
        for (String name : names()) {
            if (name.equals("help")) {
                continue;
            }
            for (String[] args : new String[][] {{name, "--help"}, {"help", name}}) {
                CliRun lazy = CliRun.of(args);
                CliRun full = eager(args);
                assertThat(lazy.out()).as(String.join(" ", args)).isEqualTo(full.out()).startsWith("Usage: transfusion "
                        + name);
                assertThat(lazy.code()).isEqualTo(full.code()).isZero();
            }
        }
    }

    @Test
    void onlyASimilarityRunStartsLoadingOpenBlasBeforeParsing() {
        assertThat(SimilarityCommand.startEarly(new String[] {"similarity", "--help"})).isFalse();
        assertThat(SimilarityCommand.startEarly(new String[] {"similarity", "-V", "a.npy", "b.npy"})).isFalse();
        assertThat(SimilarityCommand.startEarly(new String[] {"models"})).isFalse();
        assertThat(SimilarityCommand.startEarly(new String[] {})).isFalse();
        assertThat(SimilarityCommand.startEarly(new String[] {"similarity", "a.npy", "b.npy"})).isTrue();
        SimilarityCommand.awaitEarlyStart(); // returns once the load it started is over
        CliRun run = CliRun.of("similarity", "--no-such-file.npy");
        assertThat(run.code()).isEqualTo(Main.EXIT_BAD_INPUT);
    }

    @Test
    void aMistypedCommandOrOptionSaysWhereTheHelpIs() {
        CliRun unknown = CliRun.of("trian", "--model", "cbr-tiny");
        unknown.assertOneLineError("Unmatched arguments from index 0: 'trian'");
        assertThat(unknown.err()).contains("(see 'transfusion --help')");
        assertThat(unknown.err()).isEqualTo(eager("trian", "--model", "cbr-tiny").err());

        CliRun option = CliRun.of("similarity", "--no-such-option", "a.npy", "b.npy");
        option.assertOneLineError("--no-such-option");
        assertThat(option.err()).contains("(see 'transfusion similarity --help')");
    }
}
