package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WhereModelsLookTest {
    @Test
    void theDemoShowsFourImagesTheOtherScalesEight() {
        assertThat(WhereModelsLook.images(Presets.get("all", "demo"))).isEqualTo(4);
        assertThat(WhereModelsLook.images(Presets.get("all", "quick"))).isEqualTo(8);
        assertThat(WhereModelsLook.images(Presets.get("performance", "paper"))).isEqualTo(8);
    }

    @Test
    void theSectionComesWithThePerformanceExperimentOnly() {
        assertThat(Experiments.of(Presets.get("all", "demo"))).anyMatch(e -> e instanceof WhereModelsLook);
        assertThat(Experiments.of(Presets.get("convergence", "demo"))).noneMatch(e -> e instanceof WhereModelsLook);
    }
}
