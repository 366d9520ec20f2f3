package org.transfusion.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.testing.TestNpz;
import org.transfusion.error.BadInputException;

/**
 * issue 28: a run's identity named its pretrained weights by absolute path, so a part-trained run of a study folder
 * moved to another disk (its pretraining's weights inside it, now at a new path) was refused as "a different run",
 * although resuming checks the weights' SHA-256 anyway. The weights are now named by the hash run.json recorded.
 */
class MovedWeightsTest {
    @TempDir static Path dir;
    static String data;
    static Path weights;

    @BeforeAll
    static void pretrain() throws IOException {
        data = "npz:" + TestNpz.brightSquares(dir, 96, 32, 16, 3);
        RunFolder source = new RunFolder(dir.resolve("source"));
        Trainer.run(RunSpec.builder(data, "cbr-small").length(6L, null).batchSize(16).threads(1).build(), source,
                false, Progress.SILENT);
        weights = source.bestWeights();
    }

    private static RunSpec fineTune(Path w) {
        return RunSpec.builder(data, "cbr-small").init(InitScheme.parse("pretrained")).weights(w).length(12L, null)
                .evalEvery(4).seed(5).batchSize(16).threads(1).build();
    }

    /** Trains the run into {@code run} with weights at {@code w} and stops it after its first checkpoint. */
    private static void partTrain(Path w, RunFolder run) {
        Progress killAt6 = new Progress() {
            @Override
            public void step(long step, long total, double loss, double ips, double left, double best) {
                if (step == 6) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> Trainer.run(fineTune(w), run, false, killAt6)).hasMessage("killed");
        assertThat(run.checkpoint()).exists();
    }

    @Test
    void aPartTrainedRunWhoseWeightsMovedResumesFromItsCheckpoint() throws IOException {
        Path before = Files.createDirectories(dir.resolve("disk1/study/pretrain"));
        Files.copy(weights, before.resolve("w.safetensors"));
        partTrain(before.resolve("w.safetensors"), new RunFolder(dir.resolve("disk1/study/run")));

        Files.createDirectories(dir.resolve("disk2"));
        Files.move(dir.resolve("disk1/study"), dir.resolve("disk2/study"));
        RunFolder moved = new RunFolder(dir.resolve("disk2/study/run"));
        List<String> notes = new ArrayList<>();
        Progress log = new Progress() {
            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
        Trainer.run(fineTune(dir.resolve("disk2/study/pretrain/w.safetensors")), moved, true, log);
        assertThat(notes).anyMatch(n -> n.startsWith("resuming " + moved.dir() + " at step 4/12"));
        assertThat(moved.isComplete()).isTrue();
    }

    @Test
    void otherWeightsAtTheNewPathAreStillADifferentRun() throws IOException {
        Path before = Files.createDirectories(dir.resolve("a/pretrain"));
        Files.copy(weights, before.resolve("w.safetensors"));
        RunFolder run = new RunFolder(dir.resolve("a/run"));
        partTrain(before.resolve("w.safetensors"), run);
        // the same file name elsewhere, holding other weights (the run's own init weights, another valid file)
        Path other = Files.createDirectories(dir.resolve("b/pretrain")).resolve("w.safetensors");
        Files.copy(run.initWeights(), other);
        assertThatThrownBy(() -> Trainer.run(fineTune(other), run, true, Progress.SILENT))
                .isInstanceOf(BadInputException.class).hasMessageContaining("holds a different run (weights ");
    }
}
