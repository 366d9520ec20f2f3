package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

/**
 * Width and depth variants of the CBRs (issue 30.9: a size sweep that varies one thing at a time), made by the
 * registry from their names. Parameter counts by hand: 7x7 convs without bias, BN weight and bias per channel,
 * a linear classifier with bias to 2 outputs.
 */
class ModelVariantTest {

    @Test
    void aWidthVariantScalesEveryLayersChannelsAtTheSameDepth() {
        ModelCard half = ModelRegistry.get("cbr-small@w0.5");
        CbrNet net = (CbrNet) half.reference();
        assertThat(net.widths()).containsExactly(16, 32, 64, 128);
        assertThat(net.name()).isEqualTo("cbr-small@w0.5");
        // 49 (3*16 + 16*32 + 32*64 + 64*128) + 2 (16 + 32 + 64 + 128) + 128*2 + 2 = 529,200 + 480 + 258
        assertThat(half.trainableParameters()).isEqualTo(529_938L);
        // a quarter: 3-8-16-32-64: 49 (24 + 128 + 512 + 2048) + 2 * 120 + 64*2 + 2 = 132,888 + 240 + 130
        assertThat(ModelRegistry.get("cbr-small@w0.25").trainableParameters()).isEqualTo(133_258L);
        assertThat(half.family()).isEqualTo(ModelCard.Family.CBR);
        assertThat(half.sizeClass()).isEqualTo(ModelCard.SizeClass.SMALL);
        assertThat(half.published()).isNull();
        assertThat(half.weightsCard()).isSameAs(half);
        assertThat(half.probedLayers()).containsExactly("layer1", "layer2", "layer3", "layer4", "pool");
        assertThat(half.probedWidths()).containsExactly(16, 32, 64, 128, 128);
        assertThat(ModelRegistry.get("cbr-small@w0.5")).as("made once and kept").isSameAs(half);
        assertThat(ModelRegistry.all()).extracting(ModelCard::name).doesNotContain("cbr-small@w0.5");
    }

    @Test
    void aDepthVariantAddsLayersAtTheLastWidthWithoutMorePools() {
        ModelCard deep = ModelRegistry.get("cbr-small@d6");
        CbrNet net = (CbrNet) deep.reference();
        assertThat(net.widths()).containsExactly(32, 64, 128, 256, 256, 256);
        assertThat(net.poolAfter()).containsExactly(true, true, true, true, false, false);
        assertThat(net.minImageSize()).isEqualTo(ModelRegistry.get("cbr-small").reference().minImageSize());
        // 49 (3*32 + 32*64 + 64*128 + 128*256 + 2 * 256*256) + 2 (32 + 64 + 128 + 3 * 256) + 256*2 + 2
        assertThat(deep.trainableParameters()).isEqualTo(8_537_122L);
        CbrNet shallow = (CbrNet) ModelRegistry.get("cbr-small@d2").reference();
        assertThat(shallow.widths()).containsExactly(32, 64);
        assertThat(shallow.poolAfter()).containsExactly(true, true);
        try (NDManager m = NDManager.newBaseManager();
             Network n = Network.create(m, net, RandomInit.of(net, 0))) {
            assertThat(n.forward(m.ones(new Shape(2, 3, 32, 32)), false).getShape()).isEqualTo(new Shape(2, 2));
        }
    }

    @Test
    void theCbrsHonourTheWidthMultiplier() {
        // the same factor as a run's --width or inside the name; both at once multiply
        assertThat(((CbrNet) ModelRegistry.get("cbr-small").build(3, 2, 0.5)).widths()).containsExactly(16, 32, 64,
                128);
        assertThat(((CbrNet) ModelRegistry.get("cbr-small@w0.5").build(3, 2, 0.5)).widths()).containsExactly(8, 16,
                32, 64);
        assertThat(((CbrNet) ModelRegistry.get("cbr-tiny").build(3, 2, 1.0)).widths()).containsExactly(64, 128, 256,
                512);
    }

    @Test
    void badVariantsAreRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> ModelRegistry.get("resnet18@w0.5")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("only a full CBR (cbr-large-tall, cbr-large-wide, cbr-small, cbr-tiny) has width "
                        + "and depth variants");
        assertThatThrownBy(() -> ModelRegistry.get("cbr-small-slim@w0.5")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("only a full CBR");
        assertThatThrownBy(() -> ModelRegistry.get("cbr-small@w0")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("the width factor must be above 0 and at most 8, got 0");
        assertThatThrownBy(() -> ModelRegistry.get("cbr-small@d13")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("the depth must be 1 to 12 layers, got 13");
        assertThatThrownBy(() -> ModelRegistry.get("cbr-small@x2")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("expected cbr-small@wF (a width factor, e.g. cbr-small@w0.5) or cbr-small@dN");
        assertThatThrownBy(() -> ModelRegistry.get("cbr-huge@w2")).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("unknown model 'cbr-huge@w2'");
        assertThat(ModelRegistry.find("cbr-small@w-1")).isEmpty();
        assertThat(ModelRegistry.find("cbr-small@d3")).isPresent();
    }
}
