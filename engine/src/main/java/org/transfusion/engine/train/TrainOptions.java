package org.transfusion.engine.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that defines a training run. {@link #identity()} is the part that makes two runs the same run
 * (threads and folders are not part of it), written to run.json and compared when a folder is reused.
 *
 * @param epochs       training length in epochs (used when {@code steps} is null)
 * @param steps        training length in gradient steps (wins over epochs)
 * @param imageSize    square input size; null = the dataset's stored size
 * @param evalEvery    validation every K steps; 0 = once per epoch
 * @param channels     model input channels; null = the dataset's (3 when pretrained weights need RGB)
 * @param trainSubset  train on a seeded subset of this many images (the paper's small-data experiments)
 * @param augment      {@code default} or {@code none}
 * @param thresholds   validation AUC thresholds for steps_to_auc
 */
public record TrainOptions(String data, String task, String model, String init, Path weights, Integer epochs,
                           Long steps, int batchSize, double lr, String optimizer, double momentum,
                           double weightDecay, String schedule, Integer imageSize, int evalEvery, long seed,
                           int threads, String augment, Integer channels, Integer trainSubset, double width,
                           Path dataDir, List<Double> thresholds) {

    public static final List<Double> DEFAULT_THRESHOLDS = List.of(0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95);

    /** Defaults chosen so that a CBR net at 28 px reaches MedMNIST's published AUCs in minutes (README table). */
    public static TrainOptions defaults(String data, String model) {
        return new TrainOptions(data, null, model, "random", null, 20, null, 64, 1e-3, "adam", 0.9, 1e-4,
                "cosine", null, 0, 0L, 0, "default", null, null, 1.0, null, DEFAULT_THRESHOLDS);
    }

    public TrainOptions withSeed(long s) {
        return new TrainOptions(data, task, model, init, weights, epochs, steps, batchSize, lr, optimizer, momentum,
                weightDecay, schedule, imageSize, evalEvery, s, threads, augment, channels, trainSubset, width,
                dataDir, thresholds);
    }

    public TrainOptions withSteps(Long s, Integer e) {
        return new TrainOptions(data, task, model, init, weights, e, s, batchSize, lr, optimizer, momentum,
                weightDecay, schedule, imageSize, evalEvery, seed, threads, augment, channels, trainSubset, width,
                dataDir, thresholds);
    }

    public TrainOptions withEvalEvery(int k) {
        return new TrainOptions(data, task, model, init, weights, epochs, steps, batchSize, lr, optimizer, momentum,
                weightDecay, schedule, imageSize, k, seed, threads, augment, channels, trainSubset, width, dataDir,
                thresholds);
    }

    /** Reads back {@link #identity()} as saved in a run.json {@code spec}. */
    public static TrainOptions fromIdentity(com.fasterxml.jackson.databind.JsonNode n) {
        List<Double> thresholds = new java.util.ArrayList<>();
        n.path("thresholds").forEach(t -> thresholds.add(t.asDouble()));
        return new TrainOptions(text(n, "data"), text(n, "task"), text(n, "model"), text(n, "init"),
                n.path("weights").isTextual() ? Path.of(n.get("weights").asText()) : null,
                n.path("epochs").isNumber() ? n.get("epochs").asInt() : null,
                n.path("steps").isNumber() ? n.get("steps").asLong() : null, n.path("batch_size").asInt(64),
                n.path("lr").asDouble(), text(n, "optimizer"), n.path("momentum").asDouble(),
                n.path("weight_decay").asDouble(), text(n, "schedule"),
                n.path("image_size").isNumber() ? n.get("image_size").asInt() : null, n.path("eval_every").asInt(),
                n.path("seed").asLong(), 0, text(n, "augment"),
                n.path("channels").isNumber() ? n.get("channels").asInt() : null,
                n.path("train_subset").isNumber() ? n.get("train_subset").asInt() : null, n.path("width").asDouble(1.0),
                null, thresholds.isEmpty() ? DEFAULT_THRESHOLDS : thresholds);
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode n, String field) {
        return n.path(field).isTextual() ? n.get(field).asText() : null;
    }

    public TrainOptions withData(String spec, Path dir) {
        return new TrainOptions(spec, task, model, init, weights, epochs, steps, batchSize, lr, optimizer, momentum,
                weightDecay, schedule, imageSize, evalEvery, seed, threads, augment, channels, trainSubset, width,
                dir, thresholds);
    }

    /** The fields that define the run (not threads or where files go). */
    public Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("task", task);
        m.put("model", model);
        m.put("init", init);
        m.put("weights", weights == null ? null : weights.toAbsolutePath().normalize().toString());
        m.put("epochs", epochs);
        m.put("steps", steps);
        m.put("batch_size", batchSize);
        m.put("lr", lr);
        m.put("optimizer", optimizer);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("schedule", schedule);
        m.put("image_size", imageSize);
        m.put("eval_every", evalEvery);
        m.put("seed", seed);
        m.put("augment", augment);
        m.put("channels", channels);
        m.put("train_subset", trainSubset);
        m.put("width", width);
        m.put("thresholds", thresholds);
        return m;
    }
}
