package org.transfusion.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.cli.Main;
import org.transfusion.error.BadInputException;

/**
 * The driver's settings are checked as text, without a SparkContext: master URLs in the forms Spark accepts,
 * --conf values of known type; and a job failed by the JVM's shutdown (a signal) is one line, not a failure.
 */
class SparkSettingsTest {
    @TempDir Path dir;

    @Test
    void masterUrlsSparkAcceptsPass() {
        for (String m : List.of("local", "local[1]", "local[*]", "local[4,3]", "local[*,2]", "local-cluster[2,1,1024]",
                "spark://host:7077", "spark://a:7077,b:7078", "yarn", "k8s://https://10.0.0.1:6443",
                "k8s://https://kubernetes.default.svc", "mesos://zk://zk1:2181/mesos", "mesos://host:5050")) {
            assertThat(SparkSettings.master("--master", m)).isEqualTo(m);
        }
    }

    @Test
    void otherMastersAreOneLineNamingTheOption() {
        String[][] cases = {
            {"garbage://nowhere[", "--master 'garbage://nowhere[': not a Spark master URL (expected local, local[N]"},
            {"local[0]", "--master 'local[0]': task slots must be from 1 to 2147483647, got '0'"},
            {"local[99999999999]", "--master 'local[99999999999]': task slots must be from 1 to 2147483647"},
            {"local[2,0]", "--master 'local[2,0]': attempts per task must be from 1 to 2147483647, got '0'"},
            {"local-cluster[0,1,1024]", "workers must be from 1"},
            {"spark://host", "--master 'spark://host': expected HOST:PORT with a port from 1 to 65535, got 'host'"},
            {"spark://host:70000", "got 'host:70000'"},
            {"mesos://:5050", "got ':5050'"},
            {"local[two]", "not a Spark master URL"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> SparkSettings.master("--master", c[0])).as(c[0])
                    .isInstanceOf(BadInputException.class).hasMessageStartingWith(c[1].startsWith("--") ? c[1] : "--master")
                    .hasMessageContaining(c[1]).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void confValuesOfKnownTypeAreChecked() {
        assertThat(SparkSettings.conf("spark.task.maxFailures", "4")).isEqualTo("4");
        assertThat(SparkSettings.conf("spark.driver.memory", "4g")).isEqualTo("4g");
        assertThat(SparkSettings.conf("spark.executor.memory", "512MB")).isEqualTo("512MB");
        assertThat(SparkSettings.conf("spark.speculation", "FALSE")).isEqualTo("false");
        assertThat(SparkSettings.conf("spark.executor.instances", "0")).isEqualTo("0");
        assertThat(SparkSettings.conf("spark.locality.wait", "0s")).as("type not known: passed on").isEqualTo("0s");
        String[][] cases = {
            {"spark.task.maxFailures", "banana", "--conf spark.task.maxFailures=banana: expected a whole number from 1 "
                    + "to 2147483647, got 'banana'"},
            {"spark.task.cpus", "0", "--conf spark.task.cpus=0: expected a whole number from 1"},
            {"spark.executor.cores", "-2", "--conf spark.executor.cores=-2: expected a whole number"},
            {"spark.driver.memory", "-5g", "--conf spark.driver.memory=-5g: expected a memory size"},
            {"spark.executor.memory", "0", "--conf spark.executor.memory=0: expected a memory size"},
            {"spark.executor.memory", "lots", "--conf spark.executor.memory=lots: expected a memory size"},
            {"spark.ui.enabled", "yes", "--conf spark.ui.enabled=yes: expected true or false"},
            {"spark.master", "local[0]", "--conf spark.master 'local[0]': task slots must be from 1"},
            {"sprak.task.cpus", "2", "--conf sprak.task.cpus: not a Spark setting"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> SparkSettings.conf(c[0], c[1])).as(c[0] + "=" + c[1])
                    .isInstanceOf(BadInputException.class).hasMessageStartingWith(c[2]);
        }
    }

    @Test
    void aJobFailedByTheJvmsShutdownIsOneLineAndNoFailure() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        RuntimeException cancelled = new IllegalStateException("Job 0 cancelled because SparkContext was shut down");
        assertThat(SparkRunExecutor.failure(cancelled, true, log)).as("quiet during shutdown").isNull();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).singleElement().asString()
                .startsWith("spark: stopped by a signal");
        assertThat(SparkRunExecutor.failure(cancelled, false, log)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("a run failed on every attempt Spark made");
        assertThat(SparkRunExecutor.shuttingDown()).as("this JVM is not shutting down").isFalse();
    }

    @Test
    void theStudyRefusesBadMasterAndConfInOneLineBeforeWritingAnything() throws Exception {
        Path yaml = Files.writeString(dir.resolve("study.yaml"), SparkStudyTest.STUDY);
        String[][] cases = {
            {"--master", "garbage://nowhere[", "--master 'garbage://nowhere[': not a Spark master URL"},
            {"--master", "local[0]", "--master 'local[0]': task slots must be from 1"},
            {"--conf", "spark.task.maxFailures=banana", "--conf spark.task.maxFailures=banana: expected a whole number"},
            {"--conf", "spark.driver.memory=-5g", "--conf spark.driver.memory=-5g: expected a memory size"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve("out");
            StringWriter err = new StringWriter();
            List<String> args = new java.util.ArrayList<>(List.of(yaml.toString(), "--out", out.toString(), "--engine",
                    "spark", c[0], c[1]));
            if (c[0].equals("--conf")) {
                args.addAll(List.of("--master", "local[1]"));
            }
            int code = SparkStudyTest.study(args, err);
            assertThat(code).as(c[1] + ": " + err).isEqualTo(Main.EXIT_BAD_INPUT);
            assertThat(err.toString().strip().lines()).as(c[1]).singleElement().asString()
                    .startsWith("transfusion: error: " + c[2]);
            assertThat(out).as(c[1] + ": nothing written").doesNotExist();
        }
    }
}
