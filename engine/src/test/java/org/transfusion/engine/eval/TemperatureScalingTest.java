package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Task;

class TemperatureScalingTest {
    private static final Task BINARY = new Task("binary", Task.Type.BINARY, List.of("pos"), raw -> raw);
    private static final Task GRADE = new Task("grade", Task.Type.MULTICLASS, List.of("a", "b", "c"), raw -> raw);

    private static final double[] Z = {2.0, -1.0, 3.5, 0.5, -2.5, 1.5, -0.3, 4.0};
    private static final double[] Y = {1, 0, 1, 0, 0, 1, 1, 0};
    private static final double[] ZC = {
        2.0, 0.5, -1.0,
        0.1, 1.2, 0.3,
        -0.5, 0.2, 2.2,
        1.5, 1.0, -0.2,
        0.0, -1.0, 1.0};
    private static final double[] C = {0, 1, 2, 1, 0};

    @Test
    void nllIsTorchsLossAtTemperatureOne() {
        // /usr/bin/python3 -c "import torch, torch.nn.functional as F; z=torch.tensor([2.0,-1.0,3.5,0.5,-2.5,1.5,
        // -0.3,4.0],dtype=torch.float64); y=torch.tensor([1,0,1,0,0,1,1,0.],dtype=torch.float64);
        // print(F.binary_cross_entropy_with_logits(z,y).item())" prints 0.8246031607094452
        assertThat(TemperatureScaling.sigmoidNll(Z, Y, 1)).isCloseTo(0.8246031607094452, within(1e-14));
        // the same 5 x 3 logits and classes [0,1,2,1,0] through F.cross_entropy print 0.6937388158433679
        assertThat(TemperatureScaling.softmaxNll(ZC, C, 3, 1)).isCloseTo(0.6937388158433679, within(1e-14));
    }

    @Test
    void theFittedTemperatureMinimisesTheNllOverABruteForceGrid() {
        double t = TemperatureScaling.fit(BINARY, Z, Y, Z.length)[0];
        double tc = TemperatureScaling.fit(GRADE, ZC, C, 5)[0];
        assertMinimisesOnGrid(t, x -> TemperatureScaling.sigmoidNll(Z, Y, x));
        assertMinimisesOnGrid(tc, x -> TemperatureScaling.softmaxNll(ZC, C, 3, x));
        // And scipy agrees: /usr/bin/python3 -c "... minimize_scalar(lambda t: F.binary_cross_entropy_with_logits(
        // z/t,y).item(), bounds=(0.01,100), method='bounded', options={'xatol':1e-10}).x" prints 3.4313842625808344;
        // with F.cross_entropy(Z/t,c) on the multiclass logits, 0.8153623806206562.
        assertThat(t).isCloseTo(3.4313842625808344, within(1e-6));
        assertThat(tc).isCloseTo(0.8153623806206562, within(1e-6));
    }

    /** Every T of a log-spaced grid of 200,001 points over [0.01, 100] has an NLL at least the fitted one's. */
    private static void assertMinimisesOnGrid(double fitted, java.util.function.DoubleUnaryOperator nll) {
        double best = Double.POSITIVE_INFINITY;
        double bestT = Double.NaN;
        int n = 200_000;
        double lo = Math.log(0.01);
        double hi = Math.log(100);
        for (int i = 0; i <= n; i++) {
            double t = Math.exp(lo + (hi - lo) * i / n);
            double v = nll.applyAsDouble(t);
            if (v < best) {
                best = v;
                bestT = t;
            }
        }
        assertThat(nll.applyAsDouble(fitted)).isLessThanOrEqualTo(best + 1e-12);
        assertThat(Math.log(fitted)).isCloseTo(Math.log(bestT), within(2 * (hi - lo) / n));
    }

    @Test
    void temperatureOneLeavesProbabilitiesUnchanged() {
        double[] p = TemperatureScaling.probabilities(BINARY, Z, Z.length, new double[] {1});
        for (int i = 0; i < Z.length; i++) {
            assertThat(p[i]).isCloseTo(1 / (1 + Math.exp(-Z[i])), within(1e-15));
        }
        double[] pc = TemperatureScaling.probabilities(GRADE, ZC, 5, new double[] {1, 1, 1});
        for (int i = 0; i < 5; i++) {
            double sum = Math.exp(ZC[3 * i]) + Math.exp(ZC[3 * i + 1]) + Math.exp(ZC[3 * i + 2]);
            for (int k = 0; k < 3; k++) {
                assertThat(pc[3 * i + k]).isCloseTo(Math.exp(ZC[3 * i + k]) / sum, within(1e-15));
            }
        }
    }

    @Test
    void aTemperatureSoftensOrSharpensWithoutReordering() {
        // sigmoid(2 / 2) = sigmoid(1) by hand; order of every pair kept.
        double[] p = TemperatureScaling.probabilities(BINARY, Z, Z.length, new double[] {2});
        assertThat(p[0]).isCloseTo(1 / (1 + Math.exp(-1.0)), within(1e-15));
        for (int i = 0; i < Z.length; i++) {
            for (int j = 0; j < Z.length; j++) {
                assertThat(Double.compare(p[i], p[j])).isEqualTo(Double.compare(Z[i], Z[j]));
            }
        }
    }
}
