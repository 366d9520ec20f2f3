package org.transfusion.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.error.BadInputException;

class OperatingPointTest {
    /** 6 positives, 6 negatives, with ties across the classes at 0.7 and 0.4. */
    private static final double[] Y = {1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1};
    private static final double[] S = {0.9, 0.8, 0.7, 0.7, 0.6, 0.55, 0.5, 0.4, 0.4, 0.3, 0.2, 0.1};

    @Test
    void youdenMatchesScikitLearnsRocCurve() {
        // /usr/bin/python3 -c "import numpy as np; from sklearn.metrics import roc_curve;
        // y=[1,0,1,0,1,1,0,0,1,0,0,1]; s=[0.9,0.8,0.7,0.7,0.6,0.55,0.5,0.4,0.4,0.3,0.2,0.1];
        // f,t,th=roc_curve(y,s,drop_intermediate=False); print(th[np.argmax(t-f)])" prints 0.55
        // (J = 4/6 - 2/6 = 1/3 there, its only maximum).
        assertThat(Thresholds.choose(new OperatingPoint.Youden(), S, Y)).isEqualTo(0.55);
    }

    @Test
    void youdenTiesGoToTheHighestThreshold() {
        // y = [1, 0, 1, 0], scores 0.9, 0.8, 0.7, 0.6: J = 1/2 - 0 at 0.9, 1/2 - 1/2 at 0.8, 1 - 1/2 at 0.7, 0 at 0.6;
        // the tie of 0.9 and 0.7 goes to 0.9, as /usr/bin/python3 -c "import numpy as np; from sklearn.metrics
        // import roc_curve; f,t,th=roc_curve([1,0,1,0],[0.9,0.8,0.7,0.6],drop_intermediate=False);
        // print(th[np.argmax(t-f)])" prints 0.9.
        assertThat(Thresholds.choose(new OperatingPoint.Youden(), new double[] {0.9, 0.8, 0.7, 0.6},
                new double[] {1, 0, 1, 0})).isEqualTo(0.9);
    }

    @Test
    void aSensitivityTakesTheHighestThresholdReachingIt() {
        // Positives' scores from the top: 0.9, 0.7, 0.6, 0.55, 0.4, 0.1 (6). Sensitivity >= 0.5 needs 3 of them:
        // threshold 0.6; >= 0.8 needs 5 (4.8 rounded up): 0.4; >= 0.9 needs all 6: 0.1; 5/6 exactly: 0.4.
        assertThat(Thresholds.choose(new OperatingPoint.Sensitivity(0.5), S, Y)).isEqualTo(0.6);
        assertThat(Thresholds.choose(new OperatingPoint.Sensitivity(0.8), S, Y)).isEqualTo(0.4);
        assertThat(Thresholds.choose(new OperatingPoint.Sensitivity(0.9), S, Y)).isEqualTo(0.1);
        assertThat(Thresholds.choose(new OperatingPoint.Sensitivity(5.0 / 6), S, Y)).isEqualTo(0.4);
        assertThat(Thresholds.choose(new OperatingPoint.Threshold(0.35), S, Y)).isEqualTo(0.35);
    }

    @Test
    void undefinedWithoutTheClassesTheRuleNeeds() {
        assertThat(Thresholds.choose(new OperatingPoint.Youden(), new double[] {0.2, 0.3}, new double[] {1, 1}))
                .isNaN();
        assertThat(Thresholds.choose(new OperatingPoint.Sensitivity(0.9), new double[] {0.2, 0.3},
                new double[] {0, 0})).isNaN();
    }

    @Test
    void confusionRatesAtAThresholdMatchScikitLearn() {
        // At 0.55 (scores >= 0.55 positive): /usr/bin/python3 -c "import numpy as np; from sklearn.metrics import
        // confusion_matrix, f1_score, precision_score, recall_score; y=[1,0,1,0,1,1,0,0,1,0,0,1];
        // p=np.array([0.9,0.8,0.7,0.7,0.6,0.55,0.5,0.4,0.4,0.3,0.2,0.1])>=0.55; print(confusion_matrix(y,p).ravel(),
        // f1_score(y,p), precision_score(y,p), recall_score(y,p))" prints [4 2 2 4] (tn fp fn tp) 0.666... x3.
        Confusion c = Confusion.at(S, Y, 0.55);
        assertThat(new long[] {c.tn(), c.fp(), c.fn(), c.tp()}).containsExactly(4, 2, 2, 4);
        assertThat(c.sensitivity()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(c.specificity()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(c.ppv()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(c.npv()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(c.f1()).isCloseTo(2.0 / 3, within(1e-15));
        // At 0.8: TP 1 (0.9), FP 1 (0.8), TN 5, FN 5 -> sens 1/6, spec 5/6, PPV 1/2, NPV 1/2, F1 2/(2+1+5) = 1/4.
        Confusion high = Confusion.at(S, Y, 0.8);
        assertThat(high.sensitivity()).isCloseTo(1.0 / 6, within(1e-15));
        assertThat(high.specificity()).isCloseTo(5.0 / 6, within(1e-15));
        assertThat(high.ppv()).isEqualTo(0.5);
        assertThat(high.npv()).isEqualTo(0.5);
        assertThat(high.f1()).isEqualTo(0.25);
        // Nothing called positive: PPV has no denominator.
        assertThat(Confusion.at(S, Y, 0.95).ppv()).isNaN();
    }

    @Test
    void parsesItsThreeFormsAndRefusesOthersInOneLine() {
        assertThat(OperatingPoint.parse("youden")).isEqualTo(new OperatingPoint.Youden());
        assertThat(OperatingPoint.parse(" Sens:0.9 ")).isEqualTo(new OperatingPoint.Sensitivity(0.9));
        assertThat(OperatingPoint.parse("0.5")).isEqualTo(new OperatingPoint.Threshold(0.5));
        for (String spec : new String[] {"youden", "sens:0.9", "0.5", "0.25", "sens:1"}) {
            assertThat(OperatingPoint.parse(spec).spec()).isEqualTo(spec);
        }
        assertThatThrownBy(() -> OperatingPoint.parse("yuoden")).isInstanceOf(BadInputException.class)
                .hasMessage("unknown operating point 'yuoden' (expected youden, sens:S with S in (0, 1], or a "
                        + "threshold in [0, 1])");
        assertThatThrownBy(() -> OperatingPoint.parse("sens:1.5")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("must lie in (0, 1]");
        assertThatThrownBy(() -> OperatingPoint.parse("2")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("must lie in [0, 1]");
    }
}
