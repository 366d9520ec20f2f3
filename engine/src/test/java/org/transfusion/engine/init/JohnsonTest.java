package org.transfusion.engine.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Johnson curves of the {@code moments} scheme: their moments against scipy's, the fit across the feasible
 * region of (skewness, kurtosis), its limits, and draws against the fitted moments. Kurtosis here is the fourth
 * standardised moment (3 for the normal); scipy reports excess kurtosis, 3 less.
 */
class JohnsonTest {

    @Test
    void suMomentsAreScipys() {
        // python3 -c "from scipy import stats; print(stats.johnsonsu(0.5, 1.2).stats('mvsk'))"
        //   -> (-0.6068479843946205, 1.8744163615294327, -1.9576432727670001, 16.86925721104741)
        // python3 -c "from scipy import stats; print(stats.johnsonsu(-1.3, 2.0).stats('mvsk'))"
        //   -> (0.7895183814083138, 0.5014048325509385, 1.0690893182625874, 3.124651616829074)
        double[][] cases = {{0.5, 1.2, -0.6068479843946205, 1.8744163615294327, -1.9576432727670001, 16.86925721104741},
                {-1.3, 2.0, 0.7895183814083138, 0.5014048325509385, 1.0690893182625874, 3.124651616829074}};
        for (double[] c : cases) {
            Johnson.Su su = Johnson.Su.of(c[0], c[1], 1);
            assertThat(su.mean()).isCloseTo(c[2], within(1e-12));
            assertThat(su.sd() * su.sd()).isCloseTo(c[3], within(1e-12));
            assertThat(su.moment(1)).isCloseTo(0, within(1e-10));
            assertThat(su.moment(2)).isCloseTo(1, within(1e-10));
            assertThat(su.moment(3)).isCloseTo(c[4], within(1e-9));
            assertThat(su.moment(4)).isCloseTo(c[5] + 3, within(1e-8));
            // The closed forms the fit uses: |skewness| and kurtosis at w = exp(1 / delta^2), W = |gamma| / delta.
            double w = Math.exp(1 / (c[1] * c[1]));
            assertThat(JohnsonFit.suSkewness(w, Math.abs(c[0]) / c[1])).isCloseTo(Math.abs(c[4]), within(1e-12));
            assertThat(JohnsonFit.suKurtosis(w, Math.abs(c[0]) / c[1])).isCloseTo(c[5] + 3, within(1e-10));
        }
    }

    @Test
    void sbMomentsAreScipys() {
        // python3 -c "from scipy import stats; print(stats.johnsonsb(1, 1).stats('mvsk'))"
        //   -> (0.30326532985439253, 0.03335208940222002, 0.7266702988322644, -0.09222096931348389)
        // python3 -c "from scipy import stats; print(stats.johnsonsb(-0.5, 0.4).stats('mvsk'))"
        //   -> (0.6592452808030959, 0.10440937844179132, -0.6640268579781102, -0.9834754194329705)
        // scipy integrates these numerically (agreeing with scipy.integrate.quad at tight tolerance to ~1e-8).
        double[][] cases = {{1, 1, 0.30326532985439253, 0.03335208940222002, 0.7266702988322644, -0.09222096931348389},
                {-0.5, 0.4, 0.6592452808030959, 0.10440937844179132, -0.6640268579781102, -0.9834754194329705}};
        for (double[] c : cases) {
            Johnson.Sb sb = Johnson.Sb.of(c[0], c[1], 1);
            assertThat(sb.mean()).isCloseTo(c[2], within(1e-8));
            assertThat(sb.sd() * sb.sd()).isCloseTo(c[3], within(1e-8));
            assertThat(sb.moment(3)).isCloseTo(c[4], within(1e-6));
            assertThat(sb.moment(4)).isCloseTo(c[5] + 3, within(1e-6));
            double[] sk = JohnsonFit.sbMoments(c[0], c[1]);
            assertThat(sk[0]).isCloseTo(c[4], within(1e-6));
            assertThat(sk[1]).isCloseTo(c[5] + 3, within(1e-6));
        }
    }

    /**
     * Targets on both sides of the lognormal line, which divides SU from SB. Its kurtosis at skewness s is
     * {@code w^4 + 2 w^3 + 3 w^2 - 3} with {@code (w - 1)(w + 2)^2 = s^2}: python3 -c "from scipy.optimize import
     * brentq; w = brentq(lambda w: (w-1)*(w+2)**2 - s*s, 1, 10); print(w**4 + 2*w**3 + 3*w**2 - 3)" gives 3.4478 at
     * s = 0.5, 4.8293 at s = 1, 7.2503 at s = 1.5. The first rows are layers of MobileNetV2-0.35 (skewness,
     * kurtosis of Conv1, block_16_depthwise, block_1_depthwise, block_13_depthwise).
     */
    @Test
    void fitHitsTargetsAcrossTheFeasibleRegion() {
        Object[][] targets = {{0.848, 7.565, "johnson-su"}, {-1.076, 6.326, "johnson-su"},
                {-0.145, 2.630, "johnson-sb"}, {-0.388, 1.964, "johnson-sb"},
                {0.0, 5.0, "johnson-su"}, {0.0, 1.5, "johnson-sb"}, {0.0, 2.99, "johnson-sb"}, {0.0, 3.01, "johnson-su"},
                {0.5, 3.46, "johnson-su"}, {0.5, 3.43, "johnson-sb"}, {-1.0, 4.9, "johnson-su"}, {1.0, 4.7, "johnson-sb"},
                {1.5, 3.5, "johnson-sb"}, {1.5, 7.3, "johnson-su"}, {0.2, 1.2, "johnson-sb"}, {2.0, 30.0, "johnson-su"},
                {-2.5, 7.4, "johnson-sb"}, {0.01, 40.0, "johnson-su"},
                // Next to the normal point, where SB needs delta in the hundreds: a random-init ResNet50 tensor.
                {-0.0030584767742362798, 2.9999885765895185, "johnson-sb"}, {0.0, 2.9999, "johnson-sb"}};
        for (Object[] t : targets) {
            double s = (double) t[0];
            double k = (double) t[1];
            Johnson j = Johnson.fit(s, k);
            String at = "skewness " + s + ", kurtosis " + k;
            assertThat(j.label()).as(at).isEqualTo(t[2]);
            assertThat(j.moment(1)).as(at).isCloseTo(0, within(1e-9));
            assertThat(j.moment(2)).as(at).isCloseTo(1, within(1e-9));
            assertThat(j.moment(3)).as(at).isCloseTo(s, within(1e-6));
            assertThat(j.moment(4)).as(at).isCloseTo(k, within(1e-6 * k));
        }
    }

    @Test
    void limitsOfTheRegionGetTheLimitingDistributions() {
        assertThat(Johnson.fit(0, 3).label()).isEqualTo("normal");
        // On the lognormal line at skewness 1 (kurtosis from the python line above): the lognormal itself.
        Johnson ln = Johnson.fit(1.0, 4.829308725020978);
        assertThat(ln.label()).isEqualTo("lognormal");
        assertThat(ln.moment(3)).isCloseTo(1.0, within(1e-9));
        assertThat(ln.moment(4)).isCloseTo(4.829308725020978, within(1e-8));
        // On the bound kurtosis = skewness^2 + 1 (a two-valued tensor): two points, exact.
        Johnson two = Johnson.fit(0.5, 1.25);
        assertThat(two.label()).isEqualTo("two-point");
        assertThat(two.moment(3)).isCloseTo(0.5, within(1e-12));
        assertThat(two.moment(4)).isCloseTo(1.25, within(1e-12));
        // Closer to the bound than SB with delta >= 0.01 reaches: two points, skewness kept, kurtosis at the bound.
        Johnson near = Johnson.fit(-0.5, 1.2505);
        assertThat(near.label()).isEqualTo("two-point (approximate)");
        assertThat(near.moment(3)).isCloseTo(-0.5, within(1e-12));
        assertThat(near.moment(4)).isCloseTo(1.25, within(1e-12));
        // Below the bound no distribution exists (rounding could only put a tensor there): the bound's two points.
        assertThat(Johnson.fit(0.5, 1.1).moment(4)).isCloseTo(1.25, within(1e-12));
    }

    /** 200,000 draws of an SB and an SU fit: sample moments within 5 standard errors (see SampleMoments). */
    @Test
    void drawsHaveTheFittedMomentsWithinSamplingError() {
        int n = 200_000;
        for (double[] t : new double[][] {{-0.388, 1.964}, {0.2, 4.5}, {0.0, 3.0}}) {
            Johnson j = Johnson.fit(t[0], t[1]);
            SplittableRandom rng = new SplittableRandom(11);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = j.draw(rng);
            }
            SampleMoments got = SampleMoments.of(x);
            double[] se = SampleMoments.standardErrors(n, 1, SampleMoments.momentsOf(j));
            double[] want = {0, 1, t[0], t[1]};
            for (int m = 0; m < 4; m++) {
                assertThat(got.get(m)).as(j.label() + " moment " + (m + 1)).isCloseTo(want[m], within(5 * se[m]));
            }
            if (t[1] == 3.0) { // the textbook normal-theory errors, as a check of the formulas
                assertThat(se[2]).isCloseTo(Math.sqrt(6.0 / n), within(1e-9));
                assertThat(se[3]).isCloseTo(Math.sqrt(24.0 / n), within(1e-9));
            }
        }
    }
}
