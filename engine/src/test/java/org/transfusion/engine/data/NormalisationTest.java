package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed mean/std gives the pipeline exactly the floats it used before it was typed. */
class NormalisationTest {

    @Test
    void imagenetGivesTorchvisionsFloatsForRgbAndGrey() {
        assertThat(Normalisation.IMAGENET.mean(3)).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(Normalisation.IMAGENET.std(3)).containsExactly(0.229f, 0.224f, 0.225f);
        // torchvision's grey statistics are the channels' averages
        assertThat(Normalisation.IMAGENET.mean(1)).containsExactly(0.449f);
        assertThat(Normalisation.IMAGENET.std(1)).containsExactly(0.226f);
    }

    @Test
    void inceptionScalesToMinusOneToOne() {
        ImagePipeline p = ImagePipeline.of(Normalisation.INCEPTION, 1, 1, Augment.NONE);
        assertThat(p.mean()).containsExactly(0.5f);
        assertThat(p.std()).containsExactly(0.5f);
        assertThat(ImagePipeline.of(Normalisation.INCEPTION, 1, 3, Augment.NONE).mean()).containsExactly(0.5f, 0.5f,
                0.5f);
    }

    @Test
    void labelsNameTheTwoKnownOnesAndSpellOutOthers() {
        assertThat(Normalisation.IMAGENET.label()).isEqualTo("imagenet");
        assertThat(new Normalisation(List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5)).label()).isEqualTo("inception");
        assertThat(new Normalisation(List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0)).label())
                .isEqualTo("mean [0.0, 0.0, 0.0] std [1.0, 1.0, 1.0]");
    }

    @Test
    void refusesWhatIsNoNormalisation() {
        assertThatThrownBy(() -> new Normalisation(List.of(0.5), List.of(0.5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Normalisation(List.of(0.5, 0.5, 0.5), List.of(0.5, 0.0, 0.5)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
