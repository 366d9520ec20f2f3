package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;

/**
 * The second moments the linear measures share (issue 33: a 2-D file read block by block from its mapping, the rows
 * accumulated in ranges on several threads, centring by a BLAS rank-1 update). Expected values are computed here by
 * plain loops in double precision (two-pass: exact means, then products of the centred values), independently of the
 * BLAS path, or compare the file-backed path with the in-memory one.
 */
class FileBackedMomentsTest {

    @TempDir Path tmp;

    /** n x p values, rows with different offsets per column so that centring matters. */
    private static double[] data(int n, int p, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n * p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                v[i * p + j] = 3.0 * j + r.nextGaussian() * (1 + j % 3) + 0.5 * Math.sin(i * 0.01);
            }
        }
        return v;
    }

    /** Sum over rows of (x_i - mean_x)(y_i - mean_y) for columns a of x and b of y, by plain loops. */
    private static double centredProduct(double[] x, int p, int a, double[] y, int q, int b, int n) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i * p + a];
            my += y[i * q + b];
        }
        mx /= n;
        my /= n;
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (x[i * p + a] - mx) * (y[i * q + b] - my);
        }
        return s;
    }

    @Test
    void theMomentsOverSeveralRangesAreTheCentredProducts() {
        int n = 5000;
        int p = 7;
        int q = 5;
        // 5,000 rows of width 12: up to 19 ranges by rows, as many as the machine has cores
        assertThat(Moments.partitions(n, p + q, 2)).isEqualTo(2);
        double[] x = data(n, p, 1);
        double[] y = data(n, q, 2);
        Moments m = Moments.of(Activations.of(x, n, p), Activations.of(y, n, q));
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                double expected = centredProduct(x, p, a, x, p, b, n);
                assertThat(m.cxx[a + b * p]).as("cxx %d %d", a, b).isCloseTo(expected,
                        org.assertj.core.api.Assertions.within(1e-10 * Math.abs(expected) + 1e-9));
            }
            for (int b = 0; b < q; b++) {
                double expected = centredProduct(x, p, a, y, q, b, n);
                assertThat(m.cxy[a + b * p]).as("cxy %d %d", a, b).isCloseTo(expected,
                        org.assertj.core.api.Assertions.within(1e-10 * Math.abs(n) + 1e-9));
            }
        }
        for (int a = 0; a < q; a++) {
            double expected = centredProduct(y, q, a, y, q, a, n);
            assertThat(m.cyy[a + a * q]).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-10 * expected));
        }
        // the rows' squared centred norms (debiased CKA), by the same plain loops
        double[] norms = m.rowNormsX();
        for (int i : new int[] {0, 1234, n - 1}) {
            double expected = 0;
            for (int a = 0; a < p; a++) {
                double mean = 0;
                for (int k = 0; k < n; k++) {
                    mean += x[k * p + a];
                }
                double c = x[i * p + a] - mean / n;
                expected += c * c;
            }
            assertThat(norms[i]).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-10 * expected));
        }
    }

    @Test
    void rangesFollowCoresAndStopAtRowsAndMemory() {
        assertThat(Moments.partitions(50_000, 512, 2)).isEqualTo(2);
        assertThat(Moments.partitions(50_000, 512, 16)).isEqualTo(16);
        assertThat(Moments.partitions(600, 512, 8)).as("a range keeps at least s rows").isEqualTo(1);
        assertThat(Moments.partitions(100, 3, 8)).as("and at least 256 rows").isEqualTo(1);
        // 2^26 doubles of accumulators: at s = 8,192 one 8,192^2 matrix (2^26 values), at 4,096 four of them
        assertThat(Moments.partitions(1_000_000, 16_384, 8)).isEqualTo(1);
        assertThat(Moments.partitions(1_000_000, 8_192, 8)).isEqualTo(1);
        assertThat(Moments.partitions(1_000_000, 4_096, 8)).isEqualTo(4);
        assertThat(Moments.partitions(10_000, 4_096, 2)).as("10,000 x 2,048 a side on two cores").isEqualTo(2);
        assertThat(Moments.blockRows(512)).isEqualTo(2048);
        assertThat(Moments.blockRows(4096)).isEqualTo(256);
        assertThat(Moments.blockRows(8)).isEqualTo(4096);
    }

    @Test
    void aFileIsReadAsStoredAndGivesTheSameMeasuresAsTheValuesInMemory() {
        int n = 3000;
        double[] xv = data(n, 6, 3);
        double[] yv = data(n, 4, 4);
        Path xf = tmp.resolve("x.npy");
        Path yf = tmp.resolve("y.npy");
        Npy.write(xf, new long[] {n, 6}, xv);
        Npy.write(yf, new long[] {n, 4}, yv);
        Activations fx = Activations.fromNpy(xf, ConvMode.FLATTEN, 0, 0);
        Activations fy = Activations.fromNpy(yf, ConvMode.FLATTEN, 0, 0);
        Activations mx = Activations.of(xv, n, 6);
        Activations my = Activations.of(yv, n, 4);
        SimilarityOptions options = SimilarityOptions.defaults();
        String fromFiles = Similarity.compute(fx, fy, Method.parse("cca,svcca,pwcca,cka-linear"), options).toJson();
        String inMemory = Similarity.compute(mx.named(fx.label()), my.named(fy.label()),
                Method.parse("cca,svcca,pwcca,cka-linear"), options).toJson();
        // the same blocks in the same ranges: the same bits
        assertThat(fromFiles).isEqualTo(inMemory);
        assertThat(fx.get(1234, 5)).isEqualTo(xv[1234 * 6 + 5]);
        assertThat(fx.toRowMajor()).containsExactly(xv);
        Activations sub = fx.subsample(100, 9);
        Activations subInMemory = mx.subsample(100, 9);
        assertThat(sub.toRowMajor()).containsExactly(subInMemory.toRowMajor());
    }

    @Test
    void aFloat32FileIsWidenedLikeTheInMemoryValues() {
        int n = 600;
        float[] f = new float[n * 3];
        double[] widened = new double[n * 3];
        Random r = new Random(5);
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (r.nextGaussian() + i % 3);
            widened[i] = f[i];
        }
        Path file = tmp.resolve("f32.npy");
        Npy.write(file, new long[] {n, 3}, f);
        Activations a = Activations.fromNpy(file, ConvMode.FLATTEN, 0, 0);
        Moments fromFile = Moments.of(a, a);
        Moments inMemory = Moments.of(Activations.of(widened, n, 3), Activations.of(widened, n, 3));
        assertThat(fromFile.cxy).containsExactly(inMemory.cxy);
        assertThat(fromFile.meanX).containsExactly(inMemory.meanX);
    }

    @Test
    void aValueThatIsNotFiniteIsFoundWhereverItIsAndHugeFiniteValuesAreNot() {
        int n = 5000;
        double[] v = data(n, 3, 6);
        v[4321 * 3 + 2] = Double.NEGATIVE_INFINITY;
        Path file = tmp.resolve("inf.npy");
        Npy.write(file, new long[] {n, 3}, v);
        assertThatThrownBy(() -> Activations.fromNpy(file, ConvMode.FLATTEN, 0, 0))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("inf.npy: element (4321, 2) is -Infinity; activations must be finite");
        // 1e308 twice overflows the column's sum, yet every value is finite: no error from reading
        double[] huge = data(n, 3, 7);
        huge[10 * 3] = 1e308;
        huge[11 * 3] = 1e308;
        Path hugeFile = tmp.resolve("huge.npy");
        Npy.write(hugeFile, new long[] {n, 3}, huge);
        assertThat(Activations.fromNpy(hugeFile, ConvMode.FLATTEN, 0, 0).get(10, 0)).isEqualTo(1e308);
    }

    @Test
    void aConstantColumnIsFoundInAFile() {
        int n = 700;
        double[] v = data(n, 3, 8);
        for (int i = 0; i < n; i++) {
            v[i * 3 + 1] = 0.1; // 700 x 0.1 does not sum to exactly 70: the mean alone would not tell
        }
        Path file = tmp.resolve("const.npy");
        Npy.write(file, new long[] {n, 3}, v);
        Activations.ColumnStatistics stats = Activations.fromNpy(file, ConvMode.FLATTEN, 0, 0).columnStatistics();
        assertThat(stats.constant()).containsExactly(false, true, false);
    }
}
