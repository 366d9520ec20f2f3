package org.transfusion.engine.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.testing.TestNpz;
import org.transfusion.engine.train.Progress;
import org.transfusion.engine.train.Trainer;
import org.transfusion.error.BadInputException;
import org.transfusion.similarity.Method;

@Tag("slow") // trains real networks for over 20 s: left out of the fast loop (-Pfast), run by ./mvnw verify
class RunComparisonTest {
    @TempDir static Path dir;
    static Path small;
    static Path smallSeed2;
    static Path tiny;
    static Path untrained;

    private static Path train(String name, String model, long seed) {
        RunSpec o = RunSpec.builder(spec, model).length(6L, null).evalEvery(3).seed(seed).build();
        Path out = dir.resolve(name);
        Trainer.run(o, new RunFolder(out), false, Progress.SILENT);
        return out;
    }

    static String spec;

    @BeforeAll
    static void runs() throws IOException {
        spec = "npz:" + TestNpz.brightSquares(dir, 64, 48, 16, 5);
        small = train("small", "cbr-small", 1);
        smallSeed2 = train("small2", "cbr-small", 2);
        tiny = train("tiny", "cbr-tiny", 1);
        // An untrained run: the same folder with its trained weights replaced by its weights at step 0.
        untrained = dir.resolve("untrained");
        Files.createDirectories(untrained);
        for (String f : new String[] {"run.json", "init.safetensors"}) {
            Files.copy(small.resolve(f), untrained.resolve(f));
        }
        Files.copy(small.resolve("init.safetensors"), untrained.resolve("weights.safetensors"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static RunComparison.Request request(List<String> layers, int maxPoints) {
        return new RunComparison.Request(null, null, Split.TEST, layers,
                Method.parse("cca,svcca,pwcca,cka-linear"), maxPoints, 0, ActivationProbe.Fold.FLATTEN, 3);
    }

    @Test
    void aRunComparedWithItselfIsOneAtEveryLayer() {
        RunComparison.Result r = RunComparison.between(small, small, request(List.of(), 1500));
        assertThat(r.layers()).extracting(LayerSimilarity::layerA)
                .containsExactly("layer1", "layer2", "layer3", "layer4", "pool");
        for (LayerSimilarity l : r.layers()) {
            for (Map.Entry<String, Double> e : l.values().entrySet()) {
                if (!Double.isNaN(e.getValue())) { // CCA is undefined at 'pool' (48 images, 256 neurons)
                    assertThat(e.getValue()).as(l.layerA() + " " + e.getKey()).isCloseTo(1.0, within(1e-6));
                }
            }
            assertThat(l.values().get("cka_linear")).as(l.layerA()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void beforeAfterOfAnUntrainedRunIsOneAndItsWeightsDidNotMove() {
        RunComparison.Result r = RunComparison.beforeAfter(untrained, request(List.of("layer1", "layer2"), 1000));
        for (LayerSimilarity l : r.layers()) {
            assertThat(l.values().get("pwcca")).isCloseTo(1.0, within(1e-6));
            assertThat(l.values().get("cka_linear")).isCloseTo(1.0, within(1e-9));
        }
        assertThat(r.movement()).isNotEmpty();
        assertThat(r.movement().values()).containsOnly(0.0);
    }

    @Test
    void trainingMovesWeightsAndTwoSeedsDifferAtSomeLayer() {
        RunComparison.Result ba = RunComparison.beforeAfter(small, request(List.of("layer1"), 1000));
        assertThat(ba.movement().get("layers.0.conv.weight")).isPositive();
        RunComparison.Result seeds = RunComparison.between(small, smallSeed2, request(List.of("layer3"), 1000));
        assertThat(seeds.layers().get(0).values().get("cka_linear")).isLessThan(0.999);
    }

    @Test
    void probesReturnTheDocumentedShapesWithinTheMemoryBound() {
        // 48 test images of 16 px; cbr-small's layer1 map is 32 x 16 x 16 -> 256 positions per image.
        RunComparison.Request big = request(List.of("layer1", "layer4", "pool"), 1_000_000);
        RunSetup s = RunSetup.prepare(RunSpec.builder(spec, "cbr-small").build());
        Map<String, LayerActivations> acts = RepresentationComparison.probe(
                new RepresentationComparison.Side(s.arch(), org.transfusion.engine.weights.SafeTensors.read(
                        small.resolve("weights.safetensors"))),
                new org.transfusion.engine.data.BatchLoader(s.data().split(Split.TEST), s.task(), s.pipeline(), 16,
                        false, 0),
                big.layers(), new RepresentationComparison.ProbeOptions(48, big.maxPoints(), big.fold(), 0));
        // Every position of every image fits under the (huge) bound: 48 * 256 rows of 32 channels.
        assertThat(acts.get("layer1")).extracting(LayerActivations::points, LayerActivations::neurons,
                LayerActivations::mapHeight).containsExactly(48 * 256, 32, 16);
        // layer4: 16 -> 8 -> 4 -> 2 after three pools: 4 positions of 256 channels per image.
        assertThat(acts.get("layer4")).extracting(LayerActivations::points, LayerActivations::neurons)
                .containsExactly(48 * 4, 256);
        assertThat(acts.get("pool")).extracting(LayerActivations::points, LayerActivations::neurons)
                .containsExactly(48, 256);
        // With a bound, no layer keeps more rows than it: the probe's memory is 8 * maxPoints * channels bytes.
        Map<String, LayerActivations> bounded = RepresentationComparison.probe(
                new RepresentationComparison.Side(s.arch(), org.transfusion.engine.weights.SafeTensors.read(
                        small.resolve("weights.safetensors"))),
                new org.transfusion.engine.data.BatchLoader(s.data().split(Split.TEST), s.task(), s.pipeline(), 16,
                        false, 0),
                List.of("layer1", "layer2"), new RepresentationComparison.ProbeOptions(48, 500, big.fold(), 0));
        assertThat(bounded.get("layer1").points()).isEqualTo(500);
        assertThat(bounded.get("layer1").rows()).hasSize(500 * 32);
        assertThat(bounded.get("layer2").points()).isLessThanOrEqualTo(500);
    }

    @Test
    void differentArchitecturesNeedALayerList() {
        assertThatThrownBy(() -> RunComparison.between(small, tiny, request(List.of(), 500)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("different architectures")
                .hasMessageContaining("--layers A:B");
        RunComparison.Result r = RunComparison.between(small, tiny, request(List.of("layer2:layer2"), 500));
        assertThat(r.layers()).singleElement().extracting(LayerSimilarity::neuronsA, LayerSimilarity::neuronsB)
                .containsExactly(64, 128);
    }

    @Test
    void unknownLayerListsTheValidOnes() {
        assertThatThrownBy(() -> RunComparison.between(small, small, request(List.of("layer7"), 500)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("unknown layer 'layer7' for cbr-small")
                .hasMessageContaining("valid: layer1, layer2, layer3, layer4, pool");
    }

    @Test
    void missingInitWeightsAreABadInput() throws IOException {
        Path noInit = dir.resolve("no-init");
        Files.createDirectories(noInit);
        Files.copy(small.resolve("run.json"), noInit.resolve("run.json"));
        Files.copy(small.resolve("weights.safetensors"), noInit.resolve("weights.safetensors"));
        assertThatThrownBy(() -> RunComparison.beforeAfter(noInit, request(List.of(), 500)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("has no init.safetensors");
    }
}
