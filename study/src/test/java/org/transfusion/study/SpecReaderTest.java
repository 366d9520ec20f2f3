package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.run.CalibrationKind;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.OperatingPoint;
import org.transfusion.engine.run.OptimizerKind;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.error.BadInputException;

class SpecReaderTest {
    private static final String VALID = """
            name: mini
            data: synthetic:retina?n=200&size=16
            task: referable
            models: [cbr-small]
            seeds: [0, 1]
            training: {epochs: 1, batch_size: 16, lr: 0.001, eval_every: 2}
            pretrain: {data: "synthetic:natural?n=200&size=16", task: multiclass, epochs: 1}
            experiments:
              performance: {schemes: [random, pretrained]}
              small_data: {sizes: [40], schemes: [random]}
            """;

    @Test
    void readsAValidSpec() {
        StudySpec s = SpecReader.parse(VALID, "mini.yaml");
        assertThat(s.models()).containsExactly("cbr-small");
        assertThat(s.seeds()).containsExactly(0L, 1L);
        assertThat(s.training().batchSize()).isEqualTo(16);
        assertThat(s.experiments().smallData().sizes()).containsExactly(40);
        assertThat(s.experiments().convergence()).isNull();
    }

    /** A hybrid's slim scheme needs the model card's slim variant; the spec says where it asked for one. */
    @Test
    void aHybridSlimNeedsASlimVariant() {
        String hybrid = VALID + "  hybrid: {model: MODEL, schemes: [gabor, slim]}\n";
        assertThat(SpecReader.parse(hybrid.replace("MODEL", "cbr-small"), "mini.yaml").experiments().hybrid().model())
                .isEqualTo("cbr-small");
        assertThatThrownBy(() -> SpecReader.parse(hybrid.replace("MODEL", "densenet121"), "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("experiments.hybrid.schemes[1] (slim needs a slim variant of densenet121)")
                .hasMessageContaining("expected a model with one: cbr-large-tall, ")
                .hasMessageNotContaining("densenet121,");
    }

    @Test
    void theDeviceIsReadCanonicalAndCheckedByName() {
        assertThat(SpecReader.parse(VALID, "mini.yaml").device()).as("absent: the default device").isNull();
        StudySpec gpu = SpecReader.parse(VALID + "device: CUDA\n", "mini.yaml");
        assertThat(gpu.device()).isEqualTo(ai.djl.Device.gpu(0));
        assertThat(gpu.toMap()).containsEntry("device", "cuda:0");
        assertThat(SpecReader.parse(VALID + "device: cpu\n", "mini.yaml").device()).isEqualTo(ai.djl.Device.cpu());
        assertThatThrownBy(() -> SpecReader.parse(VALID + "device: tpu\n", "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("mini.yaml: device: device 'tpu': expected cpu, cuda or cuda:N");
    }

    @Test
    void classImbalanceAndOperatingPointReachTheMedicalRunsOnly(@TempDir Path dir) {
        String yaml = VALID.replace("eval_every: 2}", "eval_every: 2, class_weights: [3], sampler: balanced, "
                + "operating_point: 0.3, calibrate: temperature}");
        StudySpec s = SpecReader.parse(yaml, "mini.yaml");
        assertThat(s.training().classWeights()).isEqualTo(new ClassWeights.Given(List.of(3.0)));
        assertThat(s.training().sampler()).isEqualTo(Sampler.BALANCED);
        assertThat(s.training().operatingPoint()).isEqualTo(new OperatingPoint.Threshold(0.3));
        assertThat(s.training().calibrate()).isEqualTo(CalibrationKind.TEMPERATURE);
        assertThat(s.toMap().get("training")).asString().contains("class_weights=3", "sampler=balanced",
                "operating_point=0.3", "calibrate=temperature");
        assertThat(SpecReader.parse(new org.yaml.snakeyaml.Yaml().dump(s.toMap()), "again").toMap())
                .isEqualTo(s.toMap());
        Plan plan = Plan.of(s, dir, null);
        RunSpec run = plan.run("cbr-small", "random", null, 0).spec();
        assertThat(run.classWeights()).isEqualTo(new ClassWeights.Given(List.of(3.0)));
        assertThat(run.sampler()).isEqualTo(Sampler.BALANCED);
        assertThat(run.operatingPoint()).isEqualTo(new OperatingPoint.Threshold(0.3));
        assertThat(run.calibrate()).isEqualTo(CalibrationKind.TEMPERATURE);
        // The pretraining run is on the source task (10 natural classes): no medical class weights or sampler.
        RunSpec pretrain = plan.pretrains().get(0).spec();
        assertThat(pretrain.classWeights()).isEqualTo(new ClassWeights.None());
        assertThat(pretrain.sampler()).isEqualTo(Sampler.SHUFFLE);
        // Left out, the defaults; a bad value names its path.
        assertThat(SpecReader.parse(VALID, "mini.yaml").training().classWeights()).isEqualTo(new ClassWeights.None());
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("eval_every: 2}", "eval_every: 2, sampler: even}"),
                "mini.yaml")).isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: training.sampler: unknown sampler 'even' (expected shuffle or balanced)");
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("eval_every: 2}",
                "eval_every: 2, class_weights: {a: 1}}"), "mini.yaml")).isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: training.class_weights: expected a name, a number or a list of numbers, "
                        + "got '{a=1}'");
    }

    @Test
    void schemesDrawnFromPretrainedStatisticsAreAcceptedUnderTheirCanonicalNames() {
        StudySpec s = SpecReader.parse(VALID.replace("schemes: [random, pretrained]",
                "schemes: [random, Shuffle, moments, ' covariance', meanvar-channel]"), "mini.yaml");
        assertThat(s.experiments().performance().schemeNames())
                .containsExactly("random", "shuffle", "moments", "covariance", "meanvar-channel");
        // Judged by their own claim in the convergence experiment, not by the paper's Mean Var claim.
        assertThat(ConvergenceExperiment.claim("meanvar")).isEqualTo(ConvergenceExperiment.MEANVAR_FASTER);
        assertThat(ConvergenceExperiment.claim("meanvar-channel"))
                .isEqualTo("The 'meanvar-channel' initialisation speeds up convergence over random init.");
    }

    @Test
    void unknownKeyIsAnErrorNamingItsPath() {
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("sizes: [40]", "sizez: [40]"), "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: experiments.small_data.sizez: unknown key (expected one of schemes, sizes)");
    }

    /** issue 18, found by fuzzing ({@code training: {99, batch_size: 0}} threw a ClassCastException). */
    @Test
    void aKeyThatIsNotANameIsAnUnknownKey() {
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("sizes: [40]", "99: [40]"), "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: experiments.small_data.99: unknown key (expected one of schemes, sizes)");
    }

    /** issue 18, found by fuzzing: a quoted value holding a line break is quoted back escaped, in one line. */
    @Test
    void aValueWithALineBreakIsQuotedOnOneLine() {
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("batch_size: 16", "batch_size: \"six\\nteen\""),
                "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: training.batch_size: expected a whole number, got 'six\\u000ateen'");
    }

    @Test
    void wrongTypeIsAnErrorNamingItsPath() {
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("batch_size: 16", "batch_size: sixteen"), "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: training.batch_size: expected a whole number, got 'sixteen'");
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("sizes: [40]", "sizes: [40, many]"), "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("experiments.small_data.sizes[1]: expected a whole number, got 'many'");
    }

    @Test
    void missingRequiredKeyIsAnError() {
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("seeds: [0, 1]\n", ""), "mini.yaml"))
                .isInstanceOf(BadInputException.class).hasMessage("mini.yaml: seeds: required key is missing");
    }

    /** One table reads and writes the spec: every key set away from its default comes back as the same value. */
    @Test
    void everyKeyReadsTypedAndWritesBackAsUsersWriteIt() {
        String yaml = """
                name: every
                data: synthetic:retina?n=200&size=16
                task: referable
                image_size: 16
                models: [cbr-small, cbr-tiny]
                seeds: [3]
                training: {epochs: 2, batch_size: 8, lr: 0.01, eval_every: 3, optimizer: sgd, schedule: step,
                           momentum: 0.5, weight_decay: 0.001, augment: none, uncertainty: u-zeros,
                           frontal_only: false, class_weights: [1, 2], sampler: balanced, operating_point: sens:0.8,
                           calibrate: temperature}
                device: cuda:1
                pretrain: {data: "synthetic:natural?n=200&size=16", task: multiclass, epochs: 2, weights: /tmp/w,
                           image_size: 8, published: false}
                experiments:
                  performance: {schemes: ['transfusion:layer2', 'gabor:low']}
                  small_data: {sizes: [40], schemes: [meanvar]}
                  representations: {max_points: 100, conv: pool}
                  convergence: {schemes: [random], thresholds: [0.6], threshold: 0.6}
                  transfusion: {model: cbr-small, blocks: [layer1]}
                  hybrid: {model: cbr-small, schemes: [gabor+meanvar]}
                  size_sweep: {models: [cbr-tiny], schemes: [random], max_points: 100, conv: pool}
                  forgetting: {schemes: [slim], snapshots: 1, train_images: 10, test_images: 10}
                """;
        StudySpec s = SpecReader.parse(yaml, "every.yaml");
        assertThat(s.experiments().performance().schemes())
                .containsExactly(new InitScheme.Transfusion("layer2"), InitScheme.parse("gabor:low"));
        assertThat(s.experiments().representations().conv()).isEqualTo(ActivationProbe.Fold.POOL);
        assertThat(s.device()).isEqualTo(ai.djl.Device.gpu(1));
        assertThat(s.training().optimizer()).isEqualTo(OptimizerKind.SGD);
        // Written as users write it, and read back to an equal value: nothing is lost either way.
        Map<String, Object> written = s.toMap();
        assertThat(written.get("experiments")).asString()
                .contains("schemes=[transfusion:layer2, gabor:low]", "conv=pool");
        assertThat(written).containsEntry("device", "cuda:1");
        StudySpec back = SpecReader.parse(new org.yaml.snakeyaml.Yaml().dump(written), "again");
        assertThat(back).isEqualTo(s);
        assertThat(back.toMap()).isEqualTo(written);
        // Every key the file set is one the table writes, with none added or dropped.
        Map<?, ?> file = new org.yaml.snakeyaml.Yaml().load(yaml);
        assertThat(written.keySet()).containsExactlyElementsOf(file.keySet().stream().map(String::valueOf).toList());
    }

    /** A representations conv mode is parsed when the spec is read, not when the analysis runs after training. */
    @Test
    void theConvModeIsCheckedBeforeAnythingRuns() {
        assertThatThrownBy(() -> SpecReader.parse(VALID + "  representations: {conv: max}\n", "mini.yaml"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: experiments.representations.conv: unknown --conv 'max' (expected flatten or "
                        + "pool)");
    }

    /** An operating point takes one number, not a list: one line (it was an IllegalStateException, exit 1). */
    @Test
    void anOperatingPointListIsOneLine() {
        assertThatThrownBy(() -> SpecReader.parse(VALID.replace("eval_every: 2}", "eval_every: 2, operating_point: "
                + "[0.5]}"), "mini.yaml")).isInstanceOf(BadInputException.class)
                .hasMessage("mini.yaml: training.operating_point: expected a name or a number, got '[0.5]'");
    }

    /** A model no source has weights for is a typed missing source, listed as such and refused before running. */
    @Test
    void aMissingPretrainingSourceIsTyped(@TempDir Path dir) {
        StudySpec s = SpecReader.parse(VALID.replace("pretrain: {data: \"synthetic:natural?n=200&size=16\", task: "
                + "multiclass, epochs: 1}", "pretrain: {published: false}"), "mini.yaml");
        Plan plan = Plan.of(s, dir, null);
        Plan.WeightsSource source = plan.sources().get("cbr-small");
        assertThat(source).isInstanceOf(Plan.WeightsSource.Missing.class);
        assertThat(source.isMissing()).isTrue();
        assertThat(source.describe()).isEqualTo("MISSING");
        assertThat(plan.missing()).singleElement().asString().startsWith("cbr-small: no pretrained weights");
        Plan pretraining = Plan.of(SpecReader.parse(VALID, "mini.yaml"), dir, null);
        assertThat(pretraining.sources().get("cbr-small")).isEqualTo(new Plan.WeightsSource.Pretraining(
                "synthetic:natural?n=200&size=16", "multiclass", 1));
        assertThat(pretraining.sources().get("cbr-small").isMissing()).isFalse();
    }

    @Test
    void unknownPresetSuggestsTheClosest() {
        assertThatThrownBy(() -> Presets.get("convergance", "demo"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("unknown preset 'convergance' (did you mean convergence?)");
        assertThatThrownBy(() -> Presets.get("all", "quik"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("(did you mean quick?)");
    }

    @Test
    void presetsRoundTripThroughYaml() {
        for (String name : Presets.NAMES) {
            StudySpec s = Presets.get(name, "demo");
            String yaml = new org.yaml.snakeyaml.Yaml().dump(s.toMap());
            assertThat(SpecReader.parse(yaml, name).toMap()).as(name).isEqualTo(s.toMap());
        }
    }
}
