package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EffectiveRankTest {
    /**
     * A 12 x 5 matrix a[i][j] = sin(0.7 (5 i + j + 1)) + 0.1 i w[j], w = (1, 2, 0, 0, 1). Reference (numpy 1.x):
     * <pre>
     * a=np.sin(np.arange(1,61).reshape(12,5)*0.7)+np.outer(np.arange(12),[1,2,0,0,1])*0.1
     * c=a-a.mean(0); s=np.linalg.svd(c,compute_uv=False); p=s/s.sum()
     * np.exp(-(p*np.log(p)).sum())                                  -> 2.8532680710246368
     * np.searchsorted(np.cumsum(s**2)/np.sum(s**2),0.99)+1          -> 3
     * </pre>
     */
    @Test
    void matchesNumpyOnAFixedMatrix() {
        double[][] a = new double[12][5];
        double[] w = {1, 2, 0, 0, 1};
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 5; j++) {
                a[i][j] = Math.sin(0.7 * (5 * i + j + 1)) + 0.1 * i * w[j];
            }
        }
        EffectiveRank r = EffectiveRank.of(Activations.of(a));
        // singular values from the Gram matrix's eigenvalues lose about sqrt(eps) on the small ones: 1e-7 here
        assertThat(r.entropy()).isCloseTo(2.8532680710246368, within(1e-6));
        assertThat(r.variance99()).isEqualTo(3.0);
        assertThat(r.points()).isEqualTo(12);
        assertThat(r.neurons()).isEqualTo(5);
    }

    /**
     * A rank-2 matrix b = outer(0..7, (1, -2, 3)) + outer(cos(0..7), (0, 1, 1)): numpy's singular values of the
     * centred matrix are 24.3155, 2.81208 and 6e-16; on the two non-zero ones exp(H) = 1.3952222918171968 and two
     * directions explain 99% of the variance (same one-liners as above, s = s[s > 1e-9 * s[0]]).
     */
    @Test
    void aRankDeficientMatrixCountsOnlyItsDirections() {
        double[][] b = new double[8][3];
        double[] u = {1, -2, 3};
        double[] v = {0, 1, 1};
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 3; j++) {
                b[i][j] = i * u[j] + Math.cos(i) * v[j];
            }
        }
        EffectiveRank r = EffectiveRank.of(Activations.of(b));
        // the third singular value comes out near sqrt(eps) * 24 from the Gram matrix, adding below 1e-6 to exp(H)
        assertThat(r.entropy()).isCloseTo(1.3952222918171968, within(1e-6));
        assertThat(r.variance99()).isEqualTo(2.0);
    }

    /** By hand: equal singular values give their count; one non-zero value gives 1; none gives NaN. */
    @Test
    void limitsByHand() {
        assertThat(EffectiveRank.fromSingularValues(new double[] {2, 2, 2, 2}, 10, 4).entropy())
                .isCloseTo(4.0, within(1e-12));
        assertThat(EffectiveRank.fromSingularValues(new double[] {2, 2, 2, 2}, 10, 4).variance99()).isEqualTo(4.0);
        assertThat(EffectiveRank.fromSingularValues(new double[] {3, 0}, 10, 2).entropy()).isEqualTo(1.0);
        assertThat(EffectiveRank.fromSingularValues(new double[] {3, 0}, 10, 2).variance99()).isEqualTo(1.0);
        double[][] constant = {{1, 2}, {1, 2}, {1, 2}};
        assertThat(EffectiveRank.of(Activations.of(constant)).entropy()).isNaN();
    }
}
