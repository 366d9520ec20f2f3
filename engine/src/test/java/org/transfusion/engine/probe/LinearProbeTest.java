package org.transfusion.engine.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

class LinearProbeTest {

    /** Rows a..b-1 of a fixed, overlapping 3-class problem: quasi-random cosines plus a weak class signal. */
    private static double[][] x(int a, int b) {
        double[][] out = new double[b - a][5];
        for (int i = a; i < b; i++) {
            for (int j = 0; j < 5; j++) {
                out[i - a][j] = Math.cos(0.37 * (double) i * i + 1.9 * j + 0.1 * i * j) + (i % 3 == j % 3 ? 0.6 : 0);
            }
        }
        return out;
    }

    private static int[] y(int a, int b) {
        int[] out = new int[b - a];
        for (int i = a; i < b; i++) {
            out[i - a] = i % 3;
        }
        return out;
    }

    /**
     * The same objective minimised by SciPy's L-BFGS on the same standardised features gives these predictions
     * (117 of 150 test rows right, 218 of 300 train rows):
     * <pre>
     * i=np.arange(a,b); y=i%3; j=np.arange(5)
     * x=np.cos(0.37*i[:,None]**2+1.9*j[None,:]+0.1*i[:,None]*j[None,:])+0.6*(y[:,None]==(j[None,:]%3))
     * z=(x-mu)/sd  (mu, sd: population statistics of the 300 train rows)
     * f(W,b)=mean(logsumexp(zW'+b)-(zW'+b)[y]) + 0.01/2*||W||^2 ; scipy.optimize.minimize(f, 0, 'L-BFGS-B')
     * </pre>
     */
    @Test
    void matchesScipyOnTheSameObjective() {
        LinearProbe p = LinearProbe.fit(x(0, 300), y(0, 300), 3, 0.01, 1000);
        int[] predicted = p.predict(x(300, 450));
        StringBuilder s = new StringBuilder();
        for (int v : predicted) {
            s.append(v);
        }
        assertThat(s.toString()).isEqualTo("012012012212000021012010012012212012022112012012012012012012012012012022011"
                + "022012002212012012012100001102002011212012012012012012012022002012211021200");
        assertThat(p.accuracy(x(300, 450), y(300, 450))).isEqualTo(117.0 / 150);
        assertThat(p.accuracy(x(0, 300), y(0, 300))).isEqualTo(218.0 / 300);
    }

    @Test
    void separableClassesAreReadPerfectly() {
        // Class k sits at 5 * e_k plus a small bounded wiggle: any sensible linear read-out gets every row right.
        double[][] x = new double[90][3];
        int[] y = new int[90];
        for (int i = 0; i < 90; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 3; j++) {
                x[i][j] = (j == y[i] ? 5 : 0) + 0.5 * Math.sin(i * 1.7 + j);
            }
        }
        assertThat(LinearProbe.fit(x, y, 3, 1e-3, 500).accuracy(x, y)).isEqualTo(1.0);
    }

    @Test
    void refusesLabelsOutsideTheClasses() {
        assertThatThrownBy(() -> LinearProbe.fit(new double[][] {{1}, {2}}, new int[] {0, 3}, 2, 0.1, 10))
                .isInstanceOf(BadInputException.class).hasMessageContaining("label 3 of row 1");
    }
}
