package org.transfusion.engine.run.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.io.Records;

/**
 * A run's {@code run.json}: the run's identity spec (RunSpec's own JSON form), what the spec resolved to against
 * its data, the data's identity, the init report, where TensorBoard's files are, the pretrained weights' provenance
 * and where and how the run executed. Sub-documents whose shape belongs to another class (the spec, the augmentation,
 * label counts, class weights, the data identity, the init report, the weights' provenance) are kept as JSON trees.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRecord(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("spec") JsonNode spec,
        @JsonProperty("resolved") Resolved resolved,
        @JsonProperty("data") Data data,
        @JsonProperty("init") JsonNode init,
        @JsonProperty("tensorboard") String tensorboard,
        @JsonProperty("weights") JsonNode weights,
        @JsonProperty("provenance") Provenance provenance) {
    /** The version this release writes; 1: written before versions were recorded (the same keys). */
    public static final int FORMAT = 2;

    /** What the spec resolved to. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Resolved(
            @JsonProperty("image_size") Integer imageSize,
            @JsonProperty("channels") Integer channels,
            @JsonProperty("total_steps") Long totalSteps,
            @JsonProperty("eval_every") Integer evalEvery,
            @JsonProperty("task_type") String taskType,
            @JsonProperty("outputs") List<String> outputs,
            @JsonProperty("normalisation") Normalisation normalisation,
            @JsonProperty("augment") JsonNode augment,
            @JsonProperty("train_label_counts") JsonNode trainLabelCounts,
            @JsonProperty("class_weights") JsonNode classWeights,
            @JsonProperty("sampler") String sampler,
            @JsonProperty("trainable_parameters") Long trainableParameters) {
        /** The number of classes of the task: 2 for a binary one, else its outputs (0: not recorded). */
        public int classes() {
            return "binary".equals(taskType) ? 2 : outputs == null ? 0 : outputs.size();
        }
    }

    public record Normalisation(@JsonProperty("mean") float[] mean, @JsonProperty("std") float[] std) {}

    /** The data the run read: its spec, name, identity (with its SHA-256) and split sizes. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Data(
            @JsonProperty("spec") String spec,
            @JsonProperty("name") String name,
            @JsonProperty("identity") JsonNode identity,
            @JsonProperty("sizes") Map<String, Integer> sizes) {}

    /**
     * Where and how the run executed: versions, host, start, threads, device, the scheduler's attempt (and GPU), the
     * data folder, and the kernel settings of the engine ({@code TRANSFUSION_MEMORY_FORMAT},
     * {@code TRANSFUSION_CONV1X1}; absent in runs written before they were recorded).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Provenance(
            @JsonProperty("transfusion") String transfusion,
            @JsonProperty("djl") String djl,
            @JsonProperty("libtorch") String libtorch,
            @JsonProperty("java") String java,
            @JsonProperty("os") String os,
            @JsonProperty("cpus") Integer cpus,
            @JsonProperty("host") String host,
            @JsonProperty("started") String started,
            @JsonProperty("threads") Integer threads,
            @JsonProperty("device") String device,
            @JsonProperty("attempt") Integer attempt,
            @JsonProperty("gpu_address") String gpuAddress,
            @JsonProperty("cuda_visible_devices") String cudaVisibleDevices,
            @JsonProperty("data_dir") @JsonInclude(JsonInclude.Include.ALWAYS) String dataDir,
            @JsonProperty("memory_format") String memoryFormat,
            @JsonProperty("conv1x1") String conv1x1) {}

    /** Reads {@code file}: a bad input naming it when it is not a run record or newer than this release reads. */
    public static RunRecord read(Path file) {
        return Records.read(file, RunRecord.class, FORMAT);
    }

    public void write(Path file) {
        Records.write(file, this);
    }

    /** The split sizes as "train / val / test" reads them (null entries where not recorded). */
    public Integer size(String split) {
        return data == null || data.sizes() == null ? null : data.sizes().get(split);
    }

    /**
     * The SHA-256 of the pretrained weights as recorded: a text for a file, or per file for a Keras export folder
     * (the {@code .npz}'s); null when the run used none or its record has no hash.
     */
    public String weightsSha256() {
        JsonNode sha = weights == null ? null : weights.get("sha256");
        if (sha != null && sha.isObject()) {
            JsonNode npz = null;
            for (var files = sha.fields(); files.hasNext(); ) {
                var f = files.next();
                if (f.getKey().endsWith(".npz")) {
                    npz = f.getValue();
                    break;
                }
            }
            sha = npz;
        }
        return sha != null && sha.isTextual() ? sha.asText() : null;
    }

    /** The recorded hash of the weights as a JSON value (a text, or per file), or null when none is recorded. */
    public JsonNode weightsHashTree() {
        return weights == null ? null : weights.get("sha256");
    }
}
