package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.data.SubsetSampling;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.error.BadInputException;
import org.transfusion.study.record.RepresentationsRecord;

/**
 * The practitioner's study (issue 31): pretraining sources as a factor, training-set sizes on nested stratified
 * subsets, the random-long arm, the spec's checks, and the one-page answer's choice and how sure it is.
 */
class PractitionerStudyTest {
    @TempDir Path dir;

    private static final String SPEC = """
            name: p
            data: synthetic:retina?n=200&size=32
            task: referable
            image_size: 32
            models: [cbr-small, resnet18]
            seeds: [0, 1, 2]
            training: {epochs: 3, subset_sampling: stratified}
            pretrain: {data: "synthetic:natural?n=100&size=32", task: multiclass, epochs: 1, published: true}
            experiments:
              practitioner:
                sizes: [50, 0]
                sources: [published, "hub:a1_in1k", own]
                long_factor: 2
            """;

    @Test
    void eachModelTrainsEverySizeFromRandomRandomLongAndEachSourceThatHasWeightsForIt() {
        StudySpec spec = SpecReader.parse(SPEC, "p.yaml");
        Plan plan = Plan.of(spec, dir, null);
        // cbr-small: random, random-long, own (no published checkpoint); resnet18: all five arms.
        // 2 sizes x 3 seeds x (3 + 5) arms = 48 runs, and one pretraining per model on the source data (own).
        assertThat(plan.runs()).hasSize(2 * 3 * (3 + 5));
        assertThat(plan.pretrains()).extracting(PlannedRun::model).containsExactly("cbr-small", "resnet18");
        assertThat(plan.run("cbr-small", "from:published", 50, 0L)).isNull();
        assertThat(plan.skippedSources()).containsExactly(
                "cbr-small: no published checkpoint (it has none): published left out",
                "cbr-small: no published checkpoint tagged a1_in1k (it has none): hub:a1_in1k left out");
        PlannedRun a1 = plan.run("resnet18", "from:a1_in1k", 50, 1L);
        assertThat(a1.id()).isEqualTo("resnet18__from-a1_in1k__n50__s1");
        assertThat(a1.spec().init()).isEqualTo(new InitScheme.Pretrained());
        assertThat(a1.spec().weights().toString()).contains("models--timm--resnet18.a1_in1k");
        assertThat(plan.run("resnet18", "from:published", null, 0L).spec().weights().toString())
                .contains("models--timm--resnet18.tv_in1k");
        // the study's own pretraining: the pretraining run's best weights
        assertThat(plan.run("cbr-small", "from:own", null, 2L).spec().weights())
                .isEqualTo(plan.folder().pretraining("cbr-small").resolve("weights.safetensors").toAbsolutePath());
        // random-long: random init for twice the study's epochs; every subset stratified (training.subset_sampling)
        PlannedRun longRun = plan.run("cbr-small", "random-long", 50, 0L);
        assertThat(longRun.spec().epochs()).isEqualTo(6);
        assertThat(longRun.spec().init()).isEqualTo(new InitScheme.Random());
        assertThat(plan.run("cbr-small", "random", 50, 0L).spec().epochs()).isEqualTo(3);
        assertThat(plan.runs()).allMatch(r -> r.spec().subsetSampling() == SubsetSampling.STRATIFIED);
        // where each source's weights come from, under "MODEL from SOURCE"
        assertThat(plan.sources()).containsKeys("resnet18 from published", "resnet18 from a1_in1k",
                "resnet18 from own", "cbr-small from own");
        assertThat(plan.published()).containsKeys("resnet18 from published", "resnet18 from a1_in1k");
    }

    /**
     * A hub checkpoint trained on other input statistics than its card's (DINO's ViT-S/16: ImageNet's, where the
     * AugReg default has 0.5, per timm's pretrained_cfg) gives its runs its own normalisation; random arms and the
     * default checkpoint keep the card's (stored as none).
     */
    @Test
    void aCheckpointWithItsOwnInputStatisticsIsFedThemAndTheOtherArmsTheCards() {
        StudySpec spec = SpecReader.parse(SPEC.replace("models: [cbr-small, resnet18]", "models: [vit-small-p16]")
                .replace("sources: [published, \"hub:a1_in1k\", own]", "sources: [published, \"hub:dino\"]"),
                "p.yaml");
        Plan plan = Plan.of(spec, dir, null);
        assertThat(plan.run("vit-small-p16", "from:dino", 50, 0L).spec().normalisation())
                .isEqualTo(Normalisation.IMAGENET);
        assertThat(plan.run("vit-small-p16", "from:dino", 50, 0L).spec().weights().toString())
                .contains("models--timm--vit_small_patch16_224.dino");
        assertThat(plan.run("vit-small-p16", "from:published", 50, 0L).spec().normalisation()).isNull();
        assertThat(plan.run("vit-small-p16", "random", 50, 0L).spec().normalisation()).isNull();
        assertThat(plan.run("vit-small-p16", "random-long", null, 1L).spec().normalisation()).isNull();
        assertThat(plan.sources().get("vit-small-p16 from dino").describe()).endsWith("fetched from the hub; its "
                + "inputs normalised as it was trained (imagenet)");
        assertThat(plan.sources().get("vit-small-p16 from published").describe()).endsWith("fetched from the hub");
    }

    @Test
    void theSpecWritesBackWhatItReadAndRefusesRepeatsAndUnknownSources() {
        StudySpec spec = SpecReader.parse(SPEC, "p.yaml");
        StudySpec again = SpecReader.parse(new org.yaml.snakeyaml.Yaml().dump(spec.toMap()), "printed");
        assertThat(again).isEqualTo(spec);
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) ((Map<String, Object>) spec.toMap().get("experiments"))
                .get("practitioner");
        assertThat(p.get("sources")).isEqualTo(List.of("published", "hub:a1_in1k", "own"));
        assertThat(((Map<?, ?>) spec.toMap().get("training")).get("subset_sampling")).isEqualTo("stratified");

        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("sizes: [50, 0]", "sizes: [50, 0, 50]"), "p.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("p.yaml: experiments.practitioner.sizes[2]: 50 is given twice (expected each size once)");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("own]", "imagenet]"), "p.yaml"))
                .hasMessage("p.yaml: experiments.practitioner.sources[2]: unknown pretraining source 'imagenet' "
                        + "(expected published, hub:TAG, weights, own or file:PATH)");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("\"hub:a1_in1k\"", "\"hub:\""), "p.yaml"))
                .hasMessageContaining("sources[1]: pretraining source 'hub:': expected hub:TAG");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("long_factor: 2", "long_factor: 1"), "p.yaml"))
                .hasMessageContaining("experiments.practitioner.long_factor");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("long_factor: 2", "long_factor: 2\n    threshold: 0.72"),
                "p.yaml")).hasMessageStartingWith("p.yaml: experiments.practitioner.threshold: 0.72 is not among "
                + "the thresholds");
        assertThatThrownBy(() -> SpecReader.parse(SPEC.replace("subset_sampling: stratified",
                "subset_sampling: clustered"), "p.yaml")).hasMessageContaining("training.subset_sampling");
    }

    @Test
    void aFileSourceThatIsNotThereIsAMissingInputAndMissingLocalWeightsAreSkipped() {
        StudySpec spec = SpecReader.parse(SPEC.replace("own]", "weights, \"file:" + dir.resolve("radimagenet.safetensors")
                + "\"]"), "p.yaml");
        Plan plan = Plan.of(spec, dir, null);
        assertThat(plan.run("cbr-small", "from:file-radimagenet", 50, 0L).spec().weights())
                .isEqualTo(dir.resolve("radimagenet.safetensors"));
        assertThat(plan.missing()).anyMatch(l -> l.startsWith("cbr-small from file-radimagenet: ")
                && l.endsWith("radimagenet.safetensors does not exist (experiments.practitioner.sources: file:"
                + dir.resolve("radimagenet.safetensors") + ")"));
        assertThat(plan.skippedSources()).contains("cbr-small: no weights file for it in pretrain.weights (none "
                + "given: --weights-dir): weights left out");
    }

    @Test
    void thePresetDeclaresItsThresholdAndStratifiesAtEveryScale() {
        for (String scale : Presets.SCALES) {
            StudySpec s = Presets.get("practitioner", scale, null);
            assertThat(s.experiments().practitioner().sources()).isNotEmpty();
            assertThat(s.training().subsetSampling()).isEqualTo(SubsetSampling.STRATIFIED);
            assertThat(s.experiments().practitioner().sizes()).contains(0);
            // the preset is a spec like any other: it reads back from what it prints
            assertThat(SpecReader.parse(new org.yaml.snakeyaml.Yaml().dump(s.toMap()), scale)).isEqualTo(s);
        }
    }

    @org.junit.jupiter.api.Tag("slow")
    @Test
    void aSmallPractitionerStudyTrainsEveryArmAndOpensItsReportWithTheAnswer() throws Exception {
        String yaml = """
                name: p
                data: synthetic:retina?n=160&size=16
                task: referable
                image_size: 16
                models: [cbr-small]
                seeds: [0]
                training: {epochs: 1, batch_size: 16, eval_every: 2, subset_sampling: stratified}
                pretrain: {data: "synthetic:natural?n=100&size=16", task: multiclass, epochs: 1, published: false}
                experiments:
                  practitioner: {sizes: [40, 0], sources: [own]}
                  external: {data: "synthetic:retina?n=120&size=16&seed=9"}
                """;
        StudySpec s = SpecReader.parse(yaml, "p.yaml");
        Path out = dir.resolve("study");
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        Path report = Study.run(s, out, null, new StudyRunner(new java.io.PrintStream(log), 1, null),
                new java.io.PrintStream(log));
        Plan plan = Plan.of(s, out, null);
        assertThat(plan.runs()).hasSize(2 * 3).allMatch(r -> new org.transfusion.engine.run.RunFolder(r.folder())
                .isComplete());
        // the 40-image runs trained on 40 images, stratified, and the random-long ones for twice the steps
        org.transfusion.engine.run.record.RunRecord small = new org.transfusion.engine.run.RunFolder(
                plan.run("cbr-small", "random", 40, 0L).folder()).runRecord();
        assertThat(small.size("train")).isEqualTo(40);
        RunResult once = RunResult.load(plan.run("cbr-small", "random", 40, 0L));
        RunResult twice = RunResult.load(plan.run("cbr-small", "random-long", 40, 0L));
        assertThat(twice.length()).isEqualTo(2 * once.length());
        String html = Files.readString(report);
        assertThat(html.indexOf("<h2>Answer: where to start")).isPositive()
                .isLessThan(html.indexOf("<h2>Setup</h2>"));
        assertThat(html).contains("Which start, for how much data", "gain over random init");
        assertThat(Files.readAllLines(report.resolveSibling("practitioner.csv"))).hasSize(1 + 2);
        // external validation: every run scored on the second dataset's test split, its AUC recomputed here
        org.transfusion.study.record.ExternalRecord ext = org.transfusion.study.record.ExternalRecord.read(
                plan.folder().analysis("external"));
        assertThat(ext.rows()).hasSize(plan.runs().size());
        PlannedRun one = plan.run("cbr-small", "from:own", null, 0L);
        org.transfusion.engine.eval.RunEvaluation.TaskScores again = org.transfusion.engine.eval.RunEvaluation.scoresOn(
                one.folder(), "synthetic:retina?n=120&size=16&seed=9", null, org.transfusion.engine.data.Split.TEST);
        assertThat(ext.row(one.id()).auc()).isEqualTo(org.transfusion.engine.eval.MetricsReport.headline(again.task(),
                again.scores()).auc());
        assertThat(ext.row(one.id()).images()).isEqualTo(again.scores().n());
        // a run trained on 40 images of its own data is scored on every image of another dataset's train split,
        // not on 40 of them (its subset selected images of its own data)
        int externalTrain = org.transfusion.engine.data.DatasetSpecs.open("synthetic:retina?n=120&size=16&seed=9")
                .split(org.transfusion.engine.data.Split.TRAIN).size();
        assertThat(externalTrain).isGreaterThan(40);
        assertThat(org.transfusion.engine.eval.RunEvaluation.scoresOn(plan.run("cbr-small", "random", 40, 0L).folder(),
                "synthetic:retina?n=120&size=16&seed=9", null, org.transfusion.engine.data.Split.TRAIN).scores().n())
                .isEqualTo(externalTrain);
        assertThat(html).contains("<h2>External validation</h2>");
        // each start before vs after fine-tuning, at the largest size
        RepresentationsRecord repr = RepresentationsRecord.read(plan.folder().analysis("practitioner"));
        assertThat(repr.models().get("cbr-small").beforeAfter()).containsOnlyKeys("random", "random-long", "from:own");
        assertThat(repr.models().get("cbr-small").beforeAfter("from:own").comparisons()).isEqualTo(1);
        assertThat(html).contains("SVCCA before vs after, lower layers");
        // data whose task cannot give the run's outputs is refused in one line
        assertThatThrownBy(() -> org.transfusion.engine.eval.RunEvaluation.scoresOn(one.folder(),
                "synthetic:retina?n=120&size=16&seed=9&relabel=a:0 no DR+1 mild;b:other", null,
                org.transfusion.engine.data.Split.TEST)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("referable");
    }

    // ---- the answer -------------------------------------------------------------------------------------------

    private static RunResult result(Plan plan, String model, String arm, Integer subset, long seed, double auc) {
        PlannedRun r = plan.run(model, arm, subset, seed);
        return new RunResult(r, auc, auc, auc - 0.05, auc + 0.05, Map.of(0.7, 10L), new double[] {10},
                new double[] {auc}, 30, Double.NaN, null, Double.NaN, null);
    }

    private Results results(double[][] aucsBySeed) {
        StudySpec spec = SpecReader.parse(SPEC.replace("models: [cbr-small, resnet18]", "models: [resnet18]")
                .replace("[published, \"hub:a1_in1k\", own]", "[published, own]"), "p.yaml");
        Plan plan = Plan.of(spec, dir, null);
        List<RunResult> given = new ArrayList<>();
        String[] arms = {"random", "random-long", "from:published", "from:own"};
        for (int seed = 0; seed < 3; seed++) {
            for (int a = 0; a < arms.length; a++) {
                given.add(result(plan, "resnet18", arms[a], 50, seed, aucsBySeed[seed][a]));
            }
        }
        return new Results(plan, given);
    }

    @Test
    void theAnswerNamesTheBestStartAndIsSureOnlyWhenItsLeadIsAboveZeroOnEverySeedsInterval() {
        // random, random-long, published, own per seed: published leads own by 0.04, 0.05, 0.06 -> mean 0.05, sd
        // 0.01, t(0.975, 2) = 4.303 -> 0.05 -+ 4.303 x 0.01 / sqrt(3) = [0.025, 0.075]: above 0, clearly ahead.
        Results r = results(new double[][] {{0.70, 0.72, 0.84, 0.80}, {0.71, 0.73, 0.86, 0.81}, {0.69, 0.71, 0.85,
            0.79}});
        PractitionerExperiment e = new PractitionerExperiment(r.spec().experiments().practitioner());
        PractitionerExperiment.Choice c = e.choose(r, "resnet18", 50);
        assertThat(c.best()).isEqualTo("from:published");
        assertThat(c.runnerUp()).isEqualTo("from:own");
        assertThat(c.lead()).containsExactly(new double[] {0.04, 0.05, 0.06}, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Stats.tInterval(c.lead())[0]).isCloseTo(0.05 - 4.303 * 0.01 / Math.sqrt(3),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.sureness()).isEqualTo("clearly ahead");
        assertThat(c.overRandom()).containsExactly(new double[] {0.14, 0.15, 0.16}, org.assertj.core.data.Offset.offset(1e-12));

        // published and own within 0.005 of each other on every seed: the lead's interval lies within +-0.02, a tie
        Results tie = results(new double[][] {{0.70, 0.72, 0.800, 0.799}, {0.71, 0.73, 0.810, 0.806}, {0.69, 0.71,
            0.790, 0.788}});
        assertThat(e.choose(tie, "resnet18", 50).sureness()).isEqualTo("tied: either will do");

        // a lead of +0.10, -0.05, +0.04: its interval spans -0.16 to +0.22, too wide to tell
        Results wide = results(new double[][] {{0.70, 0.72, 0.90, 0.80}, {0.71, 0.73, 0.76, 0.81}, {0.69, 0.71, 0.84,
            0.80}});
        PractitionerExperiment.Choice w = e.choose(wide, "resnet18", 50);
        assertThat(w.best()).isEqualTo("from:published");
        assertThat(w.sureness()).isEqualTo("not sure: the interval is too wide");
    }

    @Test
    void theAnswerIsAtTheTopOfTheReportAndInItsOwnCsv() throws Exception {
        Results r = results(new double[][] {{0.70, 0.72, 0.84, 0.80}, {0.71, 0.73, 0.86, 0.81}, {0.69, 0.71, 0.85,
            0.79}});
        ReportPage page = new ReportPage(r, dir);
        new PractitionerExperiment(r.spec().experiments().practitioner()).answer(page);
        String html = page.html().toString();
        assertThat(html).contains("<h2>Answer: where to start, per backbone and amount of data</h2>")
                .contains("<th>vs random, 2x epochs</th>")
                .contains("<td>resnet18</td><td>50</td><td><b>published</b></td>").contains("clearly ahead");
        List<String> csv = Files.readAllLines(dir.resolve("practitioner.csv"));
        assertThat(csv.get(0)).startsWith("model,train_images,start_from,test_auc_mean");
        // lead 0.05 [0.05 -+ 4.303 x 0.01 / sqrt(3)], over random 0.15, over random-long 0.85 - 0.72 = 0.13
        assertThat(csv.get(1)).isEqualTo("\"resnet18\",50,\"published\",0.850000,\"own\",0.050000,0.025157,0.074843,"
                + "0.150000,0.130000,3,\"clearly ahead\"");
    }

    @Test
    void anArmWhoseRunsFailedIsSaidToHaveFailedNotLeftBlank() throws Exception {
        // random-long's runs at 50 images failed (collapsed) on every seed: the answer says so where the gain over it
        // would be
        StudySpec spec = SpecReader.parse(SPEC.replace("models: [cbr-small, resnet18]", "models: [resnet18]")
                .replace("[published, \"hub:a1_in1k\", own]", "[published, own]"), "p.yaml");
        Plan plan = Plan.of(spec, dir, null);
        List<RunResult> given = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            given.add(result(plan, "resnet18", "random", 50, seed, 0.70 + 0.01 * seed));
            given.add(result(plan, "resnet18", "from:published", 50, seed, 0.80 + 0.01 * seed));
            given.add(result(plan, "resnet18", "from:own", 50, seed, 0.75 + 0.01 * seed));
            Path failed = new org.transfusion.engine.run.RunFolder(plan.run("resnet18", "random-long", 50, seed).folder())
                    .failureJson();
            Files.createDirectories(failed.getParent());
            Files.writeString(failed, "{}");
        }
        ReportPage page = new ReportPage(new Results(plan, given), dir);
        new PractitionerExperiment(spec.experiments().practitioner()).answer(page);
        assertThat(page.html().toString()).contains("<td>failed on 3 of 3 seeds (collapsed or diverged: no model)</td>")
                .contains("<b>published</b>");
    }

    @Test
    void theRankingHoldsUnlessTheRunnerUpIsClearlyBetterOnTheExternalData() {
        // external best - next: 0.00, 0.01, -0.01 -> mean 0, sd 0.01, [-0.0248, +0.0248]: lower end above -0.02? no
        // (-0.0248): inconclusive; 0.02, 0.03, 0.01 -> [-0.005, +0.045], above -0.02: holds; -0.05, -0.04, -0.06 ->
        // [-0.075, -0.025], below 0: reversed
        assertThat(Findings.judgeRankingHolds("m", "from:own", "random", 0.03, new double[] {0.00, 0.01, -0.01},
                "ext").verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(Findings.judgeRankingHolds("m", "from:own", "random", 0.03, new double[] {0.02, 0.03, 0.01},
                "ext").verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(Findings.judgeRankingHolds("m", "from:own", "random", 0.03, new double[] {-0.05, -0.04, -0.06},
                "ext").verdict()).isEqualTo(Finding.Verdict.NOT_REPRODUCED);
    }

    @Test
    void aSourcesGainSurvivesLongerRandomTrainingOnlyWhenItsIntervalIsAboveZeroAndTheMarginIsMet() {
        // transfer - random-long: 0.04, 0.05, 0.06 -> [0.025, 0.075] above 0, mean 0.05 > 0.01: survives
        Finding yes = Findings.judgeSurvivesLongerTraining("resnet18", "published", 2, new double[] {0.80, 0.80, 0.80},
                new double[] {0.84, 0.85, 0.86}, "all");
        assertThat(yes.verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        // 0.000, 0.005, 0.010 -> mean 0.005, sd 0.005 -> [-0.0074, 0.0174], below +0.02: the gain did not survive
        Finding no = Findings.judgeSurvivesLongerTraining("resnet18", "published", 2, new double[] {0.80, 0.80, 0.80},
                new double[] {0.800, 0.805, 0.810}, "all");
        assertThat(no.verdict()).isEqualTo(Finding.Verdict.NOT_REPRODUCED);
        // two seeds decide nothing
        Finding few = Findings.judgeSurvivesLongerTraining("resnet18", "published", 2, new double[] {0.8, 0.8,
            Double.NaN}, new double[] {0.9, 0.9, 0.9}, "all");
        assertThat(few.verdict()).isEqualTo(Finding.Verdict.INCONCLUSIVE);
        assertThat(few.measured()).contains("2 paired seeds (at least 3 needed to judge)");
    }
}
