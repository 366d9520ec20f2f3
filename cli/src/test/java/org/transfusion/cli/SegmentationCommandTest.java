package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `train --task segmentation` refuses bad data and settings in one line before anything is trained or written. */
class SegmentationCommandTest {
    @TempDir Path dir;

    /** A masks: folder of {@code n} 16 x 16 images; image 0's mask is {@code maskSide} wide. */
    private Path folder(int n, int maskSide, int maskValue) throws IOException {
        Path root = dir.resolve("data" + maskSide + "-" + maskValue);
        Files.createDirectories(root.resolve("images"));
        Files.createDirectories(root.resolve("masks"));
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
            ImageIO.write(img, "png", root.resolve("images/im" + i + ".png").toFile());
            int w = i == 0 ? maskSide : 16;
            BufferedImage mask = new BufferedImage(w, 16, BufferedImage.TYPE_BYTE_GRAY);
            mask.getRaster().setSample(1, 1, 0, i == 0 ? maskValue : 1);
            ImageIO.write(mask, "png", root.resolve("masks/im" + i + "_mask.png").toFile());
        }
        return root;
    }

    private CliRun train(Path data, String model, Path out, String... more) {
        String[] base = {"train", "--data", "masks:" + data, "--task", "segmentation", "--model", model, "--steps",
                "2", "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.of(args);
    }

    @Test
    void aMaskOfAnotherSizeIsRefusedNamingItsFileBeforeTraining() throws IOException {
        Path out = dir.resolve("run1");
        CliRun r = train(folder(10, 12, 1), "unet-cbr-tiny", out);
        r.assertOneLineError("im0_mask.png");
        assertThat(r.err()).contains("12").contains("16");
        assertThat(out).doesNotExist();
    }

    @Test
    void aMaskValueOutsideTheClassesIsRefused() throws IOException {
        Path out = dir.resolve("run2");
        CliRun r = train(folder(10, 16, 7), "unet-cbr-tiny", out);
        r.assertOneLineError("im0_mask.png");
        assertThat(r.err()).contains("7");
        assertThat(out).doesNotExist();
    }

    @Test
    void aClassifierOrABadPatchIsRefused() throws IOException {
        Path data = folder(10, 16, 1);
        train(data, "cbr-tiny", dir.resolve("run3")).assertOneLineError("needs a segmentation model");
        train(data, "unet-cbr-tiny", dir.resolve("run4"), "--patch-size", "12")
                .assertOneLineError("--patch-size 12");
        train(data, "unet-cbr-tiny", dir.resolve("run5"), "--image-size", "16")
                .assertOneLineError("--image-size is not used by --task segmentation");
        assertThat(dir.resolve("run3")).doesNotExist();
        assertThat(dir.resolve("run4")).doesNotExist();
        assertThat(dir.resolve("run5")).doesNotExist();
    }

    @Test
    void aStudyComparesItsEncoderWithTheClassificationTaskGivenAndRefusesTheFlagElsewhere() {
        CliRun r = CliRun.of("study", "segmentation", "--scale", "quick", "--data", "chase-db1:/nowhere",
                "--compare-with", "medmnist:retinamnist", "--print");
        assertThat(r.code()).as(r.err()).isZero();
        // the quick scale's classification size and length, task referable unless given
        assertThat(r.out()).contains("compare_with:").contains("data: medmnist:retinamnist")
                .contains("task: referable").contains("image_size: 64").contains("epochs: 3");
        CliRun plan = CliRun.of("study", "segmentation", "--scale", "demo", "--compare-with",
                "synthetic:retina?n=60&size=16", "--compare-task", "grade", "--plan", "--out",
                dir.resolve("plan").toString());
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("run       compare__cbr-small__random__all__s0")
                .contains("run       compare__cbr-small__pretrained__all__s1");
        CliRun.of("study", "all", "--scale", "demo", "--compare-with", "medmnist:retinamnist", "--print")
                .assertOneLineError("--compare-with is for a segmentation study");
        CliRun.of("study", "segmentation", "--scale", "demo", "--compare-task", "grade", "--print")
                .assertOneLineError("--compare-task needs --compare-with");
        CliRun.of("study", "segmentation", "--scale", "demo", "--compare-with", "medmnist:retinamnist",
                "--compare-task", "segmentation", "--print").assertOneLineError("expected a classification task");
    }
}
