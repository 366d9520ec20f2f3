package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SegmentationLossTest {

    @Test
    void binaryIsFieldOfViewMaskedBcePlusBatchSoftDice() {
        // Reference: the formula of the class javadoc computed in doubles here, pixel by pixel.
        float[] z = {2f, -1f, 0.5f, -3f, 1.5f, 0f, 4f, -2f};
        byte[] y = {1, 0, 1, 0, 0, 1, 1, 1};
        byte[] fov = {1, 1, 1, 1, 1, 1, 0, 0};
        double bce = 0;
        double inter = 0;
        double ps = 0;
        double ys = 0;
        int inside = 0;
        for (int i = 0; i < z.length; i++) {
            if (fov[i] == 0) {
                continue;
            }
            double p = 1 / (1 + Math.exp(-z[i]));
            bce += -(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
            inter += p * y[i];
            ps += p;
            ys += y[i];
            inside++;
        }
        double expected = bce / inside + 1 - (2 * inter + 1) / (ps + ys + 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(z, new Shape(2, 1, 2, 2));
            double loss = SegmentationLoss.of(logits, y, fov, m).getFloat();
            assertThat(loss).isCloseTo(expected, within(1e-5));
        }
    }

    @Test
    void severalClassesIsCrossEntropyPlusMeanForegroundDice() {
        // 3 classes, 1 image of 1 x 3 pixels, all inside. Reference in doubles: CE mean over pixels, Dice per class
        // 1 and 2 of softmax probabilities against one-hot, mean of (1 - dice).
        float[][] logit = {{1f, 0f, -1f}, {0.5f, 2f, 0f}, {-1f, 0.2f, 3f}}; // [class][pixel]
        byte[] y = {0, 1, 2};
        byte[] fov = {1, 1, 1};
        double ce = 0;
        double[][] p = new double[3][3];
        for (int px = 0; px < 3; px++) {
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                sum += Math.exp(logit[c][px]);
            }
            for (int c = 0; c < 3; c++) {
                p[c][px] = Math.exp(logit[c][px]) / sum;
            }
            ce -= Math.log(p[y[px]][px]);
        }
        ce /= 3;
        double dice = 0;
        for (int c = 1; c < 3; c++) {
            double inter = 0;
            double card = 0;
            for (int px = 0; px < 3; px++) {
                double t = y[px] == c ? 1 : 0;
                inter += p[c][px] * t;
                card += p[c][px] + t;
            }
            dice += 1 - (2 * inter + 1) / (card + 1);
        }
        double expected = ce + dice / 2;
        float[] flat = new float[9];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(logit[c], 0, flat, c * 3, 3);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(flat, new Shape(1, 3, 1, 3));
            assertThat((double) SegmentationLoss.of(logits, y, fov, m).getFloat()).isCloseTo(expected, within(1e-5));
        }
    }
}
