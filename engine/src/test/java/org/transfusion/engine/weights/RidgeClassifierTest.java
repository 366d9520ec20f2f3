package org.transfusion.engine.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RidgeClassifierTest {

    @Test
    void separatesClassesThatEachLiveOnTheirOwnAxis() {
        // Class c puts 1 + noise on feature c and noise elsewhere: least squares onto one-hot targets is then
        // (up to the ridge) the identity map, so every test point is classified right.
        SplittableRandom rng = new SplittableRandom(1);
        double[][] x = new double[300][3];
        int[] y = new int[300];
        for (int i = 0; i < x.length; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 3; j++) {
                x[i][j] = (j == y[i] ? 1 : 0) + 0.1 * rng.nextGaussian();
            }
        }
        RidgeClassifier c = RidgeClassifier.fit(x, y, 3, 1.0);
        assertThat(c.predict(new double[] {1, 0, 0})).isEqualTo(0);
        assertThat(c.predict(new double[] {0.1, 0.9, 0})).isEqualTo(1);
        assertThat(c.predict(new double[] {0, 0.2, 1.1})).isEqualTo(2);
    }

    @Test
    void constantFeaturesAreIgnoredInsteadOfBreakingTheSolve() {
        // Feature 1 never varies (a dead channel): its standardised value is 0 and lambda keeps the system
        // positive definite; feature 0 alone decides by its sign.
        double[][] x = {{-2, 5}, {-1, 5}, {1, 5}, {2, 5}};
        int[] y = {0, 0, 1, 1};
        RidgeClassifier c = RidgeClassifier.fit(x, y, 2, 0.1);
        assertThat(c.predict(new double[] {-0.5, 7})).isEqualTo(0);
        assertThat(c.predict(new double[] {0.5, -3})).isEqualTo(1);
    }
}
