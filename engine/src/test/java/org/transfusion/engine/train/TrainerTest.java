package org.transfusion.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.FileIdentity;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.testing.TestNpz;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

@Tag("slow") // trains real networks for over 20 s: left out of the fast loop (-Pfast), run by ./mvnw verify
class TrainerTest {
    @TempDir static Path dir;
    static String spec;

    @BeforeAll
    static void data() throws IOException {
        spec = "npz:" + TestNpz.brightSquares(dir, 96, 32, 16, 3);
    }

    private static RunSpec options(long steps) {
        return RunSpec.builder(spec, "cbr-small").length(steps, null).evalEvery(10).seed(11).build();
    }

    private static RunSpec tinyBatches(RunSpec o) {
        return o.toBuilder().batchSize(16).threads(1).build();
    }

    @Test
    void lossDecreasesAndTheRunFolderIsComplete() throws IOException {
        RunFolder run = new RunFolder(dir.resolve("decreases"));
        Map<String, Object> metrics = Trainer.run(tinyBatches(options(30)), run, false, Progress.SILENT);
        List<String> curve = Files.readAllLines(run.curveCsv());
        double first = Double.parseDouble(curve.get(1).split(",")[1]);
        double last = Double.parseDouble(curve.get(curve.size() - 1).split(",")[1]);
        assertThat(last).isLessThan(first);
        assertThat(run.isComplete()).isTrue();
        assertThat(run.initWeights()).exists();
        assertThat(run.checkpoint()).doesNotExist();
        assertThat(curve.get(0)).isEqualTo("step,train_loss,val_auc,val_loss,lr,train_seconds");
        assertThat(curve).hasSize(4); // header + validations at steps 10, 20, 30
        assertThat(metrics).containsKeys("val", "test", "steps_to_auc", "best_step");
    }

    @Test
    void sameSeedGivesIdenticalMetricsAndWeights() {
        RunFolder a = new RunFolder(dir.resolve("seed-a"));
        RunFolder b = new RunFolder(dir.resolve("seed-b"));
        Map<String, Object> ma = Trainer.run(tinyBatches(options(20)), a, false, Progress.SILENT);
        Map<String, Object> mb = Trainer.run(tinyBatches(options(20)), b, false, Progress.SILENT);
        assertThat(mb.get("val")).isEqualTo(ma.get("val"));
        assertThat(mb.get("test")).isEqualTo(ma.get("test"));
        assertSameWeights(SafeTensors.read(a.bestWeights()), SafeTensors.read(b.bestWeights()));
    }

    @Test
    void killedAndResumedRunEndsWithTheSameWeightsAsAnUninterruptedOne() throws IOException {
        RunFolder whole = new RunFolder(dir.resolve("whole"));
        Trainer.run(tinyBatches(options(40)), whole, false, Progress.SILENT);

        RunFolder killed = new RunFolder(dir.resolve("killed"));
        Progress killAt25 = new Progress() {
            @Override
            public void step(long step, long total, double loss, double ips, double left, double best) {
                if (step == 25) {
                    throw new IllegalStateException("simulated kill");
                }
            }
        };
        assertThatThrownBy(() -> Trainer.run(tinyBatches(options(40)), killed, false, killAt25))
                .hasMessage("simulated kill");
        assertThat(killed.checkpoint()).exists();
        assertThat(killed.isComplete()).isFalse();
        Trainer.run(tinyBatches(options(40)), killed, true, Progress.SILENT);
        assertSameWeights(SafeTensors.read(whole.bestWeights()), SafeTensors.read(killed.bestWeights()));
        assertThat(withoutTimes(killed.curveCsv())).isEqualTo(withoutTimes(whole.curveCsv()));
    }

    @Test
    void aFolderHoldingADifferentRunIsRefused() {
        RunFolder run = new RunFolder(dir.resolve("different"));
        Trainer.run(tinyBatches(options(10)), run, false, Progress.SILENT);
        assertThatThrownBy(() -> Trainer.run(tinyBatches(options(10)).toBuilder().seed(12).build(), run, false, Progress.SILENT))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("holds a different run")
                .hasMessageContaining("seed 11 vs 12");
    }

    @Test
    void imageSizeTooSmallForTheModelIsRefused() {
        RunSpec small = options(10).toBuilder().imageSize(8).build();
        assertThatThrownBy(() -> RunSetup.prepare(small)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("--image-size 8 is too small for cbr-small (at least 16)");
    }

    /** The learning curve without its last column (train_seconds, a wall-clock time). */
    private static List<String> withoutTimes(Path curve) throws IOException {
        return Files.readAllLines(curve).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    private static void assertSameWeights(StateDict a, StateDict b) {
        assertThat(b.keys()).containsExactlyElementsOf(a.keys());
        List<String> differing = a.keys().stream()
                .filter(k -> !java.util.Arrays.equals(a.get(k).values(), b.get(k).values())).toList();
        assertThat(differing).as("tensors whose values differ").isEmpty();
    }
    /** A progress that stops the run (as a kill would) when step {@code at} is done. */
    static Progress killAt(long at) {
        return new Progress() {
            @Override
            public void step(long step, long total, double loss, double ips, double left, double best) {
                if (step == at) {
                    throw new IllegalStateException("simulated kill");
                }
            }
        };
    }

    /**
     * issue 18: --resume after the data file at the same path was replaced resumed on the new data while run.json
     * kept the old SHA-256. Now it is refused, naming both hashes, and the folder is left as it was.
     */
    @Test
    void resumingOnReplacedDataIsRefused() throws IOException {
        Path dataDir = Files.createDirectories(dir.resolve("replaced-data"));
        Path file = TestNpz.brightSquares(dataDir, 96, 32, 16, 3);
        RunSpec o = tinyBatches(RunSpec.builder("npz:" + file, "cbr-small").length(30L, null).evalEvery(10).seed(11)
                .build());
        RunFolder run = new RunFolder(dir.resolve("replaced"));
        assertThatThrownBy(() -> Trainer.run(o, run, false, killAt(15))).hasMessage("simulated kill");
        byte[] checkpoint = Files.readAllBytes(run.checkpoint());
        String before = FileIdentity.sha256(file);
        TestNpz.brightSquares(dataDir, 96, 32, 16, 4); // same path, other images
        String after = FileIdentity.sha256(file);
        assertThat(after).isNotEqualTo(before);
        assertThatThrownBy(() -> Trainer.run(o, run, true, Progress.SILENT)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("the data changed since this run started (run.json records " + before)
                .hasMessageContaining("is now " + after);
        assertThat(Files.readAllBytes(run.checkpoint())).isEqualTo(checkpoint);
        assertThat(run.isComplete()).isFalse();
    }

    /** issue 18: two writers into one folder both "succeeded"; the second is now refused while the first holds it. */
    @Test
    void aSecondWriterIsRefusedWhileTheFolderIsHeld() {
        RunFolder run = new RunFolder(dir.resolve("held"));
        try (RunFolder.Lock held = run.lock()) {
            assertThatThrownBy(() -> Trainer.run(tinyBatches(options(10)), run, false, Progress.SILENT))
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(run.dir() + ": another process (pid " + ProcessHandle.current().pid() + ") is writing "
                            + "this run folder; wait for it to finish or choose a new --out");
        }
        // released: the run goes ahead
        Trainer.run(tinyBatches(options(10)), run, false, Progress.SILENT);
        assertThat(run.isComplete()).isTrue();
    }

    /**
     * The checkpoint is one file holding the step counter, best-so-far and curve with the weights: a killed run's
     * folder has no checkpoint.json, resuming rebuilds curve.csv from the checkpoint (here after curve.csv was
     * damaged, as a kill between the two writes would leave it), temp files of interrupted writes are removed,
     * and the result is the uninterrupted run's.
     */
    @Test
    void theCheckpointIsOneUnitAndTheCurveComesFromIt() throws IOException {
        RunFolder whole = new RunFolder(dir.resolve("unit-whole"));
        Trainer.run(tinyBatches(options(30)), whole, false, Progress.SILENT);
        RunFolder run = new RunFolder(dir.resolve("unit"));
        assertThatThrownBy(() -> Trainer.run(tinyBatches(options(30)), run, false, killAt(25)))
                .hasMessage("simulated kill");
        assertThat(run.checkpoint()).exists();
        assertThat(run.checkpointState()).doesNotExist();
        assertThat(SafeTensors.readWithMetadata(run.checkpoint()).metadata().get(Trainer.STATE_KEY))
                .contains("\"step\":20").contains("\"curve\":[\"10,").contains("\"20,");
        Files.writeString(run.curveCsv(), "step,train_loss,val_auc,val_loss,lr,train_seconds\n"); // rows lost
        Path leftover = Files.writeString(run.dir().resolve(".weights.safetensors.123.tmp"), "half a write");
        Trainer.run(tinyBatches(options(30)), run, true, Progress.SILENT);
        assertThat(leftover).doesNotExist();
        assertThat(Files.readAllBytes(run.bestWeights())).isEqualTo(Files.readAllBytes(whole.bestWeights()));
        assertThat(stepsAndAucs(run)).isEqualTo(stepsAndAucs(whole));
        assertThat(Files.readString(run.metricsJson())).contains("\"steps_to_auc\"");
        assertThat(run.metrics().stepsToAuc()).isEqualTo(whole.metrics().stepsToAuc());
    }

    /**
     * Class-balanced draws and a weighted loss depend only on the seed and the step, so a killed and resumed run
     * ends with the uninterrupted run's weights; run.json records both, and metrics.json carries the metrics beyond
     * AUC with the operating point and temperature chosen on validation.
     */
    @Test
    void aBalancedWeightedRunResumesToTheSameWeightsAndRecordsBoth() throws IOException {
        RunSpec o = tinyBatches(options(30)).toBuilder().sampler(Sampler.BALANCED)
                .classWeights(ClassWeights.parse("3")).calibrate(CalibrationKind.TEMPERATURE).build();
        RunFolder whole = new RunFolder(dir.resolve("balanced-whole"));
        Trainer.run(o, whole, false, Progress.SILENT);
        RunFolder run = new RunFolder(dir.resolve("balanced-killed"));
        assertThatThrownBy(() -> Trainer.run(o, run, false, killAt(15))).hasMessage("simulated kill");
        Trainer.run(o, run, true, Progress.SILENT);
        assertSameWeights(SafeTensors.read(whole.bestWeights()), SafeTensors.read(run.bestWeights()));
        assertThat(stepsAndAucs(run)).isEqualTo(stepsAndAucs(whole));

        JsonNode runJson = Json.read(run.runJson());
        assertThat(runJson.at("/spec/sampler").asText()).isEqualTo("balanced");
        assertThat(runJson.at("/spec/class_weights").asText()).isEqualTo("3");
        assertThat(runJson.at("/resolved/class_weights/per_output").toString()).isEqualTo("{\"class 1\":3.0}");
        assertThat(runJson.at("/resolved/train_label_counts").toString())
                .isEqualTo("{\"class 1\":{\"positive\":48,\"negative\":48}}"); // 96 training images, every other one
        assertThat(runJson.at("/resolved/sampler").asText()).startsWith("balanced: each draw picks a class");

        JsonNode test = Json.read(run.metricsJson()).path("test");
        assertThat(test.at("/operating_point/rule").asText()).isEqualTo("youden");
        assertThat(test.at("/operating_point/chosen_on").asText()).isEqualTo("val");
        assertThat(test.at("/operating_point/threshold").isNumber()).isTrue();
        assertThat(test.at("/average_precision").isNumber()).isTrue();
        assertThat(test.at("/calibration/bins").asInt()).isEqualTo(15);
        assertThat(test.at("/calibration/reliability_per_output/class 1")).hasSize(15);
        assertThat(test.at("/calibration/temperature_scaling/temperature_per_output/class 1").isNumber()).isTrue();
        assertThat(Json.read(run.metricsJson()).at("/val/calibration/temperature_scaling").isMissingNode()).isTrue();
    }

    /** curve.csv without its timing column (train_seconds differs between any two runs). */
    private static List<String> stepsAndAucs(RunFolder run) throws IOException {
        return Files.readAllLines(run.curveCsv()).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
