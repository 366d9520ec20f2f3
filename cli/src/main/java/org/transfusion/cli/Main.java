package org.transfusion.cli;

import java.io.PrintWriter;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.SubsetSampling;
import org.transfusion.engine.data.UncertaintyPolicy;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.ScheduleKind;
import org.transfusion.error.BadInputException;
import org.transfusion.error.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code transfusion} command. Each subcommand is thin and calls the modules below. */
@Command(
        name = "transfusion",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "Transfer learning for medical imaging: train, compare and analyse CNNs (Raghu et al., NeurIPS 2019).")
public final class Main implements Runnable {

    /**
     * The subcommands, in the order the usage lists them. They are added by {@link #execute}, not by the
     * {@code @Command} annotation, so that a command named on the command line is the only one built: picocli builds
     * a command's whole model (its options, their defaults, the classes they name) when the command is added, and
     * building all of them took about 0.35 s of every start (the model registry, Jackson, the run and study types),
     * most of it for commands that do not run.
     */
    static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(
            TrainCommand.class,
            PretrainCommand.class,
            WeightsCommand.class,
            ModelsCommand.class,
            EvaluateCommand.class,
            FiltersCommand.class,
            CompareCommand.class,
            ForgettingCommand.class,
            SaliencyCommand.class,
            DatasetsCommand.class,
            DemoCommand.class,
            StudyCommand.class,
            ReportCommand.class,
            CommandLine.HelpCommand.class,
            SimilarityCommand.class);

    /** Set (to anything but false) to build every subcommand on every start; the launcher's class-sharing archive
     * is made so, so that it holds every command's classes. */
    static final String ALL_COMMANDS_PROPERTY = "transfusion.cli.all-commands";

    /**
     * Set to true by the launcher's run that makes the class-sharing archive: after the command, a small similarity
     * computation loads the similarity measures' classes and javacpp's (about 600 classes, which JNI_OnLoad of
     * OpenBLAS's glue otherwise parses from their jars on every {@code similarity} start).
     */
    static final String ARCHIVE_TRAINING_PROPERTY = "transfusion.cds.training";

    /** Exit code for a user mistake (bad option, bad file): {@link ExitCode#BAD_INPUT}. */
    public static final int EXIT_BAD_INPUT = ExitCode.BAD_INPUT.code();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        stopWithParent();
        boolean early = SimilarityCommand.startEarly(args);
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (early) {
            // whatever the command did (a usage error, say), the process does not exit with a library half loaded
            SimilarityCommand.awaitEarlyStart();
        }
        if (Boolean.getBoolean(ARCHIVE_TRAINING_PROPERTY)) {
            SimilarityCommand.exerciseForArchive();
        }
        System.exit(code);
    }

    /** Runs the CLI with the given streams and returns the exit code; tests call this directly. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        addSubcommands(cli, args);
        cli.setOut(out);
        cli.setErr(err);
        registerConverters(cli);
        cli.setParameterExceptionHandler((ex, args1) -> {
            CommandLine c = ex.getCommandLine();
            String command = c.getCommandSpec().qualifiedName(" ").replaceFirst("^[^ ]+", "");
            c.getErr().println("transfusion: error: " + ex.getMessage() + " (see 'transfusion" + command
                    + " --help')");
            return EXIT_BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            BadInputException bad = findBadInput(ex);
            if (bad != null) {
                commandLine.getErr().println("transfusion: error: " + bad.getMessage());
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof org.transfusion.engine.run.RunLease.Busy) {
                commandLine.getErr().println("transfusion: " + ex.getMessage());
                return ExitCode.LEASE_LOST.code();
            }
            if (ex instanceof org.transfusion.engine.train.DivergedException) {
                commandLine.getErr().println("transfusion: " + ex.getMessage());
                return ExitCode.DIVERGED.code();
            }
            throw ex;
        });
        return cli.execute(args);
    }

    /**
     * A run that {@code study --jobs} started ({@code -Dtransfusion.parent-pid}) ends when the study's JVM ends, however
     * it ended (kill -9 included): no orphaned run keeps writing into the study folder. Its run folder stays as of its
     * last checkpoint, and rerunning the study resumes it.
     */
    private static void stopWithParent() {
        String parent = System.getProperty("transfusion.parent-pid");
        if (parent == null) {
            return;
        }
        ProcessHandle.of(Long.parseLong(parent)).ifPresentOrElse(p -> p.onExit().thenRun(Main::orphaned),
                Main::orphaned);
    }

    private static void orphaned() {
        System.err.println("transfusion: the study that started this run has ended; stopping (rerun the study to "
                + "resume this run)");
        System.err.flush();
        Runtime.getRuntime().halt(ExitCode.TERMINATED.code());
    }

    /**
     * Adds the subcommands these arguments need. A command the first argument names (by name or alias, as picocli
     * matches them) is the only one built; so is the one {@code help} is asked about, beside {@code help}. Otherwise
     * (no command, the root's usage or version, an unknown command) each command is added as a stand-in that holds
     * only its name, aliases and description: all that the usage and picocli's suggestions for a mistyped command
     * read. {@link #ALL_COMMANDS_PROPERTY} builds every command.
     */
    static void addSubcommands(CommandLine cli, String[] args) {
        String all = System.getProperty(ALL_COMMANDS_PROPERTY);
        if (all != null && !all.equalsIgnoreCase("false")) {
            SUBCOMMANDS.forEach(cli::addSubcommand);
            return;
        }
        Class<?> named = args.length > 0 ? commandNamed(args[0]) : null;
        if (named != null && !named.equals(CommandLine.HelpCommand.class)) {
            cli.addSubcommand(named);
            return;
        }
        Class<?> helpedWith = named != null && args.length > 1 ? commandNamed(args[1]) : null;
        for (Class<?> command : SUBCOMMANDS) {
            if (command.equals(CommandLine.HelpCommand.class) || command.equals(helpedWith)) {
                cli.addSubcommand(command);
            } else {
                Command c = command.getAnnotation(Command.class);
                CommandLine.Model.CommandSpec stub = CommandLine.Model.CommandSpec.create()
                        .name(c.name()).aliases(c.aliases());
                stub.usageMessage().description(c.description()).hidden(c.hidden());
                cli.addSubcommand(c.name(), new CommandLine(stub));
            }
        }
    }

    /** The subcommand class whose name or alias this is, or null. */
    static Class<?> commandNamed(String arg) {
        for (Class<?> command : SUBCOMMANDS) {
            Command c = command.getAnnotation(Command.class);
            if (c.name().equals(arg) || java.util.Arrays.asList(c.aliases()).contains(arg)) {
                return command;
            }
        }
        return null;
    }

    /** One parser per typed option, the same one study specs and run specs use. */
    static void registerConverters(CommandLine cli) {
        cli.registerConverter(InitScheme.class, text -> parsed(() -> InitScheme.parse(text)));
        cli.registerConverter(OptimizerKind.class, text -> parsed(() -> OptimizerKind.parse(text)));
        cli.registerConverter(ScheduleKind.class, text -> parsed(() -> ScheduleKind.parse(text)));
        cli.registerConverter(Augment.Policy.class, text -> parsed(() -> Augment.Policy.parse(text)));
        cli.registerConverter(UncertaintyPolicy.class, text -> parsed(() -> UncertaintyPolicy.parse(text)));
        cli.registerConverter(ClassWeights.class, text -> parsed(() -> ClassWeights.parse(text)));
        cli.registerConverter(Sampler.class, text -> parsed(() -> Sampler.parse(text)));
        cli.registerConverter(SubsetSampling.class, text -> parsed(() -> SubsetSampling.parse(text)));
        cli.registerConverter(OperatingPoint.class, text -> parsed(() -> OperatingPoint.parse(text)));
        cli.registerConverter(CalibrationKind.class, text -> parsed(() -> CalibrationKind.parse(text)));
        cli.registerConverter(Normalisation.class, text -> parsed(() -> Normalisation.parse(text)));
    }

    /** A converter's result, its bad-input message passed to picocli as the reason the value is invalid. */
    private static <T> T parsed(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (BadInputException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    private static BadInputException findBadInput(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BadInputException bad) {
                return bad;
            }
        }
        return null;
    }
}
