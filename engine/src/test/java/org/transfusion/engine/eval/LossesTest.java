package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Task;

/** Class weights change the loss as torch's weighted losses define it. */
class LossesTest {
    private static final Task TWO_LABELS = new Task("multilabel", Task.Type.MULTILABEL, List.of("a", "b"), raw -> raw);
    private static final Task GRADE = new Task("grade", Task.Type.MULTICLASS, List.of("c0", "c1", "c2"), raw -> raw);

    /** -(w y log s(z) + (1 - y) log(1 - s(z))), the definition in torch's BCEWithLogitsLoss docs, in float64. */
    private static double bce(double z, double y, double posWeight) {
        double s = 1 / (1 + Math.exp(-z));
        return -(posWeight * y * Math.log(s) + (1 - y) * Math.log(1 - s));
    }

    @Test
    void posWeightScalesThePositiveTermOfEachLabel() {
        float[] z = {0.8f, -1.2f, -0.4f, 2.0f, 1.5f, 0.3f};
        float[] y = {1, 0, 0, 1, 1, Float.NaN}; // the last label is unknown: left out of the mean
        double[] w = {3.0, 0.5};
        // By the formula, over the 5 known labels:
        double expected = (bce(0.8, 1, 3.0) + bce(-1.2, 0, 0.5) + bce(-0.4, 0, 3.0) + bce(2.0, 1, 0.5)
                + bce(1.5, 1, 3.0)) / 5;
        // /usr/bin/python3 -c "import torch, torch.nn.functional as F; z=torch.tensor([[0.8,-1.2],[-0.4,2.0],
        // [1.5,0.3]]); y=torch.tensor([[1.,0.],[0.,1.],[1.,0.]]); m=torch.tensor([[1,1],[1,1],[1,0]]).bool();
        // print(F.binary_cross_entropy_with_logits(z,y,pos_weight=torch.tensor([3.0,0.5]),reduction='none')[m]
        // .mean().item())" prints 0.5114607214927673
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(z, new Shape(3, 2));
            double weighted = Losses.weighted(TWO_LABELS, w, logits, y, 3, m).getFloat();
            assertThat(weighted).isCloseTo(expected, within(1e-6));
            assertThat(weighted).isCloseTo(0.5114607214927673, within(1e-6));
            // Weights of 1 are the unweighted loss.
            double ones = Losses.weighted(TWO_LABELS, new double[] {1, 1}, logits, y, 3, m).getFloat();
            double plain = Losses.of(TWO_LABELS, logits, y, 3, m).getFloat();
            double byFormula = (bce(0.8, 1, 1) + bce(-1.2, 0, 1) + bce(-0.4, 0, 1) + bce(2.0, 1, 1)
                    + bce(1.5, 1, 1)) / 5;
            assertThat(ones).isCloseTo(byFormula, within(1e-6));
            assertThat(plain).isCloseTo(byFormula, within(1e-6));
        }
    }

    @Test
    void classWeightsGiveTheWeightedMeanCrossEntropy() {
        float[] z = {2.0f, 0.5f, -1.0f, 0.1f, 1.2f, 0.3f, -0.5f, 0.2f, 2.2f, 1.5f, 1.0f, -0.2f};
        float[] classes = {0, 1, 2, 1};
        double[] w = {0.5, 2.0, 1.5};
        // sum_i w[y_i] (-log softmax(z_i)[y_i]) / sum_i w[y_i], by the formula:
        double num = 0;
        double den = 0;
        for (int i = 0; i < 4; i++) {
            double lse = Math.log(Math.exp(z[3 * i]) + Math.exp(z[3 * i + 1]) + Math.exp(z[3 * i + 2]));
            int c = (int) classes[i];
            num += w[c] * (lse - z[3 * i + c]);
            den += w[c];
        }
        // /usr/bin/python3 -c "import torch, torch.nn.functional as F; print(F.cross_entropy(torch.tensor([[2.0,
        // 0.5,-1.0],[0.1,1.2,0.3],[-0.5,0.2,2.2],[1.5,1.0,-0.2]]), torch.tensor([0,1,2,1]),
        // weight=torch.tensor([0.5,2.0,1.5])).item())" prints 0.6113318204879761
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(z, new Shape(4, 3));
            double weighted = Losses.weighted(GRADE, w, logits, classes, 4, m).getFloat();
            assertThat(weighted).isCloseTo(num / den, within(1e-6));
            assertThat(weighted).isCloseTo(0.6113318204879761, within(1e-6));
        }
    }
}
