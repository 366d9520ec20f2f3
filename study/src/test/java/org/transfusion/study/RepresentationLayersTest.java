package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.study.record.RepresentationsRecord;

/**
 * How the representation verdicts group a model's probed layers: conv layers without the pooled output, lower and
 * higher halves, the top third (at least two), and the layers CCA is degenerate on (fewer than ten points per
 * neuron) left out and named.
 */
class RepresentationLayersTest {
    private static RepresentationsRecord.Model model(String json) throws Exception {
        return Records.as("test", new ObjectMapper().readTree(json), RepresentationsRecord.Model.class);
    }

    @Test
    void layersAreGroupedAsThePaperDoes() throws Exception {
        // five conv layers and the pooled output: top third of 5 = max(2, (5 + 2) / 3 = 2) -> conv4, conv5;
        // halves of the five usable: 5 / 2 = 2 lower (conv1, conv2), 3 higher
        RepresentationsExperiment.Layers l = RepresentationsExperiment.Layers.of(model("""
                {"layers": ["conv1", "conv2", "conv3", "conv4", "conv5", "pool"],
                 "points": [5000, 5000, 5000, 5000, 5000, 400], "neurons": [32, 64, 128, 256, 256, 256]}"""));
        assertThat(l.names(l.top())).isEqualTo("conv4, conv5");
        assertThat(l.names(l.lower())).isEqualTo("conv1, conv2");
        assertThat(l.names(l.higher())).isEqualTo("conv3, conv4, conv5");
        assertThat(l.dropped(l.top())).isEmpty();
        // the mean over conv4 and conv5 of these values: (0.4 + 0.6) / 2
        assertThat(l.mean(List.of(0.9, 0.8, 0.7, 0.4, 0.6, 0.1), l.top())).isEqualTo(0.5);
    }

    @Test
    void layersWithTooFewPointsPerNeuronAreLeftOutAndNamed() throws Exception {
        // resnet50's layer4 with 5,000 points for 2,048 neurons: 5000 < 10 * 2048, degenerate for CCA
        RepresentationsExperiment.Layers l = RepresentationsExperiment.Layers.of(model("""
                {"layers": ["conv1", "layer1", "layer2", "layer3", "layer4", "pool"],
                 "points": [5000, 5000, 5000, 5000, 5000, 400], "neurons": [64, 256, 512, 1024, 2048, 2048]}"""));
        assertThat(l.names(l.top())).isEqualTo("");
        assertThat(l.dropped(l.top())).isEqualTo(" (layer3 left out: 5000 points for 1024 neurons; layer4 left out: "
                + "5000 points for 2048 neurons)");
        assertThat(l.mean(List.of(0.9, 0.8, 0.7, 0.4, 0.6, 0.1), l.top())).isNaN();
        // usable: conv1 (5000 >= 640), layer1 (>= 2560), not layer2 (5000 < 5120)
        assertThat(l.names(l.lower())).isEqualTo("conv1");
        assertThat(l.names(l.higher())).isEqualTo("layer1");
    }

    /**
     * What "top", "lower" and "higher" mean for the ResNets, from the layers their cards probe (issue 30: each stage
     * output once; before, resnet18's top five were layer3.1, layer3, layer4.0, layer4.1, layer4, two of them twice).
     */
    @Test
    void resnetGroupsFromTheirCardsCountNoLayerTwice() throws Exception {
        RepresentationsExperiment.Layers r18 = cardLayers("resnet18");
        assertThat(r18.names(r18.top())).isEqualTo("layer3, layer4.0, layer4");
        assertThat(r18.names(r18.lower())).isEqualTo("conv1, layer1.0, layer1, layer2.0");
        assertThat(r18.names(r18.higher())).isEqualTo("layer2, layer3.0, layer3, layer4.0, layer4");
        RepresentationsExperiment.Layers r50 = cardLayers("resnet50");
        assertThat(r50.names(r50.top())).isEqualTo("layer3.3, layer3.4, layer3, layer4.0, layer4.1, layer4");
    }

    private static RepresentationsExperiment.Layers cardLayers(String model) throws Exception {
        List<String> layers = ModelRegistry.get(model).probedLayers();
        ObjectMapper json = new ObjectMapper();
        return RepresentationsExperiment.Layers.of(model(json.writeValueAsString(Map.of("layers", layers,
                "points", layers.stream().map(l -> 1_000_000).toList(),
                "neurons", layers.stream().map(l -> 1).toList()))));
    }
}
