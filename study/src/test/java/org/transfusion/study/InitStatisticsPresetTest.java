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
    void itPlansEverySchemeOnOneModel() {
        StudySpec s = Presets.get("init-statistics", "quick");
        assertThat(s.models()).containsExactly("cbr-small");
        Plan plan = Plan.of(s, dir, null);
        assertThat(new TreeSet<>(plan.runs().stream().map(PlannedRun::scheme).toList())).containsExactlyInAnyOrder(
                "random", "meanvar", "meanvar-channel", "shuffle", "moments", "covariance", "gabor", "gabor+meanvar",
                "pretrained");
        assertThat(plan.runs()).hasSize(9 * s.seeds().size());
        // `all` keeps the paper's three schemes at every scale (the demo's ten minutes have no room for six more
        // runs per seed); the comparison is this preset's.
        for (String scale : Presets.SCALES) {
            assertThat(Presets.get("all", scale).experiments().convergence().schemeNames()).as(scale)
                    .containsExactly("random", "pretrained", "meanvar");
        }
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
