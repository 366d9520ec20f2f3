package org.transfusion.engine.run.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;

/**
 * The training state a checkpoint keeps in its metadata (and folders of earlier versions in checkpoint.json): the
 * step, best validation AUC so far (null: none yet) and its step, the optimiser's update count, training time, the
 * first loss (null: none yet), the loader's wait and the learning curve's CSV lines.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointState(
        @JsonProperty(Records.FORMAT_VERSION) Integer formatVersion,
        @JsonProperty("step") Long step,
        @JsonProperty("best_auc") @JsonInclude(JsonInclude.Include.ALWAYS) Double bestAuc,
        @JsonProperty("best_step") Long bestStep,
        @JsonProperty("optimizer_updates") Long optimizerUpdates,
        @JsonProperty("train_seconds") Double trainSeconds,
        @JsonProperty("first_loss") @JsonInclude(JsonInclude.Include.ALWAYS) Double firstLoss,
        @JsonProperty("loader_wait_seconds") Double loaderWaitSeconds,
        @JsonProperty("curve") List<String> curve) {
    public static final int FORMAT = 2;

    /** The state as the checkpoint's metadata holds it (one line of JSON). */
    public String toJson() {
        return Records.toTree(this).toString();
    }

    /** The state in a checkpoint's metadata ({@code where} names it in a refusal). */
    public static CheckpointState parse(String where, String json) {
        return Records.fromTree(where, Json.parse(json), CheckpointState.class, FORMAT);
    }

    /** checkpoint.json of a folder written by an earlier version. */
    public static CheckpointState read(Path file) {
        return Records.read(file, CheckpointState.class, FORMAT);
    }
}
