package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;

class SaliencyCommandTest {
    @TempDir static Path dir;
    private static Path run;

    /** A few steps of cbr-small on 16 px synthetic fundus images: a real run folder, made in a second or two. */
    @BeforeAll
    static void train() {
        run = dir.resolve("run");
        CliRun r = CliRun.of("train", "--data", "synthetic:retina?n=200&size=16", "--model", "cbr-small", "--task",
                "referable", "--steps", "4", "--batch-size", "8", "--eval-every", "2", "--out", run.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static BufferedImage png(Path file) throws Exception {
        BufferedImage img = ImageIO.read(file.toFile());
        assertThat(img).as(file.toString()).isNotNull();
        return img;
    }

    @Test
    void writesOverlaysAContactSheetAndSaliencyJson() throws Exception {
        Path out = dir.resolve("both");
        CliRun r = CliRun.of("saliency", run.toString(), "--images", "3", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("contact-sheet.png (columns: input | Grad-CAM layer4 | occlusion)");
        // 16 px inputs are drawn 8 times larger (the least integer factor reaching 128 px).
        for (int i = 0; i < 3; i++) {
            for (String method : new String[] {"gradcam", "occlusion"}) {
                BufferedImage overlay = png(out.resolve("image-00" + i + "-" + method + ".png"));
                assertThat(overlay.getWidth()).isEqualTo(128);
                assertThat(overlay.getHeight()).isEqualTo(128);
            }
        }
        assertThat(out.resolve("image-003-gradcam.png")).doesNotExist();
        // 3 rows x 3 columns of 128 px pictures, 4 px apart, under a 20 px strip of column titles.
        BufferedImage sheet = png(out.resolve("contact-sheet.png"));
        assertThat(sheet.getWidth()).isEqualTo(4 + 3 * (128 + 4));
        assertThat(sheet.getHeight()).isEqualTo(20 + 4 + 3 * (128 + 4));

        JsonNode json = Json.read(out.resolve("saliency.json"));
        assertThat(json.get("run").asText()).isEqualTo(run.toString());
        assertThat(json.get("model").asText()).isEqualTo("cbr-small");
        assertThat(json.get("layer").asText()).isEqualTo("layer4");
        assertThat(json.get("method").asText()).isEqualTo("both");
        assertThat(json.get("split").asText()).isEqualTo("test");
        // 16 px: a 4 px patch every 2 px; layer4 of cbr-small comes after three halvings: 2 x 2.
        assertThat(json.at("/occlusion_patch/size").asInt()).isEqualTo(4);
        assertThat(json.at("/occlusion_patch/stride").asInt()).isEqualTo(2);
        JsonNode images = json.get("images");
        assertThat(images).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode image = images.get(i);
            assertThat(image.get("index").asInt()).isEqualTo(i);
            assertThat(image.get("label").asDouble()).isIn(0.0, 1.0);
            assertThat(image.get("output").asInt()).isZero(); // a binary task has one output
            assertThat(image.get("score").isNumber()).isTrue();
            assertThat(image.at("/gradcam/layer_map").toString()).isEqualTo("[2,2]");
            for (String method : new String[] {"gradcam", "occlusion"}) {
                JsonNode q = image.at("/" + method + "/quadrants");
                if (q.get("top_left").isNull()) {
                    continue; // a map without heat has no shares
                }
                double sum = q.get("top_left").asDouble() + q.get("top_right").asDouble()
                        + q.get("bottom_left").asDouble() + q.get("bottom_right").asDouble();
                assertThat(sum).isCloseTo(1, within(1e-9));
                assertThat(image.at("/" + method + "/centre_of_mass/x").asDouble()).isBetween(0.0, 1.0);
            }
        }
    }

    @Test
    void gradCamAloneAtInitialisationAndAnEarlierLayer() throws Exception {
        Path out = dir.resolve("init");
        CliRun r = CliRun.of("saliency", run.toString(), "--images", "1", "--method", "gradcam", "--layer", "layer2",
                "--at", "init", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("image-000-gradcam.png")).exists();
        assertThat(out.resolve("image-000-occlusion.png")).doesNotExist();
        assertThat(png(out.resolve("contact-sheet.png")).getWidth()).isEqualTo(4 + 2 * (128 + 4));
        JsonNode json = Json.read(out.resolve("saliency.json"));
        assertThat(json.get("at").asText()).isEqualTo("init");
        assertThat(json.at("/images/0/gradcam/layer_map").toString()).isEqualTo("[8,8]");
        assertThat(json.at("/images/0/occlusion").isMissingNode()).isTrue();
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("not-a-run"));
        Path out = dir.resolve("nothing");
        CliRun.of("saliency", empty.toString(), "--images", "2", "--out", out.toString())
                .assertOneLineError("not-a-run: not a run folder (no run.json)");
        CliRun.of("saliency", run.toString(), "--images", "2", "--layer", "layer9", "--out", out.toString())
                .assertOneLineError("layer 'layer9' is not a layer of cbr-small (valid: layer1, layer2, layer3, layer4)");
        CliRun.of("saliency", run.toString(), "--images", "2", "--layer", "pool", "--out", out.toString())
                .assertOneLineError("layer 'pool' has no spatial map");
        CliRun.of("saliency", run.toString(), "--images", "0", "--out", out.toString())
                .assertOneLineError("--images must be at least 1, got 0");
        CliRun.of("saliency", run.toString(), "--images", "2", "--method", "heatmap", "--out", out.toString())
                .assertOneLineError("unknown --method 'heatmap' (expected gradcam, occlusion or both)");
        CliRun.of("saliency", run.toString(), "--images", "2", "--output", "1", "--out", out.toString())
                .assertOneLineError("--output 1 is not an output of cbr-small (it has 1 output: 0)");
        CliRun.of("saliency", run.toString(), "--images", "2", "--at", "last", "--out", out.toString())
                .assertOneLineError("--at must be init or best, got 'last'");
        assertThat(out).doesNotExist();
    }
}
