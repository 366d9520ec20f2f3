package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;

/** User mistakes give a BadInputException with a one-line message naming the input. */
class BadInputTest {

    @TempDir Path tmp;

    static Path resource(String name) {
        try {
            return Path.of(BadInputTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Activations random(int n, int p, long seed, String label) {
        return Activations.of(PropertiesTest.gaussian(n, p, seed)).named(label);
    }

    @Test
    void mismatchedDataPoints() {
        Activations a = random(100, 5, 1, "a.npy");
        Activations b = random(120, 5, 2, "b.npy");
        for (Method m : Method.values()) {
            assertThatThrownBy(() -> Similarity.compute(a, b, EnumSet.of(m), SimilarityOptions.defaults()))
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining("a.npy has 100 data points but b.npy has 120")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void mismatchedSourcesStayMismatchedAfterSubsampling() {
        Activations a = random(100, 5, 1, "a.npy").subsample(50, 0);
        Activations b = random(120, 5, 2, "b.npy").subsample(50, 0);
        assertThat(a.points()).isEqualTo(b.points());
        assertThatThrownBy(() -> Cca.compute(a, b)).isInstanceOf(BadInputException.class).hasMessageContaining("120");
    }

    @Test
    void nonFiniteValues() {
        double[][] x = PropertiesTest.gaussian(10, 3, 1);
        x[4][2] = Double.NaN;
        assertThatThrownBy(() -> Activations.of(x))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("data point 4, neuron 2 is NaN");
        x[4][2] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> Activations.of(x)).isInstanceOf(BadInputException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> Activations.fromNpy(resource("f32_nan_2x2.npy"), ConvMode.FLATTEN, 0, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("f32_nan_2x2.npy")
                .hasMessageContaining("element (1, 0) is NaN");
    }

    @Test
    void emptyArrays() {
        assertThatThrownBy(() -> Activations.of(new double[0][])).isInstanceOf(BadInputException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Activations.of(new double[0], 0, 3)).isInstanceOf(BadInputException.class);
        Path empty = tmp.resolve("empty.npy");
        Npy.write(empty, new long[] {0, 5}, new float[0]);
        assertThatThrownBy(() -> Activations.fromNpy(empty, ConvMode.FLATTEN, 0, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("empty.npy")
                .hasMessageContaining("(0, 5)");
    }

    @Test
    void arraysThatAreNeitherTwoNorFourDimensional() {
        assertThatThrownBy(() -> Activations.fromNpy(resource("f32_1d.npy"), ConvMode.FLATTEN, 0, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("f32_1d.npy")
                .hasMessageContaining("expected a 2-D (points, neurons) or 4-D (N, C, H, W) array, got shape (4,)");
        Path three = tmp.resolve("three.npy");
        Npy.write(three, new long[] {2, 3, 4}, new float[24]);
        assertThatThrownBy(() -> Activations.fromNpy(three, ConvMode.FLATTEN, 0, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("(2, 3, 4)");
    }

    @Test
    void unreadableFiles() {
        assertThatThrownBy(() -> Activations.fromNpy(resource("truncated_2x3.npy"), ConvMode.FLATTEN, 0, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("truncated_2x3.npy");
        assertThatThrownBy(() -> Activations.fromNpy(tmp.resolve("nope.npy"), ConvMode.FLATTEN, 0, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("nope.npy");
    }

    @Test
    void constantInputs() {
        double[][] flat = new double[50][3];
        Activations a = Activations.of(flat).named("dead.npy");
        Activations b = random(50, 3, 3, "b.npy");
        for (Method m : Method.values()) {
            assertThatThrownBy(() -> Similarity.compute(a, b, EnumSet.of(m), SimilarityOptions.defaults()))
                    .as(m.cliName())
                    .isInstanceOf(BadInputException.class)
                    .hasMessageContaining("dead.npy");
        }
    }

    @Test
    void badOptions() {
        assertThatThrownBy(() -> SimilarityOptions.defaults().withKeepVariance(1.5))
                .isInstanceOf(BadInputException.class).hasMessageContaining("keep-variance");
        assertThatThrownBy(() -> SimilarityOptions.defaults().withSigmaFraction(0))
                .isInstanceOf(BadInputException.class).hasMessageContaining("sigma-fraction");
        assertThatThrownBy(() -> Method.parse("cca,bogus"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'bogus'");
        assertThat(Method.parse("all")).containsExactlyInAnyOrder(Method.values());
        assertThat(Method.parse("cka-rbf, cca")).containsExactlyInAnyOrder(Method.CCA, Method.CKA_RBF);
    }
}
