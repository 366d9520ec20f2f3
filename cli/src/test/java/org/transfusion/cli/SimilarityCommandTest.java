package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.io.Npy;
import org.transfusion.similarity.Activations;
import org.transfusion.similarity.ConvMode;
import org.transfusion.similarity.Method;
import org.transfusion.similarity.Similarity;
import org.transfusion.similarity.SimilarityOptions;
import org.transfusion.similarity.SimilarityReport;

class SimilarityCommandTest {

    @TempDir Path tmp;
    private Path a;
    private Path b;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** 200 points: a has 4 neurons, b has 6 that mix a's first three with noise. */
    @BeforeEach
    void writeInputs() {
        Random r = new Random(5);
        int n = 200;
        float[] x = new float[n * 4];
        float[] y = new float[n * 6];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = (float) r.nextGaussian();
            }
            for (int j = 0; j < 6; j++) {
                y[i * 6 + j] = (float) (x[i * 4 + j % 3] * (j + 1) + 0.5 * r.nextGaussian());
            }
        }
        a = tmp.resolve("a.npy");
        b = tmp.resolve("b.npy");
        Npy.write(a, new long[] {n, 4}, x);
        Npy.write(b, new long[] {n, 6}, y);
    }

    @Test
    void printsJsonForTheMethodsAsked() {
        int code = run("similarity", a.toString(), b.toString(), "--method", "cca,cka-linear");
        assertThat(err.toString()).isEmpty();
        assertThat(code).isZero();
        SimilarityReport expected = Similarity.compute(
                Activations.fromNpy(a, ConvMode.FLATTEN, 0, 0), Activations.fromNpy(b, ConvMode.FLATTEN, 0, 0),
                EnumSet.of(Method.CCA, Method.CKA_LINEAR), SimilarityOptions.defaults());
        String json = out.toString();
        assertThat(json).isEqualTo(expected.toJson())
                .contains("\"points\": 200,", "\"neurons\": [4, 6],", "\"cca\": {\"mean\": ", "\"cka_linear\": {\"value\": ")
                .doesNotContain("svcca", "pwcca", "cka_rbf");
        // three of a's neurons drive b: three canonical correlations near 1, the fourth small
        double[] c = expected.cca().orElseThrow().coefficients();
        assertThat(c[2]).isGreaterThan(0.95);
        assertThat(c[3]).isLessThan(0.3);
    }

    /** --timings leaves standard output as it is and adds one JSON line of stage seconds to standard error. */
    @Test
    void timingsGoToStandardErrorAsOneJsonLine() {
        int code = run("similarity", a.toString(), b.toString(), "--method", "cca", "--timings");
        assertThat(code).isZero();
        SimilarityReport expected = Similarity.compute(
                Activations.fromNpy(a, ConvMode.FLATTEN, 0, 0), Activations.fromNpy(b, ConvMode.FLATTEN, 0, 0),
                EnumSet.of(Method.CCA), SimilarityOptions.defaults());
        assertThat(out.toString()).isEqualTo(expected.toJson());
        String line = err.toString().strip();
        assertThat(line).doesNotContain("\n")
                .matches("\\{\"timings\": \\{\"jvm_start_s\": [0-9.]+, \"openblas_load_s\": [0-9.]+,"
                        + " \"read_wait_s\": [0-9.]+, \"compute_s\": [0-9.]+, \"print_s\": [0-9.]+\\}\\}");
        // each stage is a part of this command's own run, which takes well under a minute (the regex above already
        // rules out negative values)
        var stages = java.util.regex.Pattern.compile("\"(openblas_load|read_wait|compute|print)_s\": ([0-9.]+)")
                .matcher(line).results().map(m -> Double.parseDouble(m.group(2))).toList();
        assertThat(stages).hasSize(4).allSatisfy(s -> assertThat(s).isBetween(0.0, 60.0));
    }

    @Test
    void allMethodsWithOptionsAndCsv() throws IOException {
        Path csv = tmp.resolve("out/coefficients.csv");
        int code = run("similarity", a.toString(), b.toString(), "--method", "all", "--keep-variance", "0.9",
                "--sigma-fraction", "1.0", "--debiased", "--max-points", "150", "--seed", "3", "--csv", csv.toString());
        assertThat(err.toString()).isEmpty();
        assertThat(code).isZero();
        assertThat(out.toString()).contains("\"points\": 150,", "\"svcca\": {", "\"keep_variance\": 0.9,", "\"pwcca\": {",
                "\"cka_rbf\": {", "\"sigma_fraction\": 1.0, \"points\": 150, \"debiased\": true");
        assertThat(Files.readAllLines(csv)).first().isEqualTo("method,index,value");
        assertThat(Files.readAllLines(csv)).anyMatch(l -> l.startsWith("svcca,0,"));
    }

    @Test
    void missingFileIsExitCode2WithOneLine() {
        int code = run("similarity", a.toString(), tmp.resolve("missing.npy").toString());
        assertThat(code).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).startsWith("transfusion: error: ").contains("missing.npy").hasLineCount(1);
    }

    @Test
    void badInputsAreExitCode2WithOneLine() throws IOException {
        Path shorter = tmp.resolve("short.npy");
        Npy.write(shorter, new long[] {150, 4}, new float[600]);
        Path notNpy = Files.writeString(tmp.resolve("text.npy"), "not numpy");
        String[][] cases = {
            {"similarity", a.toString(), shorter.toString()},
            {"similarity", a.toString(), notNpy.toString()},
            {"similarity", a.toString(), b.toString(), "--keep-variance", "1.5"},
            {"similarity", a.toString(), b.toString(), "--method", "bogus"},
            {"similarity", a.toString(), b.toString(), "--conv", "squash"},
        };
        String[] expected = {"200 data points but", "not a .npy file", "keep-variance", "'bogus'", "--conv"};
        for (int i = 0; i < cases.length; i++) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            assertThat(run(cases[i])).as(String.join(" ", cases[i])).isEqualTo(2);
            assertThat(err.toString()).as(String.join(" ", cases[i]))
                    .startsWith("transfusion: error: ").contains(expected[i]).hasLineCount(1);
            assertThat(out.toString()).isEmpty();
        }
    }
    /**
     * Two files larger together than the JVM's whole heap: the linear measures read them from their mappings, block
     * by block (issue 33), so a 32 MB heap computes on 2 x 24 MB, and gives what a process with the default heap gives.
     */
    @Test
    void filesLargerThanTheHeapAreComparedFromTheirMappings() throws Exception {
        int n = 30_000;
        int p = 100;
        double[] x = new double[n * p];
        double[] y = new double[n * p];
        Random r = new Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
            y[i] = 0.5 * x[i] + r.nextGaussian();
        }
        Path big1 = tmp.resolve("big1.npy");
        Path big2 = tmp.resolve("big2.npy");
        Npy.write(big1, new long[] {n, p}, x);
        Npy.write(big2, new long[] {n, p}, y);
        x = null;
        y = null;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx32m", "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "similarity", "--method",
                "cca,pwcca,cka-linear", big1.toString(), big2.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String printed = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor()).as(printed).isZero();
        SimilarityReport here = Similarity.compute(Activations.fromNpy(big1, ConvMode.FLATTEN, 0, 0),
                Activations.fromNpy(big2, ConvMode.FLATTEN, 0, 0), Method.parse("cca,pwcca,cka-linear"),
                SimilarityOptions.defaults());
        assertThat(printed).isEqualTo(here.toJson());
    }
}
