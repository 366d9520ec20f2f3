package org.transfusion.engine.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ConvNeXt;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.engine.model.TensorSpec;
import org.transfusion.engine.model.VisionTransformer;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.train.Optimizer;
import org.transfusion.engine.train.TrainStep;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Every init scheme on the modern backbones: each defined one gives weights a training step runs from (finite loss,
 * parameters moved), by its stated rule for the new tensor kinds; the one that cannot apply (slim: neither model has
 * a slim variant) is refused in one line. The networks are small instances of the same classes (a ViT with dim 64,
 * depth 4, 2 heads, patches of 8 at 32 px; a ConvNeXt of depths 1-1-2-1, dims 16-32-64-128), so the drawing schemes
 * (covariance's cost is n^2 p per tensor) run in seconds; the registered models' own tensors differ only in number
 * and size. The expected constants of random init are timm's (its {@code init_weights_vit_timm}, ConvNeXt's
 * {@code _init_weights}, {@code ls_init_value} at commit aa4b585): trunc normal std 0.02, class token std 1e-6,
 * layer scale 1e-6, layer norm identity.
 */
@Tag("slow") // trains networks from twelve schemes each: left out of the fast loop (-Pfast), run by ./mvnw verify
class ModernBackboneInitTest {
    @TempDir static Path dir;

    private static final List<String> SCHEMES = List.of("random", "pretrained", "meanvar", "meanvar-bn-copy",
            "shuffle", "moments", "covariance", "meanvar-channel", "gabor", "gabor:low", "gabor+meanvar");

    private static Path vitWeights;
    private static Path convnextWeights;
    private static StateDict vitSource;

    private static Architecture vit(int classes) {
        return new VisionTransformer("vit-test", 3, classes, 8, 64, 4, 2, 128, 32);
    }

    private static Architecture convnext(int classes) {
        return new ConvNeXt("convnext-test", 3, classes, new int[] {1, 1, 2, 1}, new int[] {16, 32, 64, 128});
    }

    /** "Pretrained" weights with 10 classes: random init, each tensor offset and spread so its statistics are its own. */
    private static StateDict pretrained(Architecture a) {
        StateDict w = RandomInit.of(a, 99);
        int i = 0;
        for (TensorSpec spec : a.specs().values()) {
            float[] v = w.get(spec.key()).values();
            for (int k = 0; k < v.length; k++) {
                v[k] = v[k] * (1 + 0.1f * i) + 0.01f * i + 0.05f * (float) Math.sin(k + i);
            }
            i++;
        }
        return w;
    }

    @BeforeAll
    static void weights() {
        vitSource = pretrained(vit(10));
        vitWeights = dir.resolve("vit.safetensors");
        SafeTensors.write(vitWeights, vitSource, Map.of());
        convnextWeights = dir.resolve("convnext.safetensors");
        SafeTensors.write(convnextWeights, pretrained(convnext(10)), Map.of());
    }

    @Test
    void everyDefinedSchemeTrainsTheViT() {
        for (String scheme : withTransfusion("blocks.1")) {
            trainsFrom(scheme, vit(2), vitWeights);
        }
    }

    @Test
    void everyDefinedSchemeTrainsConvNeXt() {
        for (String scheme : withTransfusion("stages.1")) {
            trainsFrom(scheme, convnext(2), convnextWeights);
        }
    }

    private static List<String> withTransfusion(String block) {
        List<String> all = new java.util.ArrayList<>(SCHEMES);
        all.add("transfusion:stem");
        all.add("transfusion:" + block);
        return all;
    }

    /** One Adam step on a 4-image 32 px batch from the scheme's weights: a finite loss and moved parameters. */
    private static void trainsFrom(String scheme, Architecture a, Path weights) {
        InitResult r = InitSchemes.apply(scheme, a, InitScheme.parse(scheme).needsWeights() ? weights : null, 5);
        Task task = new Task("two", Task.Type.MULTICLASS, List.of("a", "b"), l -> l);
        int n = 4;
        int size = 32;
        float[] images = new float[n * 3 * size * size];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) rng.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager(); Network net = Network.create(m, a, r.weights())) {
            float loss = new TrainStep(net, new Optimizer(OptimizerKind.ADAM, 0.9f, 0f), task)
                    .run(new Batch(0, n, 3, size, images, new float[] {0, 1, 0, 1}, 1), 1e-3f);
            assertThat(loss).as(a.name() + " from " + scheme).isFinite().isPositive();
            StateDict after = net.toStateDict();
            for (String key : List.of(a.firstConvPrefix() + ".weight", a.classifierPrefix() + ".weight")) {
                assertThat(after.get(key).values()).as(a.name() + " " + key + " trained from " + scheme)
                        .isNotEqualTo(r.weights().get(key).values());
            }
        }
    }

    @Test
    void randomInitIsTimms() {
        Architecture v = vit(2);
        StateDict w = RandomInit.of(v, 1);
        assertThat(w.get("blocks.0.attn.qkv.weight").std()).isCloseTo(0.02, within(0.001));
        assertThat(w.get("blocks.0.attn.qkv.bias").values()).containsOnly(0f);
        assertThat(w.get("pos_embed").std()).isCloseTo(0.02, within(0.002));
        assertThat(w.get("cls_token").std()).isCloseTo(1e-6, within(3e-7));
        assertThat(w.get("blocks.0.norm1.weight").values()).containsOnly(1f);
        assertThat(w.get("norm.bias").values()).containsOnly(0f);
        // The patch embedding is a convolution timm's ViT init leaves at PyTorch's default: uniform +-1/sqrt(fan_in).
        float bound = (float) (1 / Math.sqrt(3 * 8 * 8));
        float largest = 0;
        for (float x : w.get("patch_embed.proj.weight").values()) {
            largest = Math.max(largest, Math.abs(x));
        }
        assertThat(largest).isLessThan(bound);
        assertThat(w.get("patch_embed.proj.weight").std()).isCloseTo(bound / Math.sqrt(3), within(0.1 * bound));
        Architecture c = convnext(2);
        StateDict cw = RandomInit.of(c, 1);
        assertThat(cw.get("stages.3.blocks.0.mlp.fc1.weight").std()).isCloseTo(0.02, within(0.001));
        assertThat(cw.get("stages.3.blocks.0.conv_dw.weight").std()).isCloseTo(0.02, within(0.002));
        assertThat(cw.get("stages.3.blocks.0.conv_dw.bias").values()).containsOnly(0f);
        assertThat(cw.get("stages.0.blocks.0.gamma").values()).containsOnly(1e-6f);
        assertThat(cw.get("stem.1.weight").values()).containsOnly(1f);
    }

    /** Layer norm as batch-norm (identity, or copied by meanvar-bn-copy); embeddings and layer scale drawn. */
    @Test
    void meanVarResetsLayerNormAndDrawsTheEmbeddings() {
        Architecture a = vit(10);
        StateDict reset = InitSchemes.apply("meanvar", a, vitWeights, 3).weights();
        StateDict copied = InitSchemes.apply("meanvar-bn-copy", a, vitWeights, 3).weights();
        for (TensorSpec spec : a.specs().values()) {
            HostTensor got = reset.get(spec.key());
            HostTensor src = vitSource.get(spec.key());
            if (spec.kind() == TensorKind.LN_WEIGHT) {
                assertThat(got.values()).as(spec.key()).containsOnly(1f);
                assertThat(copied.get(spec.key()).values()).as(spec.key()).containsExactly(src.values());
            } else if (spec.kind() == TensorKind.LN_BIAS) {
                assertThat(got.values()).as(spec.key()).containsOnly(0f);
                assertThat(copied.get(spec.key()).values()).as(spec.key()).containsExactly(src.values());
            } else {
                assertThat(got.values()).as(spec.key()).isNotEqualTo(src.values());
            }
        }
        HostTensor pos = reset.get("pos_embed");
        HostTensor src = vitSource.get("pos_embed");
        int n = pos.values().length;
        assertThat(pos.mean()).isCloseTo(src.mean(), within(5 * src.std() / Math.sqrt(n)));
        assertThat(pos.std()).isCloseTo(src.std(), within(5 * src.std() / Math.sqrt(2.0 * n)));
    }

    @Test
    void transfusionCopiesUpToItsBlockOnly() {
        Architecture a = vit(2);
        StateDict w = InitSchemes.apply("transfusion:blocks.1", a, vitWeights, 3).weights();
        assertThat(w.get("pos_embed").values()).containsExactly(vitSource.get("pos_embed").values());
        assertThat(w.get("blocks.1.mlp.fc2.weight").values())
                .containsExactly(vitSource.get("blocks.1.mlp.fc2.weight").values());
        assertThat(w.get("blocks.2.mlp.fc2.weight").values())
                .isNotEqualTo(vitSource.get("blocks.2.mlp.fc2.weight").values());
        assertThat(a.blocks()).containsExactly("stem", "blocks.0", "blocks.1", "blocks.2", "blocks.3", "norm", "head");
        assertThat(convnext(2).blocks()).containsExactly("stem", "stages.0", "stages.1", "stages.2", "stages.3",
                "head");
    }

    @Test
    void slimIsRefusedInOneLine() {
        for (String model : List.of("vit-small-p16", "convnext-tiny")) {
            Architecture a = ModelRegistry.get(model).build(3, 2, 1.0);
            assertThatThrownBy(() -> InitSchemes.apply("slim", a, vitWeights, 0))
                    .isInstanceOf(BadInputException.class)
                    .hasMessage("--init slim needs a slim model (e.g. --model resnet50-slim); " + model + " is not one");
        }
    }
}
