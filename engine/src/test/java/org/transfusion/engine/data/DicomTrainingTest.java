package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunMetrics;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.train.Progress;
import org.transfusion.engine.train.Trainer;

/**
 * A {@code dicom:} dataset trains end to end: 40 x-ray-like files (MONOCHROME1, 12 of 16 bits, a VOI window; class
 * "nodule" has a dense square) with a labels CSV, four steps of cbr-tiny, and a complete run folder with metrics.
 */
class DicomTrainingTest {
    @TempDir Path dir;

    /** A 32 x 32 MONOCHROME1 file: noise around 3000 (dark once inverted), with a square of 600 (bright) if asked. */
    private static void xray(Path file, boolean nodule, SplittableRandom rng) throws IOException {
        int[] words = new int[32 * 32];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inSquare = nodule && x >= 10 && x < 20 && y >= 12 && y < 22;
                words[y * 32 + x] = (inSquare ? 600 : 3000) + rng.nextInt(200);
            }
        }
        new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .grey("MONOCHROME1", 32, 32, 16, 12, false)
                .text(DicomAttributes.WINDOW_CENTER, "DS", "2048")
                .text(DicomAttributes.WINDOW_WIDTH, "DS", "4096")
                .pixels(DicomWriter.words(words, false), true)
                .write(file);
    }

    @Test
    void aSmallDicomDatasetTrainsAndLeavesACompleteRunFolder() throws IOException {
        Path data = dir.resolve("cxr");
        SplittableRandom rng = new SplittableRandom(7);
        StringBuilder csv = new StringBuilder("file,label\n");
        for (int i = 0; i < 40; i++) {
            boolean nodule = i % 2 == 1;
            xray(data.resolve("images").resolve("cxr" + i + ".dcm"), nodule, rng);
            csv.append("images/cxr").append(i).append(".dcm,").append(nodule ? "nodule" : "normal").append('\n');
        }
        Files.writeString(data.resolve("labels.csv"), csv);

        RunSpec spec = RunSpec.builder("dicom:" + data, "cbr-tiny").length(4L, null).batchSize(8).evalEvery(2)
                .imageSize(16).seed(1).threads(1).build();
        RunFolder run = new RunFolder(dir.resolve("run"));
        Trainer.run(spec, run, false, Progress.SILENT);

        assertThat(run.isComplete()).isTrue();
        assertThat(run.metricsJson()).exists();
        RunMetrics metrics = run.metrics();
        assertThat(metrics.steps()).isEqualTo(4);
        // 20% of 20 images per class are test: 8 images, both classes, so the AUC exists.
        assertThat(metrics.testAuc()).isBetween(0.0, 1.0);
        assertThat((int) metrics.record().test().count()).isEqualTo(8);
        assertThat(Json.read(run.runJson()).path("data").path("identity").path("key").asText()).isEqualTo("file");
    }
}
