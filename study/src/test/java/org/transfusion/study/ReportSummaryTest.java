package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report opens with counts of each verdict and what would decide the rest (issue 30, "Also"). */
class ReportSummaryTest {
    @Test
    void countsEachVerdictAndSaysWhatWouldDecideTheRest() {
        List<Finding> findings = List.of(
                Findings.judgePerformance("cbr-small", new double[] {0.8, 0.81, 0.79}, new double[] {0.805, 0.81, 0.8}),
                Findings.judgePerformance("cbr-tiny", new double[] {0.8, 0.81}, new double[] {0.805, 0.81}),
                Findings.judgePerformance("cbr-tiny", new double[] {0.7, 0.8, 0.9}, new double[] {0.75, 0.7, 0.95}),
                Findings.smallLikeLarge(List.of("cbr-small"), m -> new double[] {0.8, 0.8, 0.8}).get(0),
                Findings.largeChangeLess(List.of("cbr-small"), "svcca", m -> new double[] {0.5, 0.5, 0.5}).get(0));
        // by the rules in FindingsTest: reproduced (CI within +-0.02), too few seeds, too wide, two out of scope
        assertThat(findings).extracting(Finding::verdict).containsExactly(Finding.Verdict.REPRODUCED,
                Finding.Verdict.INCONCLUSIVE, Finding.Verdict.INCONCLUSIVE, Finding.Verdict.OUT_OF_SCOPE,
                Finding.Verdict.OUT_OF_SCOPE);
        String h = Report.summary(findings);
        assertThat(h).contains("5 findings: ").contains("1 reproduced").contains("2 inconclusive")
                .contains("2 out of scope").doesNotContain("not reproduced");
        assertThat(h).contains("1 had fewer than 3 paired seeds: run more seeds")
                .contains("1 had an interval too wide to decide")
                .contains("2 are out of scope: they need a CBR and ResNet50 or Inception-v3");
        // the table's verdict column names it too
        assertThat(Report.findingsTable(findings)).contains("<td class='verdict out-of-scope'>out of scope</td>");
    }

    /** Ties at the first validation are not "too few seeds": more seeds would tie too (FindingsTest$Speedup). */
    @Test
    void thresholdsMetAtTheFirstValidationAskForAHigherThresholdNotMoreSeeds() {
        double[] four = {4, 4, 4, 4, 4};
        Finding tied = Findings.judgeSpeedup("convergence", "c", "m", "pretrained", "random", 0.7, four, four, 160, 4);
        String h = Report.summary(List.of(tied));
        assertThat(h).contains("1 compared runs that met the convergence threshold at the first validation: a higher "
                + "threshold").doesNotContain("run more seeds").doesNotContain("too wide");
    }
}
