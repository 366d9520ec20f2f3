package org.transfusion.engine.probe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.model.CbrNet;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.train.Optimizer;
import org.transfusion.engine.train.TrainStep;

/**
 * A small CBR trained on images whose label is decided only by what lies in the top-left quadrant: positives have
 * a bright blob there (its centre drawn inside the quadrant, away from its edges), every image has the same noise
 * everywhere. The only evidence for a positive is the blob, so a saliency method that works puts most of its heat
 * on the top-left quadrant of the positive images, and both Grad-CAM and occlusion must.
 *
 * <p>The threshold is 60% of the heat in the top-left quadrant, on average over the positives, and the most heat of
 * the four quadrants in every positive image: a map with no preference for the blob puts 25% in each quadrant,
 * and 60% is more than the other three quadrants together. It leaves room for the heat that legitimately spills
 * over the quadrant's edges: the layer's map is 8 x 8 (each cell 4 px), and the occlusion patch (8 px) still covers
 * part of the blob from the neighbouring quadrants.
 */
@Tag("slow") // trains real networks for over 20 s: left out of the fast loop (-Pfast), run by ./mvnw verify
class EvidenceInOneQuadrantTest {
    private static final int SIZE = 32;
    private static final int TRAIN = 2048;
    private static final int TEST = 24;
    private static final double THRESHOLD = 0.6;

    private static Network net;
    private static NDManager manager;
    private static float[] positives;
    private static double accuracy;

    /**
     * {@code count} 1-channel images, normalised values: Gaussian noise (sd 1) everywhere and, for positives, a
     * Gaussian blob of height 3 and sd 2 px centred at a random point 5..11 px from the top and left.
     */
    private static float[] images(SplittableRandom rng, int count, boolean[] positive) {
        float[] x = new float[count * SIZE * SIZE];
        for (int i = 0; i < count; i++) {
            double cx = 5 + 6 * rng.nextDouble();
            double cy = 5 + 6 * rng.nextDouble();
            for (int p = 0; p < SIZE * SIZE; p++) {
                double noise = rng.nextGaussian();
                double dx = p % SIZE + 0.5 - cx;
                double dy = p / SIZE + 0.5 - cy;
                double blob = positive[i] ? 3 * Math.exp(-(dx * dx + dy * dy) / (2 * 2.0 * 2.0)) : 0;
                x[i * SIZE * SIZE + p] = (float) (noise + blob);
            }
        }
        return x;
    }

    @BeforeAll
    static void train() {
        Engine.getInstance().setRandomSeed(7);
        SplittableRandom rng = new SplittableRandom(11);
        CbrNet arch = new CbrNet("cbr-quadrant", 1, 1, new int[] {8, 16, 32}, 3, new boolean[] {true, true, true});
        manager = NDManager.newBaseManager();
        net = Network.create(manager, arch, RandomInit.of(arch, 3));
        Task task = new Task("blob", Task.Type.BINARY, List.of("blob"), l -> l);
        TrainStep step = new TrainStep(net, new Optimizer(OptimizerKind.ADAM, 0.9f, 0f), task);
        int batch = 32;
        for (int s = 0; s < TRAIN / batch; s++) {
            boolean[] positive = new boolean[batch];
            float[] targets = new float[batch];
            for (int i = 0; i < batch; i++) {
                positive[i] = i % 2 == 0;
                targets[i] = positive[i] ? 1 : 0;
            }
            step.run(new Batch(s, batch, 1, SIZE, images(rng, batch, positive), targets, 1), 3e-3f);
        }
        boolean[] all = new boolean[TEST];
        Arrays.fill(all, true);
        positives = images(rng, TEST, all);
        float[] negatives = images(rng, TEST, new boolean[TEST]);
        BatchArrays arrays = new BatchArrays();
        float[] pos = Occlusion.logits(net, arrays, positives, TEST, 1, SIZE);
        float[] neg = Occlusion.logits(net, arrays, negatives, TEST, 1, SIZE);
        int right = 0;
        for (int i = 0; i < TEST; i++) {
            right += (pos[i] > 0 ? 1 : 0) + (neg[i] < 0 ? 1 : 0);
        }
        accuracy = right / (2.0 * TEST);
    }

    @AfterAll
    static void close() {
        net.close();
        manager.close();
    }

    /** The quadrant fractions of each map, checked against the threshold; returns the mean top-left fraction. */
    private static double topLeft(List<HeatMap> maps) {
        double sum = 0;
        for (HeatMap m : maps) {
            double[] q = m.quadrants();
            assertThat(q[0]).as("top-left share %s", Arrays.toString(q)).isGreaterThan(Math.max(q[1], Math.max(q[2], q[3])));
            sum += q[0];
        }
        return sum / maps.size();
    }

    @Test
    void gradCamPutsTheHeatOnTheBlobsQuadrant() {
        assertThat(accuracy).as("the network learned the task").isGreaterThanOrEqualTo(0.95);
        List<HeatMap> maps = GradCam.compute(net, "layer3", positives, TEST, 1, SIZE, GradCam.LARGEST).stream()
                .map(GradCam.Result::map).toList();
        assertThat(topLeft(maps)).isGreaterThanOrEqualTo(THRESHOLD);
    }

    @Test
    void occlusionPutsTheHeatOnTheBlobsQuadrant() {
        assertThat(accuracy).as("the network learned the task").isGreaterThanOrEqualTo(0.95);
        List<HeatMap> maps = Occlusion.compute(net, positives, TEST, 1, SIZE, GradCam.LARGEST,
                Occlusion.Patch.forSide(SIZE)).stream().map(Occlusion.Result::map).toList();
        assertThat(topLeft(maps)).isGreaterThanOrEqualTo(THRESHOLD);
    }
}
