package org.transfusion.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.probe.SourceForgetting;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.testing.TestNpz;

class SnapshotsTest {

    private static List<Long> due(long total, int evalEvery, int n) {
        return LongStream.rangeClosed(1, total).filter(d -> d % evalEvery == 0 || d == total)
                .filter(d -> Trainer.snapshotDue(d, total, evalEvery, n)).boxed().toList();
    }

    @Test
    void evenlySpacedValidationsEndingWithTheLast() {
        // 10 validations (steps 10..100), 3 kept: numbers round(10/3)=3, round(20/3)=7, 10 -> steps 30, 70, 100.
        assertThat(due(100, 10, 3)).containsExactly(30L, 70L, 100L);
        // 95 steps: validations at 10..90 and 95 (10 of them); 2 kept: numbers 5 and 10 -> steps 50 and 95.
        assertThat(due(95, 10, 2)).containsExactly(50L, 95L);
        assertThat(due(30, 10, 7)).containsExactly(10L, 20L, 30L);
        assertThat(due(30, 10, 0)).isEmpty();
    }

    /** A pretraining run, then a fine-tuning run from it that keeps 2 snapshots, measured on the source task. */
    @Test
    void aFineTunedRunKeepsSnapshotsAndIsMeasuredOnItsSource(@TempDir Path dir) throws IOException {
        java.nio.file.Files.createDirectories(dir.resolve("src"));
        java.nio.file.Files.createDirectories(dir.resolve("dst"));
        String source = "npz:" + TestNpz.brightSquares(dir.resolve("src"), 64, 32, 16, 5);
        String target = "npz:" + TestNpz.brightSquares(dir.resolve("dst"), 64, 32, 16, 6);
        RunFolder pre = new RunFolder(dir.resolve("pre"));
        Trainer.run(RunSpec.builder(source, "cbr-small").length(20L, null).evalEvery(10).batchSize(16).threads(1)
                .build(), pre, false, Progress.SILENT);
        RunFolder fine = new RunFolder(dir.resolve("fine"));
        Trainer.run(RunSpec.builder(target, "cbr-small").length(30L, null).evalEvery(10).batchSize(16).threads(1)
                .init(new InitScheme.Pretrained()).weights(pre.bestWeights()).snapshots(2).build(), fine, false,
                Progress.SILENT);
        // 3 validations, 2 kept: numbers round(1.5)=2 and 3 -> steps 20 and 30.
        assertThat(new ArrayList<>(fine.snapshots().keySet())).containsExactly(20L, 30L);

        SourceForgetting.Result r = SourceForgetting.measure(fine.dir(), new SourceForgetting.Request(null, null, null, null,
                40, 20, 0.01, List.of()));
        assertThat(r.meta().get("source")).isEqualTo(source);
        assertThat(r.points().stream().map(SourceForgetting.Point::at)).containsExactly("init", "step-20", "step-30",
                "best");
        for (SourceForgetting.Point p : r.points()) {
            // 20 test images: every accuracy is a multiple of 1/20 in [0, 1].
            assertThat(p.headAccuracy() * 20).isBetween(0.0, 20.0).isCloseTo(Math.rint(p.headAccuracy() * 20),
                    org.assertj.core.data.Offset.offset(1e-9));
            assertThat(p.probeAccuracy().keySet()).containsExactlyElementsOf(r.layers());
        }
        assertThat(r.csv().lines().count()).isEqualTo(5);
    }

    /**
     * The probes of a source whose splits are ordered by class (a folder source, as ImageNet's) see every class: ten
     * classes, 20 probe train images and 10 test images, where the first 20 train images hold two classes.
     */
    @Test
    void theProbesOfAClassOrderedSourceSeeEveryClass(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("src");
        for (int c = 0; c < 10; c++) {
            for (int i = 0; i < 12; i++) {
                image(folder.resolve("train").resolve("c" + c).resolve(i + ".png"), c, i);
            }
            for (int i = 0; i < 3; i++) {
                image(folder.resolve("test").resolve("c" + c).resolve(i + ".png"), c, i);
            }
        }
        java.nio.file.Files.createDirectories(dir.resolve("dst"));
        String target = "npz:" + TestNpz.brightSquares(dir.resolve("dst"), 32, 16, 16, 6);
        RunFolder pre = new RunFolder(dir.resolve("pre"));
        Trainer.run(RunSpec.builder("folder:" + folder, "cbr-tiny").task("multiclass").imageSize(16).channels(3)
                .length(4L, null).batchSize(8).threads(1).build(), pre, false, Progress.SILENT);
        RunFolder fine = new RunFolder(dir.resolve("fine"));
        Trainer.run(RunSpec.builder(target, "cbr-tiny").channels(3).length(4L, null).batchSize(8).threads(1)
                .init(new InitScheme.Pretrained()).weights(pre.bestWeights()).build(), fine, false, Progress.SILENT);
        SourceForgetting.Result r = SourceForgetting.measure(fine.dir(), new SourceForgetting.Request(null, null, null,
                null, 20, 10, 0.01, List.of()));
        assertThat(r.meta()).containsEntry("train_images", 20).containsEntry("test_images", 10)
                .containsEntry("train_classes", 10).containsEntry("test_classes", 10).containsEntry("classes", 10);
        assertThat((String) r.meta().get("probe")).contains("20 source train images of 10 of the task's 10 classes")
                .contains("stratified by class");
    }

    private static void image(Path file, int c, int i) throws IOException {
        java.nio.file.Files.createDirectories(file.getParent());
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, (c * 25) << 16 | ((i * 20 + x) & 0xff) << 8 | (y * 30));
            }
        }
        javax.imageio.ImageIO.write(img, "png", file.toFile());
    }
}
