package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class SimilarityReportTest {

    private final Activations[] xy = Fixtures.correlatedPair(200, 4, 6, 3, 9);

    @Test
    void jsonHasOnlyTheMethodsAsked() {
        SimilarityReport r = Similarity.compute(xy[0], xy[1], EnumSet.of(Method.CCA, Method.CKA_LINEAR),
                SimilarityOptions.defaults());
        String json = r.toJson();
        double[] c = r.cca().orElseThrow().coefficients();
        assertThat(json).startsWith("{\n  \"inputs\": [\"X\", \"Y\"],\n  \"points\": 200,\n  \"neurons\": [4, 6],\n")
                .contains("\"dropped_neurons\": [{\"constant\": [], \"collinear\": []}, {\"constant\": [], \"collinear\": []}]")
                .contains("\"cca\": {\"mean\": " + r.cca().orElseThrow().mean() + ", \"coefficients\": [" + c[0] + ", "
                        + c[1] + ", " + c[2] + ", " + c[3] + "]}")
                .contains("\"cka_linear\": {\"value\": " + r.ckaLinear().orElseThrow() + ", \"debiased\": false}\n}")
                .doesNotContain("svcca").doesNotContain("pwcca").doesNotContain("cka_rbf");
    }

    @Test
    void allGivesEveryMethod() {
        SimilarityReport r = Similarity.compute(xy[0], xy[1], Method.parse("all"),
                SimilarityOptions.defaults().withSigmaFraction(0.8));
        String json = r.toJson();
        assertThat(json).contains("\"cca\": {", "\"svcca\": {\"mean\": ", "\"dims\": [", "\"keep_variance\": 0.99",
                "\"pwcca\": {\"value\": ", "\"weights_from\": \"X\"", "\"cka_linear\": {",
                "\"cka_rbf\": {\"value\": ", "\"sigma_fraction\": 0.8, \"points\": 200");
        assertThat(json.lines().count()).isEqualTo(11);
    }

    @Test
    void csvListsCoefficientsPerMethod() {
        SimilarityReport r = Similarity.compute(xy[0], xy[1], EnumSet.of(Method.CCA, Method.PWCCA), SimilarityOptions.defaults());
        String[] lines = r.toCsv().split("\n");
        assertThat(lines[0]).isEqualTo("method,index,value");
        assertThat(lines[1]).isEqualTo("cca,0," + r.cca().orElseThrow().coefficients()[0]);
        assertThat(lines).hasSize(1 + 4 + 4);
        assertThat(lines[5]).startsWith("pwcca_weight,0,");
    }

    @Test
    void numbersAreValidJson() {
        assertThat(SimilarityReport.num(1.0)).isEqualTo("1.0");
        assertThat(SimilarityReport.num(1e-7)).isEqualTo("1.0E-7");
        assertThat(SimilarityReport.str("a\"b\\c\n")).isEqualTo("\"a\\\"b\\\\c\\n\"");
    }
}
