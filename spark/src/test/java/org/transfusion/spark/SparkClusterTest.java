package org.transfusion.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;

/**
 * A real Spark standalone cluster on 127.0.0.1: a master and a worker, each its own JVM started here from Spark's
 * Maven artifacts (org.apache.spark.deploy.master.Master / worker.Worker, as start-master.sh and start-worker.sh
 * start them), the worker's executors started by the worker as separate JVMs. The worker needs a Spark home with
 * {@code jars/}: a folder of links to this test's class path stands in for an installed Spark. The worker declares
 * two GPUs through a discovery script that only prints their addresses (as Spark's own scheduling tests do), so GPU
 * scheduling is exercised without a GPU.
 */
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class SparkClusterTest {
    @TempDir static Path dir;

    private static Process master;
    private static Process worker;
    private static String url;

    @BeforeAll
    static void startCluster() throws Exception {
        Path home = Files.createDirectories(dir.resolve("spark-home"));
        Path jars = Files.createDirectories(home.resolve("jars"));
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                Files.createSymbolicLink(jars.resolve(String.format("%03d-%s", i++, p.getFileName())), p);
            }
        }
        Path gpus = dir.resolve("gpus.sh");
        Files.writeString(gpus, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
        Files.setPosixFilePermissions(gpus, PosixFilePermissions.fromString("rwxr-xr-x"));
        // The master's and worker's own INFO lines say when each is up (the module's log4j2.properties keeps WARN).
        Path logging = Files.writeString(dir.resolve("log4j2-cluster.properties"), """
                rootLogger.level = info
                rootLogger.appenderRef.out.ref = out
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
                """);
        int port = freePort();
        url = "spark://127.0.0.1:" + port;
        master = start("master", List.of("-Dlog4j2.configurationFile=" + logging), "org.apache.spark.deploy.master.Master", home, "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        awaitLog("master", "Starting Spark master at " + url);
        worker = start("worker", List.of("-Dlog4j2.configurationFile=" + logging, "-Dspark.worker.resource.gpu.amount=2",
                "-Dspark.worker.resource.gpu.discoveryScript=" + gpus), "org.apache.spark.deploy.worker.Worker", home,
                "--host", "127.0.0.1", "--cores", "2", "--memory", "3g", "--webui-port", Integer.toString(freePort()),
                "--work-dir", dir.resolve("work").toString(), url);
        awaitLog("worker", "Successfully registered with master");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (Process p : new Process[] {worker, master}) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process start(String name, List<String> props, String main, Path home, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        // The Java 17 flags Spark needs (this JVM has them: see the module's surefire argLine).
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                        || a.startsWith("-Dio.netty"))
                .forEach(cmd::add);
        cmd.addAll(props);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    private static void awaitLog(String name, String line) throws Exception {
        Path log = dir.resolve(name + ".log");
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < until) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the " + name + " did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final String STUDY = SparkStudyTest.STUDY.replace("epochs: 8", "epochs: 2");

    @Test
    void aTwoRunStudyOnAStandaloneClusterGivesTheLocalRunnersResults() throws Exception {
        Path yaml = Files.writeString(dir.resolve("two.yaml"), STUDY);
        Path local = dir.resolve("local");
        java.io.StringWriter err = new java.io.StringWriter();
        // The local runner with two processes gives each run cores / 2 threads; the cluster's runs get the same.
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        assertThat(SparkStudyTest.study(List.of(yaml.toString(), "--out", local.toString(), "--jobs", "2"), err))
                .as(err.toString()).isZero();
        Path cluster = dir.resolve("cluster");
        assertThat(SparkStudyTest.study(List.of(yaml.toString(), "--out", cluster.toString(), "--engine", "spark",
                "--master", url, "--threads-per-run", Integer.toString(threads), "--conf",
                "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=1g"), err)).as(err.toString())
                .isZero();
        List<Path> runs = SparkStudyTest.runFolders(local);
        assertThat(runs).hasSize(2);
        for (Path r : runs) {
            JsonNode a = Json.read(r.resolve("metrics.json"));
            JsonNode b = Json.read(cluster.resolve("runs").resolve(r.getFileName()).resolve("metrics.json"));
            assertThat(a.path("test").path("auc").asDouble(Double.NaN)).isBetween(0.0, 1.0);
            assertThat(b.path("test").path("auc").asDouble()).as(r.getFileName().toString())
                    .isEqualTo(a.path("test").path("auc").asDouble());
        }
        assertThat(Files.readString(cluster.resolve("report/runs.csv")))
                .isEqualTo(Files.readString(local.resolve("report/runs.csv")));
        // The runs ran in executor JVMs the worker started, not in this one.
        assertThat(Files.readString(dir.resolve("worker.log"))).contains("Asked to launch executor");
    }

    @Test
    void eachRunGetsItsOwnGpuAddressFromTheScheduler() throws Exception {
        Path yaml = Files.writeString(dir.resolve("gpu.yaml"), STUDY.replace("name: spark-two-runs", "name: gpus"));
        Path out = dir.resolve("gpus");
        java.io.StringWriter err = new java.io.StringWriter();
        assertThat(SparkStudyTest.study(List.of(yaml.toString(), "--out", out.toString(), "--engine", "spark",
                "--master", url, "--gpus-per-run", "1", "--threads-per-run", "1", "--conf",
                "spark.executor.resource.gpu.amount=2", "--conf", "spark.executor.cores=2", "--conf",
                "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=1g"), err)).as(err.toString())
                .isZero();
        Set<String> addresses = new TreeSet<>();
        for (Path r : SparkStudyTest.runFolders(out)) {
            JsonNode prov = Json.read(r.resolve("run.json")).path("provenance");
            assertThat(prov.path("cuda_visible_devices").asText()).as("the run sees only its GPU")
                    .isEqualTo(prov.path("gpu_address").asText());
            addresses.add(prov.path("gpu_address").asText());
        }
        assertThat(addresses).as("two concurrent tasks, two distinct GPUs of the worker's two").containsExactly("0",
                "1");
    }
}
