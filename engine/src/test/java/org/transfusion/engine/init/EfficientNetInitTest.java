package org.transfusion.engine.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.DeterministicWeights;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.train.Optimizer;
import org.transfusion.engine.train.TrainStep;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Every init scheme that applies to efficientnet-b0 initialises it from a pretrained efficientnet-b0 (1000 classes,
 * timm's keys: what {@code timm/efficientnet_b0.ra_in1k} holds; here {@link DeterministicWeights}' values) for a
 * one-output binary task, and the network then takes a finite training step that moves its weights.
 * {@code slim} is refused: efficientnet-b0 has no slim variant (as for densenet121 and inception-v3).
 */
@Tag("slow") // eleven schemes on a 5.3 M-parameter source, about 30 s: left out of the fast loop (-Pfast)
class EfficientNetInitTest {
    @TempDir static Path dir;
    static Path pretrained;
    static StateDict source;

    @BeforeAll
    static void weights() {
        source = DeterministicWeights.of(ModelRegistry.get("efficientnet-b0").build(3, 1000, 1.0));
        pretrained = dir.resolve("efficientnet-b0.safetensors");
        SafeTensors.write(pretrained, source, Map.of());
    }

    private static Architecture target() {
        return ModelRegistry.get("efficientnet-b0").build(3, 1, 1.0);
    }

    /** Applies {@code scheme}, takes one Adam step at 32 px, and returns the initial weights. */
    private static StateDict initAndStep(String scheme, boolean weights) {
        Architecture a = target();
        InitResult r = InitSchemes.apply(scheme, a, weights ? pretrained : null, 5);
        Task task = new Task("t", Task.Type.BINARY, List.of("t"), l -> l);
        int n = 4;
        int size = a.minImageSize();
        Batch b = new Batch(0, n, 3, size, DeterministicWeights.input(n, 3, size, size), new float[] {0, 1, 0, 1}, 1);
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, r.weights())) {
            float loss = new TrainStep(net, new Optimizer(OptimizerKind.ADAM, 0.9f, 0f), task).run(b, 1e-3f);
            assertThat(loss).as(scheme + " loss").isFinite();
            StateDict after = net.toStateDict();
            for (String key : List.of("conv_stem.weight", "blocks.3.1.se.conv_reduce.weight", "classifier.weight")) {
                assertThat(after.get(key).values()).as(scheme + ": " + key + " moved")
                        .isNotEqualTo(r.weights().get(key).values());
            }
        }
        return r.weights();
    }

    @Test
    void randomTrains() {
        StateDict w = initAndStep("random", false);
        assertThat(w.get("blocks.2.0.conv_dw.weight").values())
                .isEqualTo(RandomInit.of(target(), Seeds.stream(5, "init"))
                        .get("blocks.2.0.conv_dw.weight").values());
    }

    @Test
    void pretrainedCopiesEveryTensorButTheNewHead() {
        StateDict w = initAndStep("pretrained", true);
        for (String key : List.of("conv_stem.weight", "blocks.0.0.se.conv_expand.bias", "blocks.5.3.bn3.running_var",
                "conv_head.weight", "bn2.weight")) {
            assertThat(w.get(key).values()).as(key).isEqualTo(source.get(key).values());
        }
        assertThat(w.get("classifier.weight").shape()).containsExactly(1, 1280);
    }

    @Test
    void transfusionKeepsTheBlocksUpToTheOneNamed() {
        StateDict w = initAndStep("transfusion:blocks.3", true);
        assertThat(w.get("blocks.3.2.conv_pwl.weight").values()).isEqualTo(source.get("blocks.3.2.conv_pwl.weight")
                .values());
        assertThat(w.get("blocks.4.0.conv_pw.weight").values()).isNotEqualTo(source.get("blocks.4.0.conv_pw.weight")
                .values());
        assertThat(w.get("conv_head.weight").values()).isNotEqualTo(source.get("conv_head.weight").values());
    }

    @Test
    void statisticsSchemesDrawNewWeights() {
        for (String scheme : List.of("meanvar", "meanvar-bn-copy", "shuffle", "moments", "covariance",
                "meanvar-channel")) {
            StateDict w = initAndStep(scheme, true);
            assertThat(w.get("blocks.4.1.conv_dw.weight").values()).as(scheme)
                    .isNotEqualTo(source.get("blocks.4.1.conv_dw.weight").values());
        }
    }

    @Test
    void gaborFillsTheStem() {
        for (String scheme : List.of("gabor", "gabor+meanvar")) {
            StateDict w = initAndStep(scheme, scheme.contains("meanvar"));
            assertThat(w.get("conv_stem.weight").values()).as(scheme)
                    .isEqualTo(GaborBank.of("mixed", 3).fill(new long[] {32, 3, 3, 3}).values());
        }
    }

    @Test
    void slimIsRefused() {
        assertThatThrownBy(() -> InitSchemes.apply("slim", target(), pretrained, 5))
                .isInstanceOf(BadInputException.class)
                .hasMessage("--init slim needs a slim model (e.g. --model resnet50-slim); efficientnet-b0 is not one");
    }
}
