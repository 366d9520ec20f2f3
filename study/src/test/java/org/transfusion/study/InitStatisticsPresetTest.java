package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The init-statistics comparison: Mean Var beside the schemes that keep more of the pretrained statistics. */
class InitStatisticsPresetTest {
    @TempDir Path dir;

    @Test
    void itPlansEverySchemeOnOneModelAndJoinsTheDemo() {
        StudySpec s = Presets.get("init-statistics", "quick");
        assertThat(s.models()).containsExactly("cbr-small");
        Plan plan = Plan.of(s, dir, null);
        assertThat(new TreeSet<>(plan.runs().stream().map(PlannedRun::scheme).toList())).containsExactlyInAnyOrder(
                "random", "meanvar", "meanvar-channel", "shuffle", "moments", "covariance", "gabor", "gabor+meanvar",
                "pretrained");
        assertThat(plan.runs()).hasSize(9 * s.seeds().size());
        // At demo scale `all` holds the same comparison (one model there, so it is cheap); at quick scale `all`
        // keeps the paper's three schemes.
        assertThat(Presets.get("all", "demo").experiments().convergence().schemeNames())
                .isEqualTo(ConvergenceExperiment.INIT_STATISTICS);
        assertThat(Presets.get("all", "quick").experiments().convergence().schemeNames())
                .containsExactly("random", "pretrained", "meanvar");
        assertThat(Presets.get("init-statistics", "paper").models()).containsExactly("resnet50");
    }

    @Test
    void eachSchemeBeyondMeanVarIsAlsoJudgedAgainstMeanVar() {
        assertThat(ConvergenceExperiment.BEYOND_MEANVAR).allSatisfy(s ->
                assertThat(ConvergenceExperiment.INIT_STATISTICS).contains(s));
        assertThat(ConvergenceExperiment.beyondMeanVarClaim("moments")).contains("'moments'")
                .contains("than Mean Var");
    }
}
