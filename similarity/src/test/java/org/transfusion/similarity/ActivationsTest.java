package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ActivationsTest {

    private static final Path FOUR_D = BadInputTest.resource("f32_4d_2x3x2x2.npy"); // np.arange(24).reshape(2, 3, 2, 2)

    @Test
    void flattenMakesEverySpatialPositionADataPoint() {
        Activations a = Activations.fromNpy(FOUR_D, ConvMode.FLATTEN, 0, 0);
        assertThat(a.points()).isEqualTo(8);
        assertThat(a.neurons()).isEqualTo(3);
        // row (n, h, w), column c holds n*12 + c*4 + h*2 + w
        assertThat(row(a, 0)).containsExactly(0, 4, 8);
        assertThat(row(a, 1)).containsExactly(1, 5, 9);
        assertThat(row(a, 3)).containsExactly(3, 7, 11);
        assertThat(row(a, 4)).containsExactly(12, 16, 20);
        assertThat(row(a, 7)).containsExactly(15, 19, 23);
    }

    @Test
    void poolAveragesOverSpace() {
        Activations a = Activations.fromNpy(FOUR_D, ConvMode.POOL, 0, 0);
        assertThat(a.points()).isEqualTo(2);
        assertThat(row(a, 0)).containsExactly(1.5, 5.5, 9.5);
        assertThat(row(a, 1)).containsExactly(13.5, 17.5, 21.5);
    }

    @Test
    void twoDimensionalFilesAreReadAsIs() {
        Activations a = Activations.fromNpy(BadInputTest.resource("f64_be_2x3.npy"), ConvMode.FLATTEN, 0, 0);
        assertThat(a.toRowMajor()).containsExactly(-1.0, -0.5, 0.0, 0.5, 1.0, 1.5);
        assertThat(a.label()).endsWith("f64_be_2x3.npy");
    }

    @Test
    void subsamplingIsSeededSortedAndTheSameForFilesWithTheSameRows() {
        Activations a = Activations.fromNpy(FOUR_D, ConvMode.FLATTEN, 5, 7);
        Activations again = Activations.fromNpy(FOUR_D, ConvMode.FLATTEN, 5, 7);
        assertThat(a.points()).isEqualTo(5);
        assertThat(a.sourcePoints()).isEqualTo(8);
        assertThat(a.toRowMajor()).containsExactly(again.toRowMajor());
        // rows keep their order: the first column (n*12 + h*2 + w) increases
        for (int i = 1; i < 5; i++) {
            assertThat(a.get(i, 0)).isGreaterThan(a.get(i - 1, 0));
        }
        // in-memory subsampling picks the same rows as reading with a maximum
        Activations all = Activations.fromNpy(FOUR_D, ConvMode.FLATTEN, 0, 0);
        assertThat(all.subsample(5, 7).toRowMajor()).containsExactly(a.toRowMajor());
    }

    @Test
    void rowSamplerIsDistinctAndDependsOnTheSeed() {
        long[] a = RowSampler.choose(1_000_000, 1000, 1);
        assertThat(a).hasSize(1000).doesNotHaveDuplicates().isSorted();
        assertThat(a[999]).isLessThan(1_000_000);
        assertThat(RowSampler.choose(1_000_000, 1000, 1)).containsExactly(a);
        assertThat(RowSampler.choose(1_000_000, 1000, 2)).isNotEqualTo(a);
        assertThat(RowSampler.choose(10, 20, 1)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    private static double[] row(Activations a, int i) {
        double[] r = new double[a.neurons()];
        for (int j = 0; j < r.length; j++) {
            r[j] = a.get(i, j);
        }
        return r;
    }
}
