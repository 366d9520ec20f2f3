package org.transfusion.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CLI in a child JVM started the way the launcher starts it (scripts/native-env.sh sourced, its JVM flags
 * passed), for tests that kill or crash a process and look at what it left behind.
 */
final class ChildCli {
    /** The repository root (tests run in the cli module's folder). */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** A finished child: its pid, exit code, stdout and stderr. */
    record Proc(long pid, int code, String out, String err) {}

    private ChildCli() {}

    /** Starts the CLI (see {@link #run}) without waiting; its output is discarded. */
    static Process start(Path cwd, Path cache, String extraFlag, List<String> args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(extraFlag, args)).directory(cwd.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TRANSFUSION_CACHE", cache.toString());
        return pb.start();
    }

    /**
     * Starts the CLI with {@code flags} (JVM flags) without waiting; its stdout and stderr merged into the returned
     * process's input stream, and its standard input a pipe the test may close.
     */
    static Process startWatched(Path cwd, Path cache, List<String> flags, List<String> args) throws Exception {
        List<String> cmd = command("", null, args);
        int at = cmd.indexOf("-Dai.djl.offline=true");
        cmd.addAll(at, flags);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("TRANSFUSION_CACHE", cache.toString());
        return pb.start();
    }

    private static List<String> command(String extraFlag, List<String> args) {
        return command("", extraFlag, args);
    }

    /** The command line; {@code shell} runs first in the same shell (e.g. {@code ulimit -f 64;}). */
    private static List<String> command(String shell, String extraFlag, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                shell + ". \"$0\" && exec \"$1\" \"${TRANSFUSION_JVM_FLAGS[@]}\" \"${@:2}\"",
                ROOT.resolve("scripts").resolve("native-env.sh").toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (extraFlag != null) {
            cmd.add(extraFlag);
        }
        cmd.addAll(List.of("-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** Runs the CLI with {@code args} in {@code cwd}, {@code TRANSFUSION_CACHE=cache}, and one extra JVM flag. */
    static Proc run(Path cwd, Path cache, String extraFlag, List<String> args) throws Exception {
        return run("", cwd, cache, extraFlag, args);
    }

    /** {@link #run(Path, Path, String, List)} after a shell command such as a {@code ulimit}. */
    static Proc run(String shell, Path cwd, Path cache, String extraFlag, List<String> args) throws Exception {
        List<String> cmd = command(shell, extraFlag, args);
        Path out = Files.createTempFile(cwd.getParent(), "out", ".txt");
        Path err = Files.createTempFile(cwd.getParent(), "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("TRANSFUSION_CACHE", cache.toString());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Proc(p.pid(), p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
