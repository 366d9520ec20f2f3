package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Task;

class RocAucTest {

    @Test
    void scikitLearnDocumentationExample() {
        // sklearn.metrics.roc_auc_score docstring: y_true = [0, 0, 1, 1], y_scores = [0.1, 0.4, 0.35, 0.8] -> 0.75
        double auc = RocAuc.binary(new double[] {0.1, 0.4, 0.35, 0.8}, new double[] {0, 0, 1, 1});
        assertThat(auc).isEqualTo(0.75);
    }

    @Test
    void tiesCountOneHalf() {
        // By hand: positives {0.5, 0.9}, negatives {0.5, 0.1}. Pairs (pos, neg): (0.5,0.5)=1/2, (0.5,0.1)=1,
        // (0.9,0.5)=1, (0.9,0.1)=1 -> 3.5 / 4 = 0.875.
        double auc = RocAuc.binary(new double[] {0.5, 0.9, 0.5, 0.1}, new double[] {1, 1, 0, 0});
        assertThat(auc).isEqualTo(0.875);
    }

    @Test
    void allScoresTiedIsOneHalf() {
        assertThat(RocAuc.binary(new double[] {0.3, 0.3, 0.3}, new double[] {1, 0, 1})).isEqualTo(0.5);
    }

    @Test
    void perfectAndReversedRankings() {
        assertThat(RocAuc.binary(new double[] {0.1, 0.2, 0.8, 0.9}, new double[] {0, 0, 1, 1})).isEqualTo(1.0);
        assertThat(RocAuc.binary(new double[] {0.9, 0.8, 0.2, 0.1}, new double[] {0, 0, 1, 1})).isEqualTo(0.0);
    }

    @Test
    void oneClassPresentIsNaN() {
        assertThat(RocAuc.binary(new double[] {0.1, 0.7}, new double[] {1, 1})).isNaN();
        assertThat(RocAuc.binary(new double[] {0.1, 0.7}, new double[] {0, 0})).isNaN();
    }

    @Test
    void maskedLabelsAreLeftOut() {
        // Same as the sklearn example once the NaN-labelled points (which would otherwise spoil it) are dropped.
        double auc = RocAuc.binary(new double[] {0.1, 0.99, 0.4, 0.35, 0.0, 0.8},
                new double[] {0, Double.NaN, 0, 1, Double.NaN, 1});
        assertThat(auc).isEqualTo(0.75);
    }

    @Test
    void multiLabelMeanSkipsUndefinedLabelsAndWarns() {
        Task task = new Task("multilabel", Task.Type.MULTILABEL, List.of("a", "b"), raw -> raw);
        // label a: the sklearn example (0.75); label b: all positive among known -> NaN, excluded from the mean.
        double[] probs = {0.1, 0.5, 0.4, 0.6, 0.35, 0.7, 0.8, 0.2};
        double[] targets = {0, 1, 0, Double.NaN, 1, 1, 1, 1};
        Metrics m = Metrics.compute(task, probs, targets, 4, 0.0, 0.5);
        assertThat(m.perOutputAuc().get("a")).isEqualTo(0.75);
        assertThat(m.perOutputAuc().get("b")).isNaN();
        assertThat(m.auc()).isEqualTo(0.75);
        assertThat(m.warnings()).singleElement().asString().contains("'b'");
    }

    @Test
    void multiclassIsMacroOneVsRest() {
        Task task = new Task("grade", Task.Type.MULTICLASS, List.of("c0", "c1", "c2"), raw -> raw);
        // 4 images, classes 0, 1, 2, 2. Probabilities per row (c0, c1, c2):
        double[] probs = {
            0.7, 0.2, 0.1,
            0.2, 0.5, 0.3,
            0.1, 0.6, 0.3,
            0.3, 0.1, 0.6};
        double[] targets = {0, 1, 2, 2};
        Metrics m = Metrics.compute(task, probs, targets, 4, 0.0, 0.5);
        // By hand. c0: positive 0.7 vs negatives {0.2, 0.1, 0.3} -> 1.
        // c1: positive 0.5 vs negatives {0.2, 0.6, 0.1} -> 2/3.
        // c2: positives {0.3, 0.6} vs negatives {0.1, 0.3}: (0.3,0.1)=1, (0.3,0.3)=1/2, (0.6,.)=2 -> 3.5/4 = 0.875.
        assertThat(m.perOutputAuc().get("c0")).isEqualTo(1.0);
        assertThat(m.perOutputAuc().get("c1")).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(m.perOutputAuc().get("c2")).isEqualTo(0.875);
        assertThat(m.auc()).isCloseTo((1 + 2.0 / 3 + 0.875) / 3, within(1e-15));
        // argmax: 0, 1, 1, 2 -> 3 of 4 correct.
        assertThat(m.accuracy()).isEqualTo(0.75);
    }

    @Test
    void binarySensitivityAndSpecificityAtThreshold() {
        Task task = new Task("binary", Task.Type.BINARY, List.of("pos"), raw -> raw);
        double[] probs = {0.9, 0.4, 0.6, 0.2, 0.7};
        double[] targets = {1, 1, 0, 0, 1};
        Metrics m = Metrics.compute(task, probs, targets, 5, 0.0, 0.5);
        // predicted positive at >= 0.5: {0.9, 0.6, 0.7}; TP = 2 (0.9, 0.7), FN = 1 (0.4), FP = 1, TN = 1.
        assertThat(m.sensitivity()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(m.specificity()).isEqualTo(0.5);
        assertThat(m.accuracy()).isEqualTo(0.6);
    }
}
