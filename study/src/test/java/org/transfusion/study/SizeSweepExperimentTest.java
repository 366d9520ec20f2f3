package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;
import org.transfusion.study.record.SizeSweepRecord;
import org.transfusion.error.BadInputException;

class SizeSweepExperimentTest {
    private static final String SPEC = """
            name: sweep
            data: synthetic:retina?n=200&size=16
            task: referable
            models: [cbr-small]
            seeds: [0, 1]
            training: {epochs: 1, batch_size: 16, lr: 0.001, eval_every: 2}
            pretrain: {data: "synthetic:natural?n=200&size=16", task: multiclass, epochs: 1}
            experiments:
              representations: {max_points: 500}
              size_sweep: {models: [cbr-small, cbr-tiny, cbr-large-wide], max_points: 800, conv: POOL}
            """;

    @TempDir Path dir;

    @Test
    void plansEveryModelFromEverySchemeOnEverySeedSharingRunsWithOtherExperiments() {
        StudySpec spec = SpecReader.parse(SPEC, "sweep.yaml");
        assertThat(spec.experiments().sizeSweep().schemeNames()).containsExactly("random", "pretrained");
        assertThat(spec.experiments().sizeSweep().conv()).isEqualTo(org.transfusion.engine.probe.ActivationProbe.Fold.POOL);
        Plan plan = Plan.of(spec, dir, null);
        // 3 models x 2 schemes x 2 seeds; the representations experiment's cbr-small runs are the same 4 runs
        assertThat(plan.runs()).hasSize(12);
        assertThat(plan.runs().stream().map(PlannedRun::id).toList()).contains("cbr-tiny__random__all__s1",
                "cbr-large-wide__pretrained__all__s0", "cbr-small__pretrained__all__s1");
        // one pretraining run per architecture that transfer needs
        assertThat(plan.pretrains().stream().map(PlannedRun::model).toList())
                .containsExactlyInAnyOrder("cbr-small", "cbr-tiny", "cbr-large-wide");
    }

    /**
     * The spec the README's forgetting and size-sweep results came from (docs/specs) reads and plans what the README
     * says: 4 CBRs x 2 schemes x 3 seeds for the sweep, cbr-small and cbr-tiny x 4 schemes x 3 seeds for forgetting
     * (random and pretrained shared with the sweep: 24 + 24 - 12 = 36 runs), and 4 pretrainings: 40 in all.
     */
    @Test
    void theReadmesSpecPlansFortyRuns() {
        StudySpec spec = SpecReader.read(Path.of("..", "docs", "specs", "forget-size-quick.yaml"));
        Plan plan = Plan.of(spec, dir, null);
        assertThat(plan.runs()).hasSize(36);
        assertThat(plan.pretrains()).hasSize(4);
        assertThat(spec.experiments().forgetting().schemeNames())
                .containsExactly("random", "pretrained", "transfusion:layer2", "slim");
        assertThat(plan.runs()).allSatisfy(r -> assertThat(r.spec().imageSize()).isEqualTo(64));
    }

    /**
     * The spec of issue 30's results study reads and plans as its comment says: the quick `all` on RetinaMNIST with
     * five seeds at 32 px, cbr-small and MobileNetV2-0.35, its six-width sweep of cbr-small among the 105 runs,
     * cbr-small pretrained on CIFAR-10 (MobileNetV2 brings its ImageNet weights), no forgetting experiment.
     */
    @Test
    void theFiveSeedResultsSpecPlansItsWidthSweep() {
        StudySpec spec = SpecReader.read(Path.of("..", "docs", "specs", "retina-quick-5seeds.yaml"));
        assertThat(spec.seeds()).hasSize(5);
        Plan plan = Plan.of(spec, dir, null);
        // (run from the repository root the weights folder holds MobileNetV2's; from a module's folder it does not)
        assertThat(plan.pretrains()).extracting(PlannedRun::model).contains("cbr-small");
        assertThat(spec.models()).containsExactly("cbr-small", "mobilenet-v2-0.35-keras");
        assertThat(spec.imageSize()).isEqualTo(32);
        assertThat(spec.experiments().forgetting()).isNull();
        // 2 models x 5 seeds x (random, pretrained, meanvar, 4 small-data runs) = 70; transfusion up to layer1 and
        // Gabor, 5 each = 10; the sweep's five other widths of cbr-small x 5 seeds = 25: 105
        assertThat(plan.runs()).hasSize(105).extracting(PlannedRun::id).contains("cbr-small@w2__random__all__s4");
    }

    @Test
    void withoutItsOwnModelsTheSweepUsesTheStudysAndTheSpecRoundTrips() {
        String yaml = SPEC.replace("models: [cbr-small]", "models: [cbr-small, cbr-tiny]")
                .replace("  representations: {max_points: 500}\n", "")
                .replace("size_sweep: {models: [cbr-small, cbr-tiny, cbr-large-wide], max_points: 800, conv: POOL}",
                        "size_sweep: {schemes: [random]}");
        StudySpec spec = SpecReader.parse(yaml, "sweep.yaml");
        assertThat(new SizeSweepExperiment(spec.experiments().sizeSweep()).models(spec))
                .containsExactly("cbr-small", "cbr-tiny");
        assertThat(Plan.of(spec, dir, null).runs().stream().map(PlannedRun::id).toList())
                .contains("cbr-tiny__random__all__s0").doesNotContain("cbr-tiny__pretrained__all__s0");
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) spec.toMap().get("experiments");
        assertThat(e.get("size_sweep")).isEqualTo(new LinkedHashMap<>(Map.of("schemes", List.of("random"),
                "max_points", 3000, "conv", "flatten")));
    }

    @Test
    void badSweepEntriesNameTheirPath() {
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("cbr-large-wide]", "cbr-huge]"), "sweep.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("sweep.yaml: experiments.size_sweep.models[2]: unknown model 'cbr-huge'");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("conv: POOL", "conv: max"), "sweep.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("experiments.size_sweep.conv: unknown --conv 'max'");
    }

    @Test
    void thePresetSweepsTheCbrsWidthAndDepthAndAllSweepsCbrSmallsWidthFromRandomInit() {
        StudySpec quick = Presets.get("size-sweep", "quick");
        assertThat(quick.models()).containsAll(SizeSweepExperiment.CBRS).contains("cbr-small@w0.25", "cbr-small@w2",
                "cbr-small@d2", "cbr-small@d7");
        List<SizeSweepExperiment.Series> series = SizeSweepExperiment.series(quick.models());
        // the four CBRs, then cbr-small's width and depth series: six sizes each (issue 30.9)
        assertThat(series).extracting(SizeSweepExperiment.Series::label).containsExactly(
                "the registered models (width, depth and kernel vary together)", "width at fixed depth, cbr-small",
                "depth at fixed width, cbr-small");
        assertThat(series.get(1).models()).containsExactly("cbr-small@w0.25", "cbr-small@w0.5", "cbr-small@w0.75",
                "cbr-small@w1.5", "cbr-small@w2", "cbr-small");
        assertThat(series.get(2).models()).hasSize(6).endsWith("cbr-small");
        // from random init below paper scale (no pretraining per variant): 14 models x 3 seeds, nothing pretrained
        assertThat(quick.experiments().sizeSweep().schemeNames()).containsExactly("random");
        assertThat(Plan.of(quick, Path.of("q"), null).runs()).hasSize(42);
        assertThat(Plan.of(quick, Path.of("q"), null).pretrains()).isEmpty();
        assertThat(Presets.get("size-sweep", "paper").experiments().sizeSweep().schemeNames())
                .containsExactly("random", "pretrained");
        StudySpec demo = Presets.get("size-sweep", "demo");
        assertThat(demo.imageSize()).isEqualTo(32);
        assertThat(demo.models()).containsAll(SizeSweepExperiment.CBRS).contains("cbr-small@w0.25")
                .noneMatch(m -> m.contains("@d"));
        // Inside the demo (all at demo scale): cbr-small's short width series from random init only, so no
        // pretraining beyond cbr-small's and, at widths up to 1, about two cbr-small runs of extra training.
        StudySpec all = Presets.get("all", "demo");
        assertThat(all.experiments().sizeSweep().models()).containsExactly("cbr-small@w0.25", "cbr-small@w0.5",
                "cbr-small@w0.75", "cbr-small");
        assertThat(all.experiments().sizeSweep().schemeNames()).containsExactly("random");
        Plan plan = Plan.of(all, Path.of("demo"), null);
        assertThat(plan.pretrains()).extracting(PlannedRun::model).containsExactly("cbr-small");
        assertThat(plan.runs()).extracting(PlannedRun::id).contains("cbr-small@w0.25__random__all__s1");
        // at quick scale `all` sweeps six widths (the README's results study); at paper scale it does not
        assertThat(Presets.get("all", "quick").experiments().sizeSweep().models()).hasSize(6);
        assertThat(Presets.get("all", "paper").experiments().sizeSweep()).isNull();
    }

    @Test
    void aSweepIsSplitIntoSeriesThatVaryOneThing() {
        // no variants: one series of the models as given, unlabelled (the findings read as before issue 30.9)
        assertThat(SizeSweepExperiment.series(List.of("cbr-small", "cbr-tiny"))).containsExactly(
                new SizeSweepExperiment.Series("", List.of("cbr-small", "cbr-tiny")));
        // a base with its width variants: one width series; the base alone is not a series of its own
        assertThat(SizeSweepExperiment.series(List.of("cbr-small@w0.5", "cbr-small", "cbr-small@w2"))).containsExactly(
                new SizeSweepExperiment.Series("width at fixed depth, cbr-small",
                        List.of("cbr-small@w0.5", "cbr-small@w2", "cbr-small")));
        // variants without their base, beside two other registered models
        assertThat(SizeSweepExperiment.series(List.of("cbr-tiny@d2", "cbr-tiny@d3", "cbr-small", "cbr-large-wide")))
                .extracting(SizeSweepExperiment.Series::models)
                .containsExactly(List.of("cbr-small", "cbr-large-wide"), List.of("cbr-tiny@d2", "cbr-tiny@d3"));
    }

    /**
     * cbr-small by hand (7x7 convs without bias, 3-32-64-128-256, BN weight and bias per channel, a 256 x 2 fc with
     * bias): 49 (3*32 + 32*64 + 64*128 + 128*256) + 2 (32 + 64 + 128 + 256) + 256*2 + 2 = 2,112,096 + 960 + 514.
     */
    @Test
    void countsTrainableParameters() {
        assertThat(SizeSweepExperiment.parameters("cbr-small")).isEqualTo(2_113_570L);
    }

    @Test
    void judgesTheTrendBySpearmanWithAnExactPValue() {
        List<String> five = List.of("a", "b", "c", "d", "e");
        double[] params = {1e5, 1e6, 2e6, 4e6, 8e6};
        // strictly falling: rho = -1; exactly 2 of the 5! = 120 orderings have |rho| = 1, p = 2/120
        Finding falling = SizeSweepExperiment.judgeSizeChange("change", five, params, new double[] {.5, .4, .3, .2, .1});
        assertThat(falling.verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(falling.measured()).contains("Spearman rho -1.00").contains("p 0.017 (exact over 120 orderings)");
        Finding rising = SizeSweepExperiment.judgeSizeChange("change", five, params, new double[] {.1, .2, .3, .4, .5});
        assertThat(rising.verdict()).isEqualTo(Finding.Verdict.NOT_REPRODUCED);
        // scipy.stats.spearmanr([2.1e6,4.3e6,8.4e6,8.5e6,1.2e7],[0.5,0.42,0.44,0.3,0.2]) -> -0.9; enumerating the
        // 120 orderings in python (itertools.permutations of the ranks): 10 with |rho| >= 0.9, p = 10/120 = 0.083
        Finding noisy = SizeSweepExperiment.judgeSizeChange("change", five,
                new double[] {2.1e6, 4.3e6, 8.4e6, 8.5e6, 1.2e7}, new double[] {0.5, 0.42, 0.44, 0.3, 0.2});
        assertThat(noisy.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(noisy.measured()).contains("rho -0.90").contains("p 0.083");
        // four sizes can never reach p <= 0.05 (smallest exact p 2/24): inconclusive even when perfectly monotone
        Finding four = SizeSweepExperiment.judgeSizeChange("change", five.subList(0, 4),
                new double[] {1e5, 1e6, 2e6, 4e6}, new double[] {.5, .4, .3, .2});
        assertThat(four.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(four.measured()).contains("p 0.083 (exact over 24 orderings)");
        // a model whose change is undefined is left out; three sizes are too few to judge
        Finding three = SizeSweepExperiment.judgeSizeChange("change", five.subList(0, 4),
                new double[] {1e5, 1e6, 2e6, 4e6}, new double[] {.5, Double.NaN, .3, .2});
        assertThat(three.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(three.measured()).contains("3 sizes (at least 4 needed").doesNotContain("b (");
    }

    /**
     * scipy.stats.spearmanr([1,2,3,4,5,6],[3,1,4,1,5,9]).statistic = 0.6667366910003157 (ties get average ranks
     * 1.5); enumerating the 720 orderings in python: 116 with |rho| >= that, p = 116/720.
     */
    @Test
    void rankCorrelationMatchesScipyWithTies() {
        RankCorrelation.Result r = RankCorrelation.test(new double[] {1, 2, 3, 4, 5, 6}, new double[] {3, 1, 4, 1, 5, 9});
        assertThat(r.rho()).isCloseTo(0.6667366910003157, within(1e-12));
        assertThat(r.p()).isCloseTo(116.0 / 720, within(1e-12));
        assertThat(r.exact()).isTrue();
        assertThat(RankCorrelation.spearman(new double[] {1, 2, 3}, new double[] {2, 2, 2})).isNaN();
    }

    /**
     * Findings from a constructed analysis file: four conv layers (all usable), two seeds. cbr-small's random-init
     * SVCCA before vs after per seed is (0.9, 0.8, 0.6, 0.5) and (0.7, 0.6, 0.4, 0.3): change over the lower half
     * 1 - 0.85 = 0.15 and 1 - 0.65 = 0.35, the higher half 0.45 and 0.65, all layers 0.3 and 0.5 (mean 0.4).
     */
    @Test
    void findingsAndPointsComeFromTheAnalysisFile() {
        StudySpec spec = SpecReader.parse(SPEC.replace("[cbr-small, cbr-tiny, cbr-large-wide]",
                "[cbr-small, cbr-tiny, cbr-large-wide, cbr-large-tall]"), "sweep.yaml");
        Plan plan = Plan.of(spec, dir, null);
        Map<String, Object> file = new LinkedHashMap<>();
        String[] models = {"cbr-small", "cbr-tiny", "cbr-large-wide", "cbr-large-tall"};
        for (int k = 0; k < models.length; k++) {
            double shift = 0.05 * k; // larger models (in this order) keep more similarity: change falls
            file.put(models[k], model(SizeSweepExperiment.parameters(models[k]), List.of(
                    List.of(0.9 + shift, 0.8 + shift, 0.6 + shift, 0.5 + shift),
                    List.of(0.7 + shift, 0.6 + shift, 0.4 + shift, 0.3 + shift)), 0.3 - 0.05 * k));
        }
        Json.write(SizeSweepExperiment.file(dir), file);
        SizeSweepExperiment e = new SizeSweepExperiment(spec.experiments().sizeSweep());
        List<SizeSweepExperiment.Point> random = SizeSweepExperiment.points(SizeSweepRecord.read(SizeSweepExperiment.file(dir)),
                e.models(spec), "random");
        SizeSweepExperiment.Point small = random.get(0);
        assertThat(small.model()).isEqualTo("cbr-small");
        assertThat(small.lower()).containsExactly(new double[] {0.15, 0.35}, within(1e-9));
        assertThat(small.higher()).containsExactly(new double[] {0.45, 0.65}, within(1e-9));
        assertThat(small.all()).containsExactly(new double[] {0.3, 0.5}, within(1e-9));
        // linear CKA 0.9 on every conv layer of both seeds (the pool's 0.2 is not a conv layer): change 0.1
        assertThat(small.allCka()).containsExactly(new double[] {0.1, 0.1}, within(1e-9));
        assertThat(small.moved()).containsExactly(new double[] {0.3, 0.3}, within(1e-9));
        assertThat(small.erankAfter()).isCloseTo(2.5, within(1e-9));
        // sorted by parameter count: cbr-small 2.1M < cbr-tiny 4.3M < cbr-large-wide 8.4M < cbr-large-tall
        assertThat(random.stream().map(SizeSweepExperiment.Point::model).toList()).containsExactly(models);
        List<Finding> findings = e.findings(new Results(plan));
        // three measures per scheme; four sizes are too few for p <= 0.05, so every verdict is inconclusive
        assertThat(findings).hasSize(6).allSatisfy(f -> {
            assertThat(f.experiment()).isEqualTo("size sweep");
            assertThat(f.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        });
        assertThat(findings.get(0).measured()).contains("cbr-small (2.1M) 0.400").contains("Spearman rho -1.00");
        // every model's CKA change is 0.1: rho is undefined, so inconclusive
        assertThat(findings.get(1).measured()).contains("1 - linear CKA").contains("rho undefined");
    }

    /** One model's analysis entry: four usable conv layers and a pool, per-seed SVCCA, constant movement. */
    private static Map<String, Object> model(long params, List<List<Double>> svcca, double moved) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("params", params);
        m.put("layers", List.of("layer1", "layer2", "layer3", "layer4", "pool"));
        m.put("points", List.of(5000, 5000, 5000, 5000, 200));
        m.put("neurons", List.of(32, 64, 128, 256, 256));
        Map<String, Object> ba = new LinkedHashMap<>();
        Map<String, Object> mv = new LinkedHashMap<>();
        Map<String, Object> er = new LinkedHashMap<>();
        for (String scheme : List.of("random", "pretrained")) {
            List<List<Double>> values = new ArrayList<>();
            svcca.forEach(seed -> {
                List<Double> v = new ArrayList<>(seed);
                v.add(0.99); // the pool: the last entry, never a conv layer
                values.add(v);
            });
            ba.put(scheme, Map.of("svcca", Map.of("values", values), "cka_linear", Map.of("values",
                    List.of(List.of(0.9, 0.9, 0.9, 0.9, 0.2), List.of(0.9, 0.9, 0.9, 0.9, 0.2)))));
            mv.put(scheme, Map.of("keys", List.of("a", "b"), "values", List.of(List.of(moved, moved),
                    List.of(moved, moved))));
            er.put(scheme, Map.of("before", List.of(List.of(3.0, 3.0, 3.0, 3.0, 9.0)), "after",
                    List.of(List.of(2.0, 2.0, 3.0, 3.0, 9.0))));
        }
        m.put("before_after", ba);
        m.put("weight_movement", mv);
        m.put("effective_rank", er);
        return m;
    }
}
