package org.transfusion.engine.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Normalisation;
import org.transfusion.engine.model.ModelRegistry;

/**
 * A run's input normalisation: the model card's unless the run gives its own (a checkpoint trained with other input
 * statistics, issue 31's DINO and DeiT ViTs); one equal to the card's spells the same run as none.
 */
class RunNormalisationTest {
    private static final Normalisation OTHER = new Normalisation(List.of(0.1, 0.2, 0.3), List.of(0.4, 0.5, 0.6));

    @Test
    void theCardsOwnIsStoredAsNoneSoBothSpellTheSameRun() {
        RunSpec plain = RunSpec.builder("synthetic:retina?n=40&size=16", "vit-small-p16").build();
        assertThat(ModelRegistry.get("vit-small-p16").normalisation()).isEqualTo(Normalisation.INCEPTION);
        RunSpec same = plain.toBuilder().normalisation(Normalisation.INCEPTION).build();
        assertThat(same.normalisation()).isNull();
        assertThat(same.sameRunAs(plain)).isTrue();
        RunSpec dino = plain.toBuilder().normalisation(Normalisation.IMAGENET).build();
        assertThat(dino.normalisation()).isEqualTo(Normalisation.IMAGENET);
        assertThat(dino.sameRunAs(plain)).as("other inputs: another run").isFalse();
        assertThat(RunSpec.fromJson(dino.toJson(), "test")).isEqualTo(dino);
    }

    @Test
    void thePipelineFeedsTheRunsOwnNormalisationElseTheCards() {
        RunSpec plain = RunSpec.builder("synthetic:retina?n=40&size=16", "cbr-tiny").build();
        // cbr-tiny's card: ImageNet's statistics (torchvision's floats)
        assertThat(RunSetup.prepare(plain).pipeline().mean()).containsExactly(0.485f, 0.456f, 0.406f);
        RunSetup own = RunSetup.prepare(plain.toBuilder().normalisation(OTHER).build());
        assertThat(own.pipeline().mean()).containsExactly(0.1f, 0.2f, 0.3f);
        assertThat(own.pipeline().std()).containsExactly(0.4f, 0.5f, 0.6f);
    }
}
