package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One verdict per claim with Holm's correction over its findings (issue 30.4); the arithmetic in comments. */
class FamilyTest {
    private static Finding tested(String claim, Finding.Verdict v, double pFor, double pAgainst) {
        return new Finding("e", claim, "m", v, new Finding.Evidence(pFor, pAgainst, 0.03, "test AUC"));
    }

    @Test
    void holmRejectsStepDownUntilTheFirstPValueAboveItsThreshold() {
        // sorted 0.01, 0.03, 0.04 against 0.05/3 = 0.0167, 0.05/2 = 0.025, 0.05: the first passes, the second
        // fails, so the procedure stops there
        assertThat(Family.holm(new double[] {0.01, 0.04, 0.03}, 0.05)).containsExactly(true, false, false);
        // 0.005 <= 0.0167, 0.02 <= 0.025, 0.04 <= 0.05: all three
        assertThat(Family.holm(new double[] {0.04, 0.005, 0.02}, 0.05)).containsExactly(true, true, true);
        assertThat(Family.holm(new double[] {}, 0.05)).isEmpty();
    }

    @Test
    void aClaimKeepsAFindingsVerdictOnlyWhereHolmStillRejectsInItsDirection() {
        Finding.Verdict r = Finding.Verdict.REPRODUCED;
        Finding.Verdict nr = Finding.Verdict.NOT_REPRODUCED;
        Finding.Verdict i = Finding.Verdict.INCONCLUSIVE;
        List<Family.Summary> s = Family.summarise(List.of(
                // A: three reproduced at 95% each; Holm keeps only p 0.01 (as above)
                tested("A", r, 0.01, 1), tested("A", r, 0.04, 1), tested("A", r, 0.03, 1),
                // B: all three survive (second case above)
                tested("B", r, 0.005, 1), tested("B", r, 0.02, 1), tested("B", r, 0.04, 1),
                // C: a contradiction at p 0.001 (<= 0.05/2) outweighs a reproduction
                tested("C", nr, 1, 0.001), tested("C", r, 0.01, 1),
                // D: only out of scope
                new Finding("e", "D", "out of scope: needs a CBR and ResNet50; this study has cbr-small",
                        Finding.Verdict.OUT_OF_SCOPE),
                // E: a rule without a test keeps its own verdict
                new Finding("e", "E", "m", r)));
        assertThat(s).extracting(Family.Summary::claim).containsExactly("A", "B", "C", "D", "E");
        assertThat(s).extracting(Family.Summary::verdict).containsExactly(i, r, nr, Finding.Verdict.OUT_OF_SCOPE, r);
        assertThat(s.get(0).adjusted()).containsExactly(r, i, i);
        assertThat(s.get(0).text()).startsWith("3 findings: 1 reproduced, 0 not reproduced, 2 inconclusive, after "
                + "Holm's correction over the 3 tests in each direction (family-wise error 5%); 2 verdicts of their "
                + "own did not survive it; smallest effect detectable (80% power): 0.03 test AUC");
        assertThat(s.get(3).text()).startsWith("out of scope: needs a CBR");
        assertThat(s.get(4).text()).isEqualTo("1 finding: 1 reproduced, 0 not reproduced, 0 inconclusive");
    }

    /**
     * Two models whose paired differences are both {-0.02, -0.01, 0, 0.01, 0.02} (+ a constant AUC): each interval
     * (+-t(0.975, 4) se = +-0.01963) lies within +-0.02, so each model reproduces "no gain" on its own, with
     * p = 2 (1 - t.cdf(0.02 / 0.0070711, 4)) = 0.0474 (scipy); two such tests fail Holm's first step (0.0474 &gt;
     * 0.025), so the claim is inconclusive over the two.
     */
    @Test
    void twoBorderlineModelsReproduceAloneButNotAsAFamily() {
        double[] random = {0.80, 0.80, 0.80, 0.80, 0.80};
        double[] transfer = {0.78, 0.79, 0.80, 0.81, 0.82};
        Finding a = Findings.judgePerformance("cbr-small", random, transfer);
        Finding b = Findings.judgePerformance("cbr-tiny", random, transfer);
        assertThat(a.verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(a.evidence().pFor()).isCloseTo(0.047420655584319515, within(1e-6));
        // a mean difference of 0, inside the 0.01 margin: no contradiction is possible
        assertThat(a.evidence().pAgainst()).isEqualTo(1.0);
        Family.Summary s = Family.summarise(List.of(a, b)).get(0);
        assertThat(s.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(s.adjusted()).containsOnly(Finding.Verdict.INCONCLUSIVE);
        // one of them alone keeps its verdict
        assertThat(Family.summarise(List.of(a)).get(0).verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
    }
}
