package org.transfusion.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.PatchSampler;
import org.transfusion.engine.data.SegmentationSample;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.eval.AveragePrecision;
import org.transfusion.engine.eval.RocAuc;
import org.transfusion.engine.eval.RunEvaluation;
import org.transfusion.engine.eval.SlidingWindow;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.run.CurvePoint;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.run.record.MetricsRecord;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/** A segmentation run end to end on synthetic vessels: training, the run folder, inference and the written maps. */
@Tag("slow")
class SegmentationTrainerTest {
    static final String DATA = "synthetic:retina-vessels?n=24&size=64";
    static final String MODEL = "unet-cbr-tiny";
    @TempDir static Path dir;
    static RunFolder run;
    static Map<String, Object> metrics;

    static RunSpec spec() {
        return RunSpec.builder(DATA, MODEL).task("segmentation").length(24L, null).batchSize(4).patchSize(32)
                .evalEvery(8).seed(3).threads(1).build();
    }

    @BeforeAll
    static void train() {
        run = new RunFolder(dir.resolve("seg"));
        metrics = Trainer.run(spec(), run, false, Progress.SILENT);
    }

    @Test
    void theRunFolderIsCompleteWithDiceChosenWeightsAndSegmentationMetrics() throws IOException {
        assertThat(run.isComplete()).isTrue();
        List<String> lines = Files.readAllLines(run.curveCsv());
        assertThat(lines.get(0)).isEqualTo("step,train_loss,val_auc,val_loss,lr,train_seconds,val_dice");
        List<CurvePoint> curve = run.curve();
        assertThat(curve).extracting(CurvePoint::step).containsExactly(8L, 16L, 24L);
        MetricsRecord m = run.metricsRecord();
        // the best weights are those of the validation with the highest Dice (the first of equals)
        CurvePoint best = curve.stream().reduce((a, b) -> b.valDice() > a.valDice() ? b : a).orElseThrow();
        assertThat(m.bestStep()).isEqualTo(best.step());
        assertThat(m.test().dice()).isBetween(0.0, 1.0);
        assertThat(m.test().auc()).isBetween(0.0, 1.0);
        assertThat(m.test().perImage()).hasSize(RunSetup.prepare(spec()).segmentation().split(Split.TEST).size());
        assertThat(m.test().diceCi95()).hasSize(2);
        assertThat(m.val().dice()).isCloseTo(best.valDice(), within(5e-6)); // curve rows keep 6 significant digits
        assertThat(metrics).containsKeys("val", "test", "best_step");
        // run.json counts images, not the tiles the probes read
        assertThat(run.runRecord().data().sizes()).isEqualTo(RunSetup.prepare(spec()).segmentation().sizes());
    }

    @Test
    void predictionsRecomputedFromTheWrittenMapsEqualTheReportedMetrics() throws IOException {
        // Reference: the sort-based RocAuc and AveragePrecision of classification and a plain count, over the
        // pixels the 16-bit PNGs hold inside the written field of view, against the synthetic masks.
        Path out = dir.resolve("pred");
        Map<String, Object> said = RunEvaluation.evaluateSegmentation(run.dir(), null, null, Split.TEST, out);
        RunSetup s = RunSetup.prepare(spec());
        var test = s.segmentation().split(Split.TEST);
        List<Double> scores = new ArrayList<>();
        List<Double> labels = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            SegmentationSample sample = test.sample(i);
            BufferedImage map = ImageIO.read(out.resolve(sample.name() + ".png").toFile());
            BufferedImage fov = ImageIO.read(out.resolve(sample.name() + "_fov.png").toFile());
            assertThat(out.resolve(sample.name() + "_overlay.png")).exists();
            assertThat(map.getWidth()).isEqualTo(sample.image().width());
            assertThat(map.getHeight()).isEqualTo(sample.image().height());
            assertThat(map.getColorModel().getComponentSize(0)).isEqualTo(16);
            Raster r = map.getRaster();
            Raster f = fov.getRaster();
            int w = map.getWidth();
            for (int y = 0; y < map.getHeight(); y++) {
                for (int x = 0; x < w; x++) {
                    if (f.getSample(x, y, 0) > 0) {
                        scores.add(r.getSample(x, y, 0) / 65535.0);
                        labels.add(sample.mask()[y * w + x] != 0 ? 1.0 : 0.0);
                    }
                }
            }
        }
        double[] sc = scores.stream().mapToDouble(Double::doubleValue).toArray();
        double[] lb = labels.stream().mapToDouble(Double::doubleValue).toArray();
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < sc.length; i++) {
            tp += sc[i] >= 0.5 && lb[i] == 1 ? 1 : 0;
            fp += sc[i] >= 0.5 && lb[i] == 0 ? 1 : 0;
            fn += sc[i] < 0.5 && lb[i] == 1 ? 1 : 0;
        }
        assertThat((Double) said.get("auc")).isCloseTo(RocAuc.binary(sc, lb), within(1e-9));
        assertThat((Double) said.get("average_precision")).isCloseTo(AveragePrecision.binary(sc, lb), within(1e-9));
        assertThat((Double) said.get("dice")).isCloseTo(2.0 * tp / (2.0 * tp + fp + fn), within(1e-9));
        // and the run's own test block is the same evaluation
        assertThat((Double) said.get("dice")).isCloseTo(run.metricsRecord().test().dice(), within(1e-12));
    }

    @Test
    void slidingWindowOverOneWindowIsTheNetworksOwnPrediction() {
        // An image exactly one window large has one window: the Gaussian-weighted mean of one prediction is it.
        RunSetup s = RunSetup.prepare(spec());
        SegmentationSample sample = s.segmentation().split(Split.TEST).sample(0);
        int h = sample.image().height();
        int w = sample.image().width();
        float[] x = PatchSampler.normalised(sample.image(), s.channels(), s.pipeline().mean(), s.pipeline().std());
        try (NDManager m = NDManager.newBaseManager();
             Network net = Network.create(m, s.arch(), SafeTensors.read(run.bestWeights()))) {
            float[][] blended = SlidingWindow.predict(net, x, s.channels(), h, w, Math.max(h, w));
            NDArray direct = net.forward(m.create(x, new Shape(1, s.channels(), h, w)), false);
            float[] p = direct.getNDArrayInternal().sigmoid().toFloatArray();
            for (int i = 0; i < p.length; i += 17) {
                assertThat(blended[0][i]).isCloseTo(p[i], within(1e-5f));
            }
        }
    }

    @Test
    void segmentationRefusesClassificationSettingsAndModels() {
        assertThatThrownBy(() -> RunSetup.prepare(RunSpec.builder(DATA, "cbr-tiny").task("segmentation").build()))
                .isInstanceOf(BadInputException.class).hasMessageContaining("needs a segmentation model");
        assertThatThrownBy(() -> RunSetup.prepare(spec().toBuilder().patchSize(30).build()))
                .isInstanceOf(BadInputException.class).hasMessageContaining("--patch-size 30");
        assertThatThrownBy(() -> RunSetup.prepare(spec().toBuilder().task(null).build()))
                .isInstanceOf(BadInputException.class).hasMessageContaining("give --task segmentation");
        assertThat(Records.toMap(run.metricsRecord())).containsKey("test");
    }
}
