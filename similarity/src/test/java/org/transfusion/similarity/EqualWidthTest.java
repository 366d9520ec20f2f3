package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

/**
 * Issue 30.6: two layers of very different widths that changed by the same amount get equal estimates after the
 * width correction, not before. Each layer's "before" is iid standard normal (1,000 points), its "after" is
 * 0.6 x before + 0.8 x fresh noise, per neuron: the same true change for any width; its population linear CKA is
 * rho^2 = 0.36 (isotropic neurons) and every population canonical correlation is 0.6. The raw estimates of a
 * 256-wide layer sit above those of a 32-wide one (numpy, the same construction with its own random draws: SVCCA
 * 0.652 vs 0.604, linear CKA 0.490 vs 0.378; equal width 0.604 vs 0.604 and 0.378 vs 0.378; debiased CKA 0.359 vs
 * 0.358).
 */
class EqualWidthTest {
    private static final int POINTS = 1000;
    private static final double RHO = 0.6;

    /** before, after of one layer of {@code width} neurons changed by RHO. */
    private static Activations[] layer(int width, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] before = new double[POINTS * width];
        double[] after = new double[POINTS * width];
        for (int i = 0; i < before.length; i++) {
            before[i] = gaussian(rng);
            after[i] = RHO * before[i] + Math.sqrt(1 - RHO * RHO) * gaussian(rng);
        }
        return new Activations[] {Activations.of(before, POINTS, width), Activations.of(after, POINTS, width)};
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    @Test
    void aWideAndANarrowLayerWithTheSameChangeAgreeOnlyAfterTheCorrection() {
        Activations[] wide = layer(256, 1);
        Activations[] narrow = layer(32, 2);
        // before: the wide layer looks less changed (higher similarity) on both measures
        double wideSvcca = Svcca.compute(wide[0], wide[1]).mean();
        double narrowSvcca = Svcca.compute(narrow[0], narrow[1]).mean();
        double wideCka = Cka.linear(wide[0], wide[1]);
        double narrowCka = Cka.linear(narrow[0], narrow[1]);
        assertThat(wideSvcca - narrowSvcca).isGreaterThan(0.03);
        assertThat(wideCka - narrowCka).isGreaterThan(0.08);
        // after: equal width (32 neurons, 10 subsets) and debiased CKA agree within sampling noise
        EqualWidth.Result w = EqualWidth.compute(wide[0], wide[1], 32, EqualWidth.DEFAULT_REPEATS, 7);
        EqualWidth.Result nw = EqualWidth.compute(narrow[0], narrow[1], 32, EqualWidth.DEFAULT_REPEATS, 7);
        assertThat(w.width()).isEqualTo(32);
        assertThat(w.repeats()).isEqualTo(10);
        assertThat(nw.repeats()).as("no wider than the width: measured once, whole").isEqualTo(1);
        assertThat(Math.abs(w.svcca() - nw.svcca())).isLessThan(0.015);
        assertThat(Math.abs(w.ckaLinear() - nw.ckaLinear())).isLessThan(0.03);
        double wideDebiased = Cka.linearDebiased(wide[0], wide[1]);
        double narrowDebiased = Cka.linearDebiased(narrow[0], narrow[1]);
        assertThat(Math.abs(wideDebiased - narrowDebiased)).isLessThan(0.03);
        // and near the population value rho^2
        assertThat(wideDebiased).isCloseTo(RHO * RHO, org.assertj.core.data.Offset.offset(0.03));
        assertThat(narrowDebiased).isCloseTo(RHO * RHO, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void theSameSeedGivesTheSameSubsetsAndMismatchedLayersAreRefused() {
        Activations[] wide = layer(64, 3);
        assertThat(EqualWidth.compute(wide[0], wide[1], 16, 4, 5))
                .isEqualTo(EqualWidth.compute(wide[0], wide[1], 16, 4, 5));
        assertThat(EqualWidth.compute(wide[0], wide[1], 16, 4, 5).svcca())
                .isNotEqualTo(EqualWidth.compute(wide[0], wide[1], 16, 4, 6).svcca());
        Activations[] other = layer(32, 4);
        assertThatThrownBy(() -> EqualWidth.compute(wide[0], other[1], 16, 4, 5))
                .isInstanceOf(BadInputException.class).hasMessageContaining("64").hasMessageContaining("32");
    }
}
