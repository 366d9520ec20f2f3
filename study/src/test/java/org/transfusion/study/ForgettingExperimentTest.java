package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.probe.SourceForgetting;

class ForgettingExperimentTest {

    @Test
    void plansEverySchemeOfTheCbrsOnEverySeedWithSnapshots(@TempDir Path dir) {
        StudySpec spec = Presets.get("forgetting", "demo");
        Plan plan = Plan.of(spec, dir, null);
        // demo: cbr-small, seeds 0 and 1, schemes random (the probes' baseline), pretrained, transfusion:layer2 and
        // slim (on cbr-small-slim).
        assertThat(plan.runs().stream().map(PlannedRun::id)).containsExactlyInAnyOrder(
                "cbr-small__random__all__s0", "cbr-small__random__all__s1",
                "cbr-small__pretrained__all__s0", "cbr-small__transfusion-layer2__all__s0",
                "cbr-small-slim__slim__all__s0", "cbr-small__pretrained__all__s1",
                "cbr-small__transfusion-layer2__all__s1", "cbr-small-slim__slim__all__s1");
        assertThat(plan.runs()).allSatisfy(r -> assertThat(r.spec().snapshots()).isEqualTo(2));
        // The CBRs' source is pretrained in the study (the demo's synthetic natural images): one pretraining run.
        assertThat(plan.pretrains().stream().map(PlannedRun::model)).containsExactly("cbr-small");
        assertThat(spec.toMap().toString()).contains("forgetting={schemes=[random, pretrained, transfusion:layer2, slim], "
                + "snapshots=2, train_images=300, test_images=200}");
    }

    @Test
    void aClearDropOverThreeSeedsIsForgetting() {
        // Drops 0.30, 0.27, 0.30 (by hand): every one far above 0, so the t-interval is too.
        Finding f = ForgettingExperiment.judgeForgetting("cbr-small", "pretrained", new double[] {0.6, 0.62, 0.58},
                new double[] {0.3, 0.35, 0.28});
        assertThat(f.verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(f.measured()).contains("drop +0.290");
    }

    @Test
    void noChangeIsNoForgettingAndTwoSeedsCannotJudge() {
        double[] same = {0.5, 0.4, 0.45};
        assertThat(ForgettingExperiment.judgeForgetting("m", "pretrained", same, same).verdict())
                .isEqualTo(Finding.Verdict.NOT_REPRODUCED);
        assertThat(ForgettingExperiment.judgeForgetting("m", "pretrained", new double[] {0.6, 0.6},
                new double[] {0.1, 0.1}).verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        // A seed without the head (NaN: the slim model's features do not fit it) is left out.
        assertThat(ForgettingExperiment.judgeForgetting("m", "slim", new double[] {Double.NaN, 0.6, 0.6},
                new double[] {0.1, 0.1, 0.1}).measured()).contains("2 seeds with both");
    }

    @Test
    void theLowerLayerKeepingMoreIsJudgedOnTheDropDifference() {
        // Differences top - low per seed: 0.19, 0.23, 0.22 (by hand), all well above 0.
        double[] low = {0.01, 0.02, 0.0};
        double[] top = {0.2, 0.25, 0.22};
        assertThat(ForgettingExperiment.judgeLowerKeepMore("cbr-small", "layer1", "layer4", low, top).verdict())
                .isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(ForgettingExperiment.judgeLowerKeepMore("cbr-small", "layer1", "layer4", top, low).verdict())
                .isEqualTo(Finding.Verdict.NOT_REPRODUCED);
    }

    /** The JSON a measurement writes (SourceForgetting.Result.toMap), read back by the verdicts' accessors. */
    @Test
    void readsTheMeasurementsJson() {
        List<Object> seeds = new java.util.ArrayList<>();
        double[][] heads = {{0.6, 0.3}, {0.5, Double.NaN}};
        for (double[] h : heads) {
            seeds.add(new SourceForgetting.Result(Map.of(), List.of("layer1", "pool"), List.of(
                    new SourceForgetting.Point("init", 0, h[0], Map.of("layer1", 0.4, "pool", 0.5)),
                    new SourceForgetting.Point("step-100", 100, 0.45, Map.of("layer1", 0.39, "pool", 0.45)),
                    new SourceForgetting.Point("best", 50, h[1], Map.of("layer1", 0.35, "pool", 0.3)))).toMap());
        }
        JsonNode json = Json.parse(Json.toString(seeds));
        assertThat(ForgettingExperiment.head(json, "init")).containsExactly(0.6, 0.5);
        assertThat(ForgettingExperiment.head(json, "best")[0]).isEqualTo(0.3);
        assertThat(ForgettingExperiment.head(json, "best")[1]).isNaN(); // written as null
        // init - best of layer1: 0.4 - 0.35 = 0.05 on both seeds.
        assertThat(ForgettingExperiment.drop(json, "layer1")).containsExactly(new double[] {0.05, 0.05},
                org.assertj.core.data.Offset.offset(1e-12));
    }
}
