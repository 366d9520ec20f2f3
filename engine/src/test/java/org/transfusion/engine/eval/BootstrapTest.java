package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Task;

/**
 * The paired bootstrap of the headline AUC: its centre is the plain AUC difference, and for one output its
 * interval agrees with DeLong's paired interval (an independent, closed-form estimate of the same sampling
 * distribution) to within the bootstrap's own resampling noise.
 */
class BootstrapTest {
    private static final Task BINARY = new Task("binary", Task.Type.BINARY, List.of("pos"), raw -> raw);

    /** n images, half positive; model A separates the classes by 1.2 sd, model B by 0.8 sd plus A's noise. */
    private static Evaluator.Scores[] twoModels(int n, long seed) {
        Random r = new Random(seed);
        double[] y = new double[n];
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            double shared = r.nextGaussian();
            a[i] = 1.2 * y[i] + shared;
            b[i] = 0.8 * y[i] + 0.7 * shared + 0.7 * r.nextGaussian();
        }
        return new Evaluator.Scores[] {new Evaluator.Scores(a, y, n, 1, 0), new Evaluator.Scores(b, y, n, 1, 0)};
    }

    @Test
    void forOneOutputTheIntervalMatchesDeLongsPairedInterval() {
        Evaluator.Scores[] m = twoModels(400, 3);
        Bootstrap.Paired boot = Bootstrap.paired(BINARY, m[0], m[1], 4000, 11);
        DeLong.Paired dl = DeLong.paired(m[0].probs(), m[1].probs(), m[0].targets());
        assertThat(boot.difference()).isCloseTo(dl.difference(), within(1e-12));
        assertThat(boot.aucA()).isCloseTo(dl.auc1(), within(1e-12));
        // DeLong: difference +- 1.96 se; percentile bootstrap bounds within 0.01 of it (its Monte Carlo error at
        // 4,000 resamples and this se, about 0.02, is a few thousandths)
        assertThat(boot.low()).isCloseTo(dl.difference() - 1.959964 * dl.se(), within(0.01));
        assertThat(boot.high()).isCloseTo(dl.difference() + 1.959964 * dl.se(), within(0.01));
        assertThat(boot.resamples()).isEqualTo(4000);
        // both tests agree that A is better here (DeLong's p is tiny; so must the bootstrap's share be)
        assertThat(dl.p()).isLessThan(0.01);
        assertThat(boot.p()).isLessThan(0.01);
        assertThat(Bootstrap.paired(BINARY, m[0], m[1], 4000, 11)).as("deterministic for a seed").isEqualTo(boot);
    }

    @Test
    void macroAucOfAMulticlassTaskIsCentredOnMetricsOwnAuc() {
        Task grade = new Task("grade", Task.Type.MULTICLASS, List.of("c0", "c1", "c2"), raw -> raw);
        Random r = new Random(5);
        int n = 300;
        double[] y = new double[n];
        double[] a = new double[n * 3];
        double[] b = new double[n * 3];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int c = 0; c < 3; c++) {
                a[i * 3 + c] = (c == y[i] ? 1.0 : 0) + r.nextGaussian();
                b[i * 3 + c] = r.nextGaussian();
            }
        }
        Evaluator.Scores sa = new Evaluator.Scores(a, y, n, 3, 0);
        Evaluator.Scores sb = new Evaluator.Scores(b, y, n, 3, 0);
        Bootstrap.Paired p = Bootstrap.paired(grade, sa, sb, 500, 1);
        double ma = Metrics.compute(grade, a, y, n, 0, 0.5).auc();
        double mb = Metrics.compute(grade, b, y, n, 0, 0.5).auc();
        assertThat(p.aucA()).isEqualTo(ma);
        assertThat(p.difference()).isCloseTo(ma - mb, within(1e-12));
        assertThat(p.low()).isLessThan(p.difference()).isPositive();
        assertThat(p.high()).isGreaterThan(p.difference());
    }

    @Test
    void percentilesInterpolateLinearlyLikeNumpysDefault() {
        // numpy.percentile([1, 2, 3, 4, 5], [50, 25, 10]) with method='linear' gives 3, 2, 1.4
        double[] v = {1, 2, 3, 4, 5};
        assertThat(Bootstrap.percentile(v, 0.5)).isEqualTo(3);
        assertThat(Bootstrap.percentile(v, 0.25)).isEqualTo(2);
        assertThat(Bootstrap.percentile(v, 0.1)).isCloseTo(1.4, within(1e-12));
        assertThat(Bootstrap.percentile(new double[0], 0.5)).isNaN();
    }

    @Test
    void scoringsOfDifferentImagesAreRefused() {
        Evaluator.Scores[] m = twoModels(40, 1);
        Evaluator.Scores other = new Evaluator.Scores(m[1].probs(), new double[40], 40, 1, 0);
        assertThatThrownBy(() -> Bootstrap.paired(BINARY, m[0], other, 10, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not of the same images");
    }
}
