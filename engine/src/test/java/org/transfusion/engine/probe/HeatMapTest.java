package org.transfusion.engine.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HeatMapTest {
    @Test
    void normalisedScalesByMinimumAndMaximum() {
        HeatMap m = HeatMap.normalised(2, 2, new float[] {2, 4, 6, 10});
        assertThat(m.values()).containsExactly(0f, 0.25f, 0.5f, 1f);
    }

    @Test
    void aFlatMapHasNoHeat() {
        HeatMap m = HeatMap.normalised(2, 1, new float[] {3, 3});
        assertThat(m.values()).containsExactly(0f, 0f);
        assertThat(m.quadrants()[0]).isNaN();
        assertThat(m.centreOfMass()[0]).isNaN();
    }

    @Test
    void quadrantsAndCentreOfAnEvenMap() {
        // 4 x 4, heat 1 on the top-left 2 x 2 block and 3 on pixel (3, 3): total 7, top-left 4/7, bottom-right
        // 3/7. Centre of mass: x = (4 * mean(0.5, 1.5) + 3 * 3.5) / 7 / 4 = (4 + 10.5) / 28 = 0.517857...; y the same.
        float[] v = new float[16];
        v[0] = v[1] = v[4] = v[5] = 1;
        v[15] = 3;
        HeatMap m = new HeatMap(4, 4, v);
        assertThat(m.quadrants()).containsExactly(new double[] {4.0 / 7, 0, 0, 3.0 / 7}, within(1e-12));
        assertThat(m.centreOfMass()).containsExactly(new double[] {14.5 / 28, 14.5 / 28}, within(1e-12));
    }

    @Test
    void anOddSidesMiddleLineIsSharedHalfAndHalf() {
        // 3 x 3 with heat only in the centre pixel: a quarter in each quadrant. Heat 1 at (1, 0) (top row, middle
        // column): half top-left, half top-right. Centre of mass of the centre pixel: (1.5 / 3, 1.5 / 3).
        float[] centre = new float[9];
        centre[4] = 2;
        HeatMap c = new HeatMap(3, 3, centre);
        assertThat(c.quadrants()).containsExactly(new double[] {0.25, 0.25, 0.25, 0.25}, within(1e-12));
        assertThat(c.centreOfMass()).containsExactly(new double[] {0.5, 0.5}, within(1e-12));
        float[] top = new float[9];
        top[1] = 1;
        assertThat(new HeatMap(3, 3, top).quadrants()).containsExactly(new double[] {0.5, 0.5, 0, 0}, within(1e-12));
    }
}
