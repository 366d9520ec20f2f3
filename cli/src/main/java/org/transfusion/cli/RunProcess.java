package org.transfusion.cli;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.transfusion.io.AtomicFiles;
import org.transfusion.study.PlannedRun;
import org.transfusion.study.StudyFolder;

/**
 * One planned run as its own JVM ({@code transfusion train --spec}): what {@code study --jobs} starts for each run and
 * what a cluster engine's task starts on its node. Built where the study is planned (the run's spec is written beside
 * its folder, on the study's file system); started where it runs, which decides the {@code java} binary, whether to
 * resume, and the environment (the attempt number, the GPU given to it). Only strings, so that it travels to other
 * machines.
 */
public record RunProcess(String id, List<String> jvmFlags, String classpath, List<String> args, String folder,
                         String log) implements Serializable {
    /** Exit status of a run whose input is bad, and of one that diverged: the same on every attempt. */
    public static boolean deterministic(int exit) {
        return exit == Main.EXIT_BAD_INPUT || exit == Main.EXIT_DIVERGED;
    }

    /** The process of {@code r} with {@code threads} intra-op threads, its JVM on {@code classpath}. */
    public static RunProcess of(PlannedRun r, int threads, String classpath) {
        List<String> jvm = new ArrayList<>(inheritedJvmFlags());
        String device = System.getProperty("transfusion.device");
        if (device != null) {
            jvm.add("-Dtransfusion.device=" + device);
        }
        jvm.add("-Dai.djl.offline=true");
        // The run itself travels as its spec (JSON), never re-spelled as flags.
        Path specFile = StudyFolder.specFile(r);
        try {
            Files.createDirectories(specFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(specFile, r.spec().toJson() + "\n");
        List<String> args = List.of(Main.class.getName(), "train", "--spec", specFile.toAbsolutePath().toString(),
                "--threads", Integer.toString(threads), "--out", r.folder().toAbsolutePath().toString());
        return new RunProcess(r.id(), List.copyOf(jvm), classpath, args, r.folder().toAbsolutePath().toString(),
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
                        || (a.startsWith("-Dtransfusion.") && !a.startsWith("-Dtransfusion.parent-pid=")
                        && !a.startsWith("-Dtransfusion.device=")))
                .toList();
    }
}
