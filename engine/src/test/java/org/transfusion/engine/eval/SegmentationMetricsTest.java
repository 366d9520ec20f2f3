package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {

    @Test
    void countsByHandOnATinyImage() {
        // 3 x 2 image, fov excludes the last pixel. Probabilities and truth:
        //   p     = 0.9  0.6  0.4  0.2  0.7  0.95(outside)
        //   truth = 1    0    1    0    1    1
        // at 0.5: tp = {0.9, 0.7} = 2, fp = {0.6} = 1, fn = {0.4} = 1, tn = {0.2} = 1.
        // Dice = 2*2 / (2*2 + 1 + 1) = 4/6; IoU = 2 / 4; sens 2/3; spec 1/2; acc 3/5.
        // AUC: positives {0.9, 0.4, 0.7}, negatives {0.6, 0.2}: pairs won 0.9>0.6, 0.9>0.2, 0.4>0.2, 0.7>0.6,
        // 0.7>0.2 = 5 of 6.
        // AP: thresholds 0.9 (tp1 fp0: P 1, R 1/3), 0.7 (tp2: P 1, R 2/3), 0.6 (tp2 fp1: P 2/3, R 2/3),
        // 0.4 (tp3 fp1: P 3/4, R 1), 0.2: R unchanged -> 1/3 + 1/3 + 0 + (1/3)(3/4) = 0.91666...
        float[] p = {0.9f, 0.6f, 0.4f, 0.2f, 0.7f, 0.95f};
        byte[] mask = {1, 0, 1, 0, 1, 1};
        byte[] fov = {1, 1, 1, 1, 1, 0};
        SegmentationMetrics.ImageCounts c = SegmentationMetrics.ImageCounts.of("a", p, mask, fov, 1);
        SegmentationMetrics.Scores s = SegmentationMetrics.scores(c.pos, c.neg);
        assertThat(s.tp()).isEqualTo(2);
        assertThat(s.fp()).isEqualTo(1);
        assertThat(s.fn()).isEqualTo(1);
        assertThat(s.tn()).isEqualTo(1);
        assertThat(s.dice()).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(s.iou()).isCloseTo(0.5, within(1e-12));
        assertThat(s.sensitivity()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.specificity()).isCloseTo(0.5, within(1e-12));
        assertThat(s.accuracy()).isCloseTo(0.6, within(1e-12));
        assertThat(s.auc()).isCloseTo(5.0 / 6, within(1e-12));
        assertThat(s.averagePrecision()).isCloseTo(1.0 / 3 + 1.0 / 3 + 0.25, within(1e-12));
    }

    @Test
    void halfIsForegroundAtTheSixteenBitLevel() {
        // 0.5 * 65535 = 32767.5 rounds to 32768 = HALF: foreground. The largest float below 0.5 rounds to 32768
        // too (32767.49999...), 0.4999 to 32761: background.
        assertThat(SegmentationMetrics.level(0.5f)).isEqualTo(SegmentationMetrics.HALF);
        assertThat(SegmentationMetrics.level(0.4999f)).isEqualTo(32761);
        assertThat(SegmentationMetrics.level(1f)).isEqualTo(65535);
        assertThat(SegmentationMetrics.level(0f)).isZero();
    }

    @Test
    void pooledAucAndApEqualTheClassificationImplementationsOnTheQuantisedScores() {
        // Reference: RocAuc.binary and AveragePrecision.binary (sort-based, exact) over the same pixels' 16-bit
        // scores, pooled over three images of random probabilities with many ties at 16 bits.
        SplittableRandom rng = new SplittableRandom(7);
        List<SegmentationMetrics.ImageCounts> images = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<Double> labels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = 5000;
            float[] p = new float[n];
            byte[] mask = new byte[n];
            byte[] fov = new byte[n];
            for (int k = 0; k < n; k++) {
                mask[k] = (byte) (rng.nextDouble() < 0.15 ? 1 : 0);
                p[k] = (float) Math.min(1, Math.max(0, (mask[k] == 1 ? 0.3 : 0) + 0.7 * rng.nextDouble()));
                if (k % 50 == 0) {
                    p[k] = 0.5f; // ties
                }
                fov[k] = (byte) (rng.nextDouble() < 0.9 ? 1 : 0);
                if (fov[k] == 1) {
                    scores.add(SegmentationMetrics.level(p[k]) / 65535.0);
                    labels.add((double) mask[k]);
                }
            }
            images.add(SegmentationMetrics.ImageCounts.of("img" + i, p, mask, fov, 1));
        }
        double[] sc = scores.stream().mapToDouble(Double::doubleValue).toArray();
        double[] lb = labels.stream().mapToDouble(Double::doubleValue).toArray();
        SegmentationMetrics.Result r = SegmentationMetrics.of(images, 200, 1);
        assertThat(r.pooled().auc()).isCloseTo(RocAuc.binary(sc, lb), within(1e-12));
        assertThat(r.pooled().averagePrecision()).isCloseTo(AveragePrecision.binary(sc, lb), within(1e-12));
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < sc.length; i++) {
            boolean said = sc[i] >= 0.5;
            tp += said && lb[i] == 1 ? 1 : 0;
            fp += said && lb[i] == 0 ? 1 : 0;
            fn += !said && lb[i] == 1 ? 1 : 0;
        }
        assertThat(r.pooled().dice()).isCloseTo(2.0 * tp / (2.0 * tp + fp + fn), within(1e-12));
        assertThat(r.perImage()).hasSize(3);
        assertThat(r.diceCi95()[0]).isLessThanOrEqualTo(r.pooled().dice());
        assertThat(r.diceCi95()[1]).isGreaterThanOrEqualTo(r.pooled().dice());
        assertThat(r.aucCi95()[0]).isLessThan(r.aucCi95()[1]);
    }

    @Test
    void oneImageHasNoInterval() {
        float[] p = {0.9f, 0.1f};
        SegmentationMetrics.ImageCounts c = SegmentationMetrics.ImageCounts.of("a", p, new byte[] {1, 0},
                new byte[] {1, 1}, 1);
        SegmentationMetrics.Result r = SegmentationMetrics.of(List.of(c), 100, 1);
        assertThat(r.pooled().dice()).isEqualTo(1.0);
        assertThat(r.diceCi95()[0]).isNaN();
        assertThat(r.resamples()).isZero();
    }

    @Test
    void percentilesInterpolateAsNumpy() {
        // numpy.percentile([1, 2, 3, 4, 5], [2.5, 97.5]) = [1.1, 4.9]
        double[] q = SegmentationMetrics.percentiles(new double[] {5, 1, 3, 2, 4});
        assertThat(q[0]).isCloseTo(1.1, within(1e-12));
        assertThat(q[1]).isCloseTo(4.9, within(1e-12));
    }
}
