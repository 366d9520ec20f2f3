package org.transfusion.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Fixtures;
import org.transfusion.engine.data.InMemorySplit;
import org.transfusion.engine.data.LabelCounts;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.Task;
import org.transfusion.error.BadInputException;

class ClassWeightsTest {
    private static final Task BINARY = new Task("binary", Task.Type.BINARY, List.of("pneumonia"), raw -> raw);
    private static final Task TWO_LABELS = new Task("multilabel", Task.Type.MULTILABEL, List.of("a", "b"), raw -> raw);
    private static final Task GRADE = new Task("grade", Task.Type.MULTICLASS, List.of("c0", "c1", "c2", "c3"),
            raw -> raw);

    /** A split of grey 1 x 1 images with these raw labels. */
    private static InMemorySplit labelled(float[]... labels) {
        return new InMemorySplit(new byte[labels.length], 0, labels.length, 1, 1, 1, labels, null);
    }

    private static float[][] classes(int... counts) {
        int n = java.util.Arrays.stream(counts).sum();
        float[][] labels = new float[n][];
        int i = 0;
        for (int c = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                labels[i++] = new float[] {c};
            }
        }
        return labels;
    }

    @Test
    void autoPosWeightIsNegativesOverPositives() {
        // The PneumoniaMNIST subset's training labels: 388 normal (0), 3494 pneumonia (1) -> 388 / 3494.
        LabelCounts counts = LabelCounts.of(BINARY, labelled(classes(388, 3494)));
        assertThat(counts.positives()).containsExactly(3494);
        assertThat(counts.negatives(0)).isEqualTo(388);
        assertThat(new ClassWeights.Auto().resolve(BINARY, counts)[0]).isCloseTo(388.0 / 3494, within(1e-15));
    }

    @Test
    void autoPerLabelLeavesMaskedLabelsOutAndOneClassLabelsAtOne() {
        float nan = Float.NaN;
        // label a: positives 1, negatives 3 (one masked) -> 3; label b: all 4 known positive -> 1 (no negatives).
        LabelCounts counts = LabelCounts.of(TWO_LABELS, labelled(new float[] {1, 1}, new float[] {0, 1},
                new float[] {0, 1}, new float[] {0, 1}, new float[] {nan, nan}));
        assertThat(counts.known()).containsExactly(4, 4);
        assertThat(new ClassWeights.Auto().resolve(TWO_LABELS, counts)).containsExactly(3.0, 1.0);
    }

    @Test
    void autoMulticlassIsNOverCTimesTheClassCount() {
        // N = 10 images, C = 4 classes of counts 5, 3, 2, 0: 10 / (4 * 5) = 0.5, 10 / 12, 10 / 8; the empty class 1.
        // /usr/bin/python3 -c "from sklearn.utils.class_weight import compute_class_weight as w; import numpy as np;
        // print(w('balanced', classes=np.array([0,1,2]), y=[0]*5+[1]*3+[2]*2))" prints
        // [0.66666667 1.11111111 1.66666667] for C = 3 (10/15, 10/9, 10/6): the same formula.
        LabelCounts counts = LabelCounts.of(GRADE, labelled(classes(5, 3, 2, 0)));
        double[] w = new ClassWeights.Auto().resolve(GRADE, counts);
        assertThat(w[0]).isCloseTo(0.5, within(1e-15));
        assertThat(w[1]).isCloseTo(10.0 / 12, within(1e-15));
        assertThat(w[2]).isCloseTo(10.0 / 8, within(1e-15));
        assertThat(w[3]).isEqualTo(1.0);
    }

    @Test
    void aGivenListNeedsOneWeightPerOutput() {
        LabelCounts counts = LabelCounts.of(GRADE, labelled(classes(1, 1, 1, 1)));
        assertThat(ClassWeights.parse("1,2,0.5,4").resolve(GRADE, counts)).containsExactly(1, 2, 0.5, 4);
        assertThatThrownBy(() -> ClassWeights.parse("1,2").resolve(GRADE, counts))
                .isInstanceOf(BadInputException.class)
                .hasMessage("--class-weights 1,2 gives 2 weights but task 'grade' has 4 outputs (c0, c1, c2, c3): "
                        + "give one per output, or auto");
        assertThat(new ClassWeights.None().resolve(GRADE, counts)).isNull();
    }

    @Test
    void parsesAndWritesItsForms() {
        assertThat(ClassWeights.parse(" AUTO ")).isEqualTo(new ClassWeights.Auto());
        assertThat(ClassWeights.parse("none")).isEqualTo(new ClassWeights.None());
        assertThat(ClassWeights.parse("0.25, 4").spec()).isEqualTo("0.25,4");
        assertThat(ClassWeights.parse(ClassWeights.parse("0.25,4").spec())).isEqualTo(ClassWeights.parse("0.25,4"));
        assertThatThrownBy(() -> ClassWeights.parse("balanced")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("unknown class weights 'balanced' (expected auto, none, or a comma-separated");
        assertThatThrownBy(() -> ClassWeights.parse("1,-2")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("must be positive and finite (at most 1e6, so the loss stays finite), got -2");
        assertThatThrownBy(() -> ClassWeights.parse("1e300")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("got 1e300");
    }

    @Test
    void aBalancedSamplerOnAMultiLabelTaskIsRefusedBeforeTraining(@TempDir Path dir) throws IOException {
        byte[] images = new byte[4 * 16 * 16];
        float[] labels = {1, 0, 0, 1, 0, 1, 0, 0}; // finding a: 1 of 4 images; finding b: 2 of 4
        var arrays = new java.util.LinkedHashMap<String, Fixtures.Array>();
        for (String split : new String[] {"train", "val", "test"}) {
            arrays.put(split + "_images", Fixtures.uint8(images, 4, 16, 16));
            arrays.put(split + "_labels", Fixtures.float32(labels, 4, 2));
        }
        Path npz = Fixtures.npz(dir.resolve("two-findings.npz"), arrays);
        RunSpec spec = RunSpec.builder("npz:" + npz, "cbr-small").sampler(Sampler.BALANCED).steps(1L).build();
        assertThatThrownBy(() -> RunSetup.prepare(spec)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("--sampler balanced draws every class equally often, which needs one class "
                        + "per image; task 'multilabel' is multi-label")
                .hasMessageContaining("use --class-weights auto");
        // The same task weighted instead trains: pos_weight per finding from the training labels (1 of 4 positive
        // for the first finding -> 3; 2 of 4 for the second -> 1).
        RunSetup weighted = RunSetup.prepare(spec.toBuilder().sampler(Sampler.SHUFFLE)
                .classWeights(new ClassWeights.Auto()).build());
        assertThat(weighted.classWeights()).containsExactly(3.0, 1.0);
    }
}
