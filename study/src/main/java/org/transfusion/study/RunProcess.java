package org.transfusion.study;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.transfusion.error.ExitCode;
import org.transfusion.io.AtomicFiles;

/**
 * One planned run as its own JVM ({@code transfusion train --spec}): what {@code study --jobs} starts for each run and
 * what a cluster engine's task starts on its node. Built where the study is planned (the run's spec is written beside
 * its folder, on the study's file system); started where it runs, which decides the {@code java} binary, whether to
 * resume, and the environment (the attempt number, the GPU given to it). Only strings, so that it travels to other
 * machines.
 */
public record RunProcess(String id, List<String> jvmFlags, String classpath, List<String> args, String folder,
                         String log) implements Serializable {
    /** The class whose {@code main} is the command line: the CLI's, which {@code train --spec FILE} runs. */
    public static final String MAIN_CLASS = "org.transfusion.cli.Main";

    /**
     * The process of {@code r} with {@code threads} intra-op threads, its JVM on {@code classpath}, training on
     * {@code device} ({@code train --device}; null: none given, the child's {@code TRANSFUSION_DEVICE} or the CPU).
     */
    public static RunProcess of(PlannedRun r, int threads, String classpath, String device) {
        List<String> jvm = new ArrayList<>(inheritedJvmFlags());
        jvm.add("-Dai.djl.offline=true");
        // The run itself travels as its spec (JSON), never re-spelled as flags.
        Path specFile = StudyFolder.specFile(r);
        try {
            Files.createDirectories(specFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(specFile, r.spec().toJson() + "\n");
        List<String> args = new ArrayList<>(List.of(MAIN_CLASS, "train", "--spec",
                specFile.toAbsolutePath().toString(), "--threads", Integer.toString(threads), "--out",
                r.folder().toAbsolutePath().toString()));
        if (device != null) {
            args.addAll(List.of("--device", device));
        }
        return new RunProcess(r.id(), List.copyOf(jvm), classpath, List.copyOf(args), r.folder().toAbsolutePath().toString(),
                StudyFolder.logFile(r).toAbsolutePath().toString());
    }

    /**
     * The class path of runs a cluster starts: the installation named by {@code transfusion.home} (the launcher sets
     * it; on a cluster it is the same path on every node), else this JVM's.
     */
    public static String clusterClasspath() {
        String home = System.getProperty("transfusion.home");
        if (home == null) {
            return System.getProperty("java.class.path");
        }
        Path cli = Path.of(home, "cli", "target");
        return cli.resolve("transfusion-cli.jar") + java.io.File.pathSeparator + cli.resolve("lib") + "/*";
    }

    /**
     * The command line on this machine: its {@code java}, the run ending with {@code parentPid}, and
     * {@code --resume} when the folder already holds the run (an earlier attempt's checkpoint).
     */
    public List<String> command(long parentPid) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        cmd.add("-Dtransfusion.parent-pid=" + parentPid);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.addAll(args);
        if (Files.isRegularFile(Path.of(folder, "run.json"))) {
            cmd.add("--resume");
        }
        return cmd;
    }

    /**
     * Runs the run here to its end (a {@code study --jobs} pool's worker): returns when it finished; a run that
     * diverged ends with a {@link org.transfusion.engine.train.DivergedException} (its folder holds failed.json); a
     * native crash or any other end is an exception naming the run and its log, after which a rerun resumes it.
     */
    public void runHere(long parentPid) throws IOException, InterruptedException {
        int code = start(parentPid, Map.of()).waitFor();
        if (code == ExitCode.OK.code()) {
            return;
        }
        if (code == ExitCode.DIVERGED.code()) {
            throw new org.transfusion.engine.train.DivergedException("run " + id + " diverged (exit 3); see " + log);
        }
        if (code == ExitCode.NATIVE_CRASH.code()) {
            throw new IllegalStateException("run " + id + " died on a native crash (exit 134); the last line of "
                    + log + " says where the JVM's log is; rerun the study to resume it");
        }
        throw new IllegalStateException("run " + id + " failed (exit " + code + "); see " + log);
    }

    /** Starts the run here, its output appended to its log, with {@code env} added to this process's environment. */
    public Process start(long parentPid, Map<String, String> env) throws IOException {
        Path logFile = Path.of(log);
        Files.createDirectories(logFile.getParent());
        ProcessBuilder pb = new ProcessBuilder(command(parentPid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * The flags of this JVM that a run's JVM must share: where a native crash is logged and what is printed then
     * (set by the launcher, see scripts/native-env.sh) and Transfusion's own settings ({@code -Dtransfusion.*}).
     */
    static List<String> inheritedJvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:ErrorFile=") || a.startsWith("-XX:OnError=")
                        || (a.startsWith("-Dtransfusion.") && !a.startsWith("-Dtransfusion.parent-pid=")))
                .toList();
    }
}
