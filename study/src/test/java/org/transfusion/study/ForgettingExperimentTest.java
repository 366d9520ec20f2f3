package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.probe.SourceForgetting;
import org.transfusion.study.record.ForgettingRecord;

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
                new double[] {0.3, 0.35, 0.28}, 10);
        assertThat(f.verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(f.measured()).contains("drop +0.290");
    }

    @Test
    void noChangeIsNoForgettingAndTwoSeedsCannotJudge() {
        double[] same = {0.5, 0.4, 0.45};
        assertThat(ForgettingExperiment.judgeForgetting("m", "pretrained", same, same, 10).verdict())
                .isEqualTo(Finding.Verdict.NOT_REPRODUCED);
        assertThat(ForgettingExperiment.judgeForgetting("m", "pretrained", new double[] {0.6, 0.6},
                new double[] {0.1, 0.1}, 10).verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        // A seed without the head (NaN: the slim model's features do not fit it) is left out.
        assertThat(ForgettingExperiment.judgeForgetting("m", "slim", new double[] {Double.NaN, 0.6, 0.6},
                new double[] {0.1, 0.1, 0.1}, 10).measured()).contains("2 seeds with both");
    }

    /**
     * A head at about chance at init (transfusion re-draws the layers it reads) has nothing to forget, however
     * clearly it falls: the quick study's cbr-small transfusion:layer2 read CIFAR-10 at 0.106 at init and 0.088 at
     * best (these are its three seeds' values), a drop whose interval excludes 0.
     */
    @Test
    void aHeadAtChanceAtInitHasNothingToForget() {
        double[] init = {0.115, 0.106, 0.098};
        double[] best = {0.092, 0.086, 0.086};
        Finding atChance = ForgettingExperiment.judgeForgetting("cbr-small", "transfusion:layer2", init, best, 10);
        assertThat(atChance.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(atChance.measured()).contains("chance 1/10 = 0.100; at least 0.150 needed", "nothing to forget");
        // the same numbers for a binary source (chance 0.5) are below chance too; with the classes unknown (0) the
        // drop alone is judged: its paired differences 0.023, 0.020, 0.012 (by hand; mean 0.0183, sd 0.0057, t-interval
        // with t(0.975, 2) = 4.303 about [0.004, 0.033]) lie above 0
        assertThat(ForgettingExperiment.judgeForgetting("m", "s", init, best, 2).verdict())
                .isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(ForgettingExperiment.judgeForgetting("m", "s", init, best, 0).verdict())
                .isEqualTo(Finding.Verdict.REPRODUCED);
        // either side of the bar (0.15 for 10 classes): 0.16 at init is judged on its drop, 0.14 is not
        assertThat(ForgettingExperiment.judgeForgetting("m", "s", new double[] {0.16, 0.16, 0.16},
                new double[] {0.10, 0.11, 0.09}, 10).verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(ForgettingExperiment.judgeForgetting("m", "s", new double[] {0.14, 0.14, 0.14},
                new double[] {0.10, 0.11, 0.09}, 10).verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
    }

    /** The source's classes come from the pretraining run's run.json: its outputs, or 2 for a binary task. */
    @Test
    void readsTheSourceClassesFromThePretrainingRun(@TempDir Path dir) throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("run.json"), "{\"resolved\": {\"task_type\": \"multiclass\", "
                + "\"outputs\": [\"a\", \"b\", \"c\"]}}");
        assertThat(ForgettingExperiment.sourceClasses(dir)).isEqualTo(3);
        java.nio.file.Files.writeString(dir.resolve("run.json"), "{\"resolved\": {\"task_type\": \"binary\", "
                + "\"outputs\": [\"pneumonia\"]}}");
        assertThat(ForgettingExperiment.sourceClasses(dir)).isEqualTo(2);
        assertThat(ForgettingExperiment.sourceClasses(dir.resolve("missing"))).isZero();
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

    @Test
    void theDropIsJudgedAsAShareOfWhatEachLayerHeldAboveARandomNetwork() {
        // The quick study's case: layer1 held 0.392 against a random network's 0.334 (headroom 0.058) and lost 0.03;
        // layer4 held 0.60 against 0.30 (headroom 0.30) and lost 0.09. Absolute drops say layer1 kept more
        // (0.03 < 0.09); as shares of the headroom it lost 0.03 / 0.058 = 0.52 against 0.09 / 0.30 = 0.30: less kept.
        double[] lowHead = {0.058, 0.060, 0.056};
        double[] lowDrop = {0.030, 0.032, 0.028};
        double[] topHead = {0.30, 0.31, 0.29};
        double[] topDrop = {0.09, 0.095, 0.085};
        assertThat(ForgettingExperiment.judgeLowerKeepMore("cbr-small", "layer1", "layer4", lowDrop, topDrop)
                .verdict()).as("absolute drops").isEqualTo(Finding.Verdict.REPRODUCED);
        // shares: low 0.517, 0.533, 0.500; top 0.300, 0.306, 0.293; top - low -0.217, -0.227, -0.207: CI below 0
        Finding f = ForgettingExperiment.judgeLowerKeepMore("cbr-small", "layer1", "layer4", lowHead, lowDrop,
                topHead, topDrop);
        assertThat(f.verdict()).isEqualTo(Finding.Verdict.NOT_REPRODUCED);
        assertThat(f.measured()).contains("-0.217");
        // a seed where the lower layer held under 0.02 above random says nothing and is counted
        Finding one = ForgettingExperiment.judgeLowerKeepMore("cbr-small", "layer1", "layer4",
                new double[] {0.01, 0.06, 0.06, 0.06}, new double[] {0.0, 0.01, 0.012, 0.011},
                new double[] {0.3, 0.3, 0.3, 0.3}, new double[] {0.2, 0.21, 0.19, 0.2});
        assertThat(one.measured()).contains("1 seed(s) left out");
        // shares low 0.167, 0.2, 0.183; top 0.7, 0.633, 0.667: top - low 0.533, 0.433, 0.483 -> above 0
        assertThat(one.verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
    }

    /** The JSON a measurement writes (SourceForgetting.Result.toMap), read back by the verdicts' accessors. */
    @Test
    void readsTheMeasurementsJson(@TempDir Path dir) {
        List<ForgettingRecord.Seed> seeds = new java.util.ArrayList<>();
        double[][] heads = {{0.6, 0.3}, {0.5, Double.NaN}};
        for (double[] h : heads) {
            seeds.add(Records.as("seed", Records.MAPPER.valueToTree(new SourceForgetting.Result(Map.of(),
                    List.of("layer1", "pool"), List.of(
                    new SourceForgetting.Point("init", 0, h[0], Map.of("layer1", 0.4, "pool", 0.5)),
                    new SourceForgetting.Point("step-100", 100, 0.45, Map.of("layer1", 0.39, "pool", 0.45)),
                    new SourceForgetting.Point("best", 50, h[1], Map.of("layer1", 0.35, "pool", 0.3)))).toMap()),
                    ForgettingRecord.Seed.class));
        }
        Path file = dir.resolve("forgetting.json");
        new ForgettingRecord(ForgettingRecord.FORMAT, Map.of("cbr-tiny",
                ForgettingRecord.Model.of(Map.of("pretrained", seeds)))).write(file);
        List<ForgettingRecord.Seed> json = ForgettingRecord.read(file).models().get("cbr-tiny").schemes()
                .get("pretrained");
        assertThat(ForgettingExperiment.head(json, "init")).containsExactly(0.6, 0.5);
        assertThat(ForgettingExperiment.head(json, "best")[0]).isEqualTo(0.3);
        assertThat(ForgettingExperiment.head(json, "best")[1]).isNaN(); // written as null
        // init - best of layer1: 0.4 - 0.35 = 0.05 on both seeds.
        assertThat(ForgettingExperiment.drop(json, "layer1")).containsExactly(new double[] {0.05, 0.05},
                org.assertj.core.data.Offset.offset(1e-12));
    }
}
