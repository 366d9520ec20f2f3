package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 30, "Also": a multilabel study's per-label AUCs (CheXpert's five findings) are judged as the mean is, paired
 * by seed, and belong to claim 1's family, so Holm corrects them together.
 */
class PerLabelFindingsTest {
    @TempDir Path dir;

    private static RunResult result(PlannedRun run, double a, double b) {
        Map<String, Double> perLabel = new LinkedHashMap<>();
        perLabel.put("Atelectasis", a);
        perLabel.put("Edema", b);
        return new RunResult(run, 0.8, (a + b) / 2, Double.NaN, Double.NaN, Map.of(), new double[0], new double[0],
                100, Double.NaN, perLabel, Double.NaN, new double[0]);
    }

    @Test
    void eachLabelIsPairedBySeedLikeTheMean() {
        StudySpec spec = SpecReader.parse("""
                name: cx
                data: "synthetic:retina?n=120&size=16"
                task: referable
                image_size: 16
                models: [cbr-tiny]
                seeds: [0, 1, 2]
                training: {epochs: 1, batch_size: 8}
                pretrain: {data: "synthetic:natural?n=100&size=16", task: multiclass, epochs: 1, published: false}
                experiments:
                  performance: {schemes: [random, pretrained]}
                """, "cx.yaml");
        Plan plan = Plan.of(spec, dir, null);
        List<RunResult> all = new ArrayList<>();
        // Atelectasis: transfer - random 0.005, 0.006, 0.004 (CI within +-0.02: reproduced); Edema: +0.10, +0.11,
        // +0.09 (CI [0.075, 0.125], beyond the margin: not reproduced), as in FindingsTest's arithmetic
        double[][] random = {{0.80, 0.70}, {0.80, 0.70}, {0.80, 0.70}};
        double[][] transfer = {{0.805, 0.80}, {0.806, 0.81}, {0.804, 0.79}};
        for (int i = 0; i < 3; i++) {
            all.add(result(plan.run("cbr-tiny", "random", null, i), random[i][0], random[i][1]));
            all.add(result(plan.run("cbr-tiny", "pretrained", null, i), transfer[i][0], transfer[i][1]));
        }
        List<Finding> findings = new PerformanceExperiment(spec.experiments().performance())
                .findings(new Results(plan, all)).stream()
                .filter(f -> f.claim().equals(Findings.TRANSFER_NO_GAIN)).toList();
        assertThat(findings).extracting(f -> f.measured().substring(0, f.measured().indexOf(':')))
                .containsExactly("cbr-tiny", "cbr-tiny [Atelectasis]", "cbr-tiny [Edema]");
        assertThat(findings.get(1).verdict()).isEqualTo(Finding.Verdict.REPRODUCED);
        assertThat(findings.get(2).verdict()).isEqualTo(Finding.Verdict.NOT_REPRODUCED);
        // one family: the Edema contradiction survives Holm over three tests (its p is far below 0.05 / 3)
        Family.Summary s = Family.summarise(findings).get(0);
        assertThat(s.findings()).hasSize(3);
        assertThat(s.verdict()).isEqualTo(Finding.Verdict.NOT_REPRODUCED);
    }
}
