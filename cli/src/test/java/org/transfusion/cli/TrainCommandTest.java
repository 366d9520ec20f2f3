package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.model.SmallMapConv;

class TrainCommandTest {
    @TempDir Path dir;

    /** 200 synthetic fundus images at 16 px: opens in well under a second, enough for a few steps. */
    private static final String DATA = "synthetic:retina?n=200&size=16";

    private CliRun train(String out, String... extra) {
        String[] base = {"train", "--data", DATA, "--model", "cbr-small", "--steps", "4", "--batch-size", "8",
            "--eval-every", "2", "--out", dir.resolve(out).toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.of(args);
    }

    @Test
    void trainsThenEvaluatesTheSavedRun() throws Exception {
        CliRun r = train("run", "--task", "referable");
        assertThat(r.code()).as(r.err()).isZero();
        Path run = dir.resolve("run");
        for (String f : new String[] {"run.json", "metrics.json", "curve.csv", "init.safetensors", "weights.safetensors"}) {
            assertThat(run.resolve(f)).exists();
        }
        JsonNode metrics = new ObjectMapper().readTree(Files.readString(run.resolve("metrics.json")));
        CliRun e = CliRun.of("evaluate", run.toString(), "--split", "test");
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode again = new ObjectMapper().readTree(e.out());
        // The same weights on the same split give the same AUC as the run recorded at its end.
        assertThat(again.get("auc").asDouble()).isEqualTo(metrics.get("test").get("auc").asDouble());
        assertThat(again.get("count").asInt()).isEqualTo(40); // 20% of 200 synthetic images are test
        // The operating point is chosen on the run's validation split again: the threshold metrics.json recorded.
        assertThat(again.at("/operating_point/threshold").asDouble())
                .isEqualTo(metrics.at("/test/operating_point/threshold").asDouble());
        CliRun fixed = CliRun.of("evaluate", run.toString(), "--operating-point", "0.5", "--calibrate", "temperature");
        assertThat(fixed.code()).as(fixed.err()).isZero();
        JsonNode atHalf = new ObjectMapper().readTree(fixed.out());
        assertThat(atHalf.at("/operating_point/threshold").asDouble()).isEqualTo(0.5);
        assertThat(atHalf.at("/operating_point/sensitivity").asDouble())
                .isEqualTo(metrics.at("/test/sensitivity").asDouble()); // the binary sensitivity at 0.5
        assertThat(atHalf.at("/calibration/temperature_scaling/fitted_on").asText()).isEqualTo("val");
    }

    @Test
    void unknownModelIsABadInput() {
        CliRun.of("train", "--data", DATA, "--model", "resnet-9000", "--out", dir.resolve("m").toString())
                .assertOneLineError("unknown model 'resnet-9000'");
    }

    @Test
    void unknownTaskIsABadInput() {
        train("t", "--task", "detection").assertOneLineError("unknown task 'detection'");
    }

    @Test
    void taskThatDoesNotFitTheLabelsIsABadInput() {
        train("f", "--task", "chexpert5").assertOneLineError("task 'chexpert5' needs multi-label findings");
    }

    @Test
    void classWeightsThatDoNotFitTheTaskAreABadInput() {
        train("w", "--task", "referable", "--class-weights", "1,2")
                .assertOneLineError("--class-weights 1,2 gives 2 weights but task 'referable' has 1 output");
        train("w2", "--class-weights", "heavy").assertOneLineError("unknown class weights 'heavy'");
        train("s", "--sampler", "stratified").assertOneLineError("unknown sampler 'stratified' (expected shuffle or "
                + "balanced)");
        assertThat(dir.resolve("w")).doesNotExist();
    }

    @Test
    void imageSizeTooSmallIsABadInput() {
        train("s", "--image-size", "8").assertOneLineError("--image-size 8 is too small for cbr-small");
    }

    @Test
    void folderHoldingADifferentRunIsABadInput() {
        assertThat(train("same", "--seed", "1").code()).isZero();
        train("same", "--seed", "2").assertOneLineError("holds a different run (seed 1 vs 2)");
    }

    @Test
    void evaluatingAFolderThatIsNoRunIsABadInput() {
        CliRun.of("evaluate", dir.toString()).assertOneLineError("not a run folder (no run.json)");
    }
    /**
     * The schemes drawn from pretrained statistics take a weights file as meanvar does: one trains (the others share
     * its path through InitScheme.parse and InitSchemes.apply, and are written by `weights init`), recording how it
     * drew in run.json's init report; --help says what each keeps and destroys.
     */
    @Test
    void schemesDrawnFromPretrainedStatisticsTrainFromAWeightsFile() throws Exception {
        Path weights = dir.resolve("source.safetensors");
        CliRun w = CliRun.of("weights", "init", "--model", "cbr-small", "--scheme", "random", "--seed", "9",
                "--out", weights.toString());
        assertThat(w.code()).as(w.err()).isZero();
        CliRun r = train("moments", "--task", "referable", "--init", "moments", "--weights", weights.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode init = Json.read(dir.resolve("moments").resolve("run.json")).path("init");
        assertThat(init.path("scheme").asText()).isEqualTo("moments");
        assertThat(init.path("drawn_as").size()).isPositive();
        for (String scheme : new String[] {"shuffle", "covariance", "meanvar-channel"}) {
            CliRun i = CliRun.of("weights", "init", "--model", "cbr-small", "--scheme", scheme, "--weights",
                    weights.toString(), "--out", dir.resolve(scheme + ".safetensors").toString());
            assertThat(i.code()).as(scheme + ": " + i.err()).isZero();
            assertThat(i.out()).contains("--init " + scheme).contains("\"drawn_as\"");
        }
        CliRun help = CliRun.of("train", "--help");
        for (String sentence : new String[] {"shuffle: each tensor's pretrained values randomly permuted",
                "moments: i.i.d. draws (Johnson SU/SB curves)", "covariance: each output filter drawn from a normal",
                "meanvar-channel: Mean Var per output channel"}) {
            assertThat(help.out().replaceAll("\\s+", " ")).contains(sentence);
        }
    }

    /**
     * --device: cuda where this libtorch has no GPU is one line before anything is written; cpu is recorded with the
     * kernel settings, and no system property carries it.
     */
    @Test
    void theDeviceIsCheckedFirstAndRecorded() throws Exception {
        Path never = dir.resolve("cuda-run");
        if (Engine.getInstance().getGpuCount() == 0) {
            CliRun r = CliRun.of("train", "--data", "synthetic:retina?n=200&size=16", "--model", "cbr-small",
                    "--steps", "2", "--device", "cuda", "--out", never.toString());
            r.assertOneLineError("device cuda:0: this process's libtorch sees no CUDA GPU");
            assertThat(never).doesNotExist();
        }
        Path run = dir.resolve("cpu-run");
        CliRun ok = CliRun.of("train", "--data", "synthetic:retina?n=200&size=16", "--model", "cbr-small", "--steps",
                "2", "--batch-size", "8", "--device", "cpu", "--out", run.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        JsonNode provenance = Json.read(run.resolve("run.json")).path("provenance");
        assertThat(provenance.path("device").asText()).isEqualTo("cpu");
        // the run's context: its device and this process's kernel settings, under the keys run.json always used
        assertThat(provenance.path("memory_format").asText()).isEqualTo(BatchArrays.defaultFormat().setting());
        assertThat(provenance.path("conv1x1").asText()).isEqualTo(SmallMapConv.Conv1x1.chosen().setting());
        assertThat(System.getProperty("transfusion.device")).as("handed to the run, not set for the process").isNull();
        CliRun typo = CliRun.of("train", "--data", "synthetic:retina?n=200&size=16", "--model", "cbr-small",
                "--device", "cdua", "--out", dir.resolve("typo").toString());
        typo.assertOneLineError("device 'cdua': expected cpu, cuda or cuda:N");
    }
}
