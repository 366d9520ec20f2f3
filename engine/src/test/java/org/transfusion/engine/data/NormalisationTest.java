package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

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

    @Test
    void parsesTheNamesAndTheValuesAUserTypes() {
        assertThat(Normalisation.parse("ImageNet")).isEqualTo(Normalisation.IMAGENET);
        assertThat(Normalisation.parse(" inception ")).isEqualTo(Normalisation.INCEPTION);
        assertThat(Normalisation.parse("0.1, 0.2,0.3/0.4,0.5,0.6"))
                .isEqualTo(new Normalisation(List.of(0.1, 0.2, 0.3), List.of(0.4, 0.5, 0.6)));
        // what label() spells for another is not parse's syntax, but the values it gives are the same
        assertThat(Normalisation.parse("0.485,0.456,0.406/0.229,0.224,0.225")).isEqualTo(Normalisation.IMAGENET);
    }

    @Test
    void aBadNormalisationIsOneLineSayingWhatWasExpected() {
        String expected = "expected imagenet, inception, or three means and three stds as M,M,M/S,S,S";
        assertThatThrownBy(() -> Normalisation.parse("imagenett")).isInstanceOf(BadInputException.class)
                .hasMessage("normalisation 'imagenett': " + expected + " (e.g. 0.5,0.5,0.5/0.25,0.25,0.25)");
        assertThatThrownBy(() -> Normalisation.parse("0.5,0.5/0.2,0.2,0.2")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("normalisation '0.5,0.5/0.2,0.2,0.2': a normalisation has 3 means and 3 stds")
                .hasMessageContaining(expected);
        assertThatThrownBy(() -> Normalisation.parse("0.5,0.5,0.5/0.2,0,0.2")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("stds must be positive and finite");
        assertThatThrownBy(() -> Normalisation.parse("0.5,x,0.5/0.2,0.2,0.2")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> Normalisation.parse("NaN,0.5,0.5/0.2,0.2,0.2")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("values must be finite, got NaN");
        assertThatThrownBy(() -> Normalisation.parse("1e999,0.5,0.5/0.2,0.2,0.2")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("values must be finite, got 1e999");
    }
}
