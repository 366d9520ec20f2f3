package org.transfusion.engine.probe;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.Devices;
import org.transfusion.engine.data.Augment;
import org.transfusion.engine.data.ImagePipeline;
import org.transfusion.engine.data.ImageSplit;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Where a run's network looks: Grad-CAM and/or occlusion maps of the first N images of a split (in the split's
 * order, so two runs on the same data and seed explain the same images), with the run's weights at initialisation
 * or its best. The images go through the run's own pipeline without augmentation, as evaluation sees them.
 * Everything a user can get wrong is checked before the network is built, and nothing is written here.
 */
public final class Saliency {
    private Saliency() {}

    /** Which maps to compute. */
    public enum Method {
        GRADCAM, OCCLUSION, BOTH;

        public static Method parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "gradcam", "grad-cam" -> GRADCAM;
                case "occlusion" -> OCCLUSION;
                case "both" -> BOTH;
                default -> throw new BadInputException("unknown --method '" + text
                        + "' (expected gradcam, occlusion or both)");
            };
        }

        public boolean gradCam() {
            return this != OCCLUSION;
        }

        public boolean occlusion() {
            return this != GRADCAM;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param images  how many images, from the first of the split (all of it when it is smaller)
     * @param layer   the Grad-CAM layer; null = {@link GradCam#defaultLayer}
     * @param at      {@code best} or {@code init}: which of the run's weights
     * @param output  the output explained; {@link GradCam#LARGEST} = each image's largest logit
     * @param dataDir where the run's data is, when not where the run recorded it (null = as recorded)
     */
    public record Request(int images, String layer, Method method, Split split, String at, int output, Path dataDir) {
        public Request {
            if (images < 1) {
                throw new BadInputException("--images must be at least 1, got " + images);
            }
            if (!at.equals("best") && !at.equals("init")) {
                throw new BadInputException("--at must be init or best, got '" + at + "'");
            }
        }
    }

    /**
     * One explained image: its index in the split, its task target, the model input ({@code channels x size x
     * size}, normalised) and the maps the method asked for (null otherwise).
     */
    public record Item(int index, float[] target, float[] input, GradCam.Result gradCam, Occlusion.Result occlusion) {}

    /** The maps of one run, with what is needed to draw them and to describe them in saliency.json. */
    public record Result(Path run, String model, String layer, Request request, Task task, ImagePipeline pipeline,
                         List<Item> items) {
        /** The run's input side in pixels. */
        public int size() {
            return pipeline.size();
        }

        /** The figures' view of one item's input: the pipeline's normalisation undone. */
        public java.awt.image.BufferedImage picture(Item item) {
            return SaliencyFigures.input(item.input(), pipeline);
        }

        /** saliency.json: the run, layer, method and per image its index, label, score and map summaries. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run", run.toString());
            m.put("model", model);
            m.put("layer", request.method().gradCam() ? layer : null);
            m.put("method", request.method().id());
            m.put("split", request.split().id());
            m.put("at", request.at());
            m.put("task", task.name());
            m.put("input_size", size());
            if (request.method().occlusion()) {
                Occlusion.Patch p = Occlusion.Patch.forSide(size());
                Map<String, Integer> patch = new LinkedHashMap<>();
                patch.put("size", p.size());
                patch.put("stride", p.stride());
                m.put("occlusion_patch", patch);
            }
            List<Map<String, Object>> images = new ArrayList<>();
            for (Item it : items) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("index", it.index());
                row.put("label", label(it.target()));
                int output = it.gradCam() != null ? it.gradCam().output() : it.occlusion().output();
                double score = it.gradCam() != null ? it.gradCam().score() : it.occlusion().score();
                row.put("output", output);
                row.put("output_name", task.outputName(output));
                row.put("score", score);
                if (it.gradCam() != null) {
                    Map<String, Object> g = new LinkedHashMap<>(it.gradCam().map().summary());
                    g.put("layer_map", List.of(it.gradCam().layerHeight(), it.gradCam().layerWidth()));
                    row.put("gradcam", g);
                }
                if (it.occlusion() != null) {
                    row.put("occlusion", it.occlusion().map().summary());
                }
                images.add(row);
            }
            m.put("images", images);
            return m;
        }

        /** A target as JSON: one number (a class index, or 0/1), or one per finding (NaN = unknown, null). */
        private static Object label(float[] target) {
            if (target.length == 1) {
                return (double) target[0];
            }
            List<Double> out = new ArrayList<>();
            for (float v : target) {
                out.add((double) v);
            }
            return out;
        }
    }

    /** Computes the maps the request asks for; see the class comment. */
    public static Result of(Path run, Request r) {
        RunFolder folder = RunFolder.existing(run);
        RunSetup s = RunSetup.prepare(folder.specOn(null, r.dataDir()));
        String layer = r.layer() != null ? r.layer() : GradCam.defaultLayer(s.arch());
        if (r.method().gradCam()) {
            GradCam.checkLayer(s.arch(), layer);
        }
        GradCam.checkOutput(s.arch(), r.output());
        Path file = folder.weightsFile(r.at());
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(run + ": has no " + file.getFileName() + (r.at().equals("best")
                    ? " (the run has not validated yet; --at init explains the initial weights)" : ""));
        }
        StateDict weights = SafeTensors.read(file);
        ImageSplit split = s.data().split(r.split());
        int count = Math.min(r.images(), split.size());
        ImagePipeline pipeline = s.pipeline().withAugment(Augment.NONE);
        int per = pipeline.valuesPerImage();
        float[] inputs = new float[count * per];
        float[][] targets = new float[count][];
        for (int i = 0; i < count; i++) {
            pipeline.apply(split.image(i), null, inputs, i * per);
            targets[i] = s.task().target(split.labels(i));
        }
        List<GradCam.Result> cams = null;
        List<Occlusion.Result> occluded = null;
        try (NDManager m = NDManager.newBaseManager(Devices.chosen()); Network net = Network.create(m, s.arch(), weights)) {
            if (r.method().gradCam()) {
                cams = GradCam.compute(net, layer, inputs, count, pipeline.channels(), pipeline.size(), r.output());
            }
            if (r.method().occlusion()) {
                // With both maps, occlusion explains the output Grad-CAM chose, whatever the rule.
                occluded = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int output = cams != null ? cams.get(i).output() : r.output();
                    float[] one = java.util.Arrays.copyOfRange(inputs, i * per, (i + 1) * per);
                    occluded.addAll(Occlusion.compute(net, one, 1, pipeline.channels(), pipeline.size(), output,
                            Occlusion.Patch.forSide(pipeline.size())));
                }
            }
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(new Item(i, targets[i], java.util.Arrays.copyOfRange(inputs, i * per, (i + 1) * per),
                    cams == null ? null : cams.get(i), occluded == null ? null : occluded.get(i)));
        }
        return new Result(run, s.model().name(), layer, r, s.task(), pipeline, items);
    }
}
