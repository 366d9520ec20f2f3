package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AveragePrecisionTest {

    @Test
    void scikitLearnDocumentationExample() {
        // sklearn.metrics.average_precision_score docstring: y_true = [0, 0, 1, 1], y_scores = [0.1, 0.4, 0.35, 0.8]
        // -> 0.83...; /usr/bin/python3 -c "from sklearn.metrics import average_precision_score as a;
        // print(a([0,0,1,1],[0.1,0.4,0.35,0.8]))" prints 0.8333333333333333. By hand, from the highest score down:
        // 0.8 (pos) P=1 R=1/2; 0.4 (neg) P=1/2 R=1/2; 0.35 (pos) P=2/3 R=1; 0.1 (neg) P=1/2 R=1:
        // AP = 1/2 * 1 + 1/2 * 2/3 = 5/6.
        double ap = AveragePrecision.binary(new double[] {0.1, 0.4, 0.35, 0.8}, new double[] {0, 0, 1, 1});
        assertThat(ap).isCloseTo(5.0 / 6, within(1e-15));
    }

    @Test
    void tiedScoresEnterTogetherWithoutInterpolation() {
        // /usr/bin/python3 -c "from sklearn.metrics import average_precision_score as a;
        // print(repr(a([1,0,1,0,1,1,0,0,1,0,0,1],[0.9,0.8,0.7,0.7,0.6,0.55,0.5,0.4,0.4,0.3,0.2,0.1])))"
        // prints 0.637037037037037. By hand, recall steps of 1/6 at precisions 1, 2/4, 3/5, 4/6, 5/9, 6/12:
        // (1 + 1/2 + 3/5 + 2/3 + 5/9 + 1/2) / 6 = 0.6370370...
        double[] y = {1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1};
        double[] s = {0.9, 0.8, 0.7, 0.7, 0.6, 0.55, 0.5, 0.4, 0.4, 0.3, 0.2, 0.1};
        assertThat(AveragePrecision.binary(s, y)).isCloseTo(0.637037037037037, within(1e-15));
        assertThat(AveragePrecision.binary(s, y))
                .isCloseTo((1 + 0.5 + 3.0 / 5 + 2.0 / 3 + 5.0 / 9 + 0.5) / 6, within(1e-15));
    }

    @Test
    void maskedLabelsAreLeftOutAndNoPositivesIsUndefined() {
        double ap = AveragePrecision.binary(new double[] {0.1, 0.99, 0.4, 0.35, 0.0, 0.8},
                new double[] {0, Double.NaN, 0, 1, Double.NaN, 1});
        assertThat(ap).isCloseTo(5.0 / 6, within(1e-15));
        assertThat(AveragePrecision.binary(new double[] {0.3, 0.6}, new double[] {0, 0})).isNaN();
        // All positive: precision 1 at every threshold.
        assertThat(AveragePrecision.binary(new double[] {0.3, 0.6}, new double[] {1, 1})).isEqualTo(1.0);
    }
}
