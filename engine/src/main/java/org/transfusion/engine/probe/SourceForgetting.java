package org.transfusion.engine.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.Devices;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.data.SubsetSplit;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.Taps;
import org.transfusion.engine.run.Range;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunMetrics;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * How much of the source task a fine-tuned run still holds (Transfusion asks what fine-tuning on a medical task does
 * to the source task): at each kept point of its training (init, its {@code snapshots/}, the best weights) the
 * network is scored on the source task's test images two ways. (a) The <b>original head</b>: the pretraining run's
 * classifier put back on the fine-tuned features (and the network's own batch-norm statistics), its accuracy.
 * (b) A <b>linear probe</b> per layer ({@link LinearProbe}) on each layer's globally average-pooled activations,
 * fitted on {@code trainImages} source train images and scored on {@code testImages} test images, each a draw
 * stratified by class ({@link SubsetSplit#stratified}, seeds {@value #PROBE_SEED} and {@value #PROBE_SEED} + 1: the
 * same images at every point and for every run): which layers still hold the source task linearly, whatever the head.
 */
public final class SourceForgetting {
    /** The seed of the probes' train-image draw (the test draw's is one more). */
    public static final long PROBE_SEED = 0;

    private SourceForgetting() {}

    /**
     * @param source      the source dataset spec; null = the pretraining run's (read beside its weights)
     * @param sourceTask  the source task; null = the pretraining run's
     * @param imageSize   the source images' size; null = the pretraining run's, else the run's own
     * @param dataDir     where medmnist:NAME files are looked up first (null = the default)
     * @param trainImages source train images the probes are fitted on (a draw stratified by class)
     * @param testImages  source test images everything is scored on (a draw stratified by class)
     * @param l2          the probes' L2 penalty (see {@link LinearProbe})
     * @param layers      the layers to probe; empty = every named layer of the architecture
     */
    public record Request(String source, String sourceTask, Integer imageSize, Path dataDir, int trainImages,
                          int testImages, double l2, List<String> layers) {
        public static final int DEFAULT_TRAIN_IMAGES = 2000;
        public static final int DEFAULT_TEST_IMAGES = 1000;
        public static final double DEFAULT_L2 = 1e-2;
        /** At least two train images (a probe needs two to fit) and one test image. */
        public static final Range TRAIN_IMAGES = Range.whole(2, Integer.MAX_VALUE);
        public static final Range TEST_IMAGES = Range.whole(1, Integer.MAX_VALUE);
        /** Iterations of the probe's fit at most (it stops earlier once converged). */
        static final int MAX_ITER = 1000;
    }

    /** One measured point: {@code at} is init, step-K (a snapshot) or best; accuracy NaN where not measurable. */
    public record Point(String at, long step, double headAccuracy, Map<String, Double> probeAccuracy) {}

    /** The measurement, as written to JSON and CSV. */
    public record Result(Map<String, Object> meta, List<String> layers, List<Point> points) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>(meta);
            m.put("layers", layers);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Point p : points) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("at", p.at());
                row.put("step", p.step());
                row.put("head_accuracy", nullIfNaN(p.headAccuracy()));
                Map<String, Object> probes = new LinkedHashMap<>();
                p.probeAccuracy().forEach((k, v) -> probes.put(k, nullIfNaN(v)));
                row.put("probe_accuracy", probes);
                rows.add(row);
            }
            m.put("points", rows);
            return m;
        }

        /** One row per point: at, step, head accuracy, then each layer's probe accuracy. */
        public String csv() {
            StringBuilder sb = new StringBuilder("at,step,head_accuracy");
            layers.forEach(l -> sb.append(",probe_").append(l));
            sb.append('\n');
            for (Point p : points) {
                sb.append(p.at()).append(',').append(p.step()).append(',').append(f4(p.headAccuracy()));
                layers.forEach(l -> sb.append(',').append(f4(p.probeAccuracy().getOrDefault(l, Double.NaN))));
                sb.append('\n');
            }
            return sb.toString();
        }

        /** The table a person reads: step x {original head, probe per layer}. */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %7s %9s", "at", "step", "head"));
            layers.forEach(l -> sb.append(String.format(Locale.ROOT, " %9s", "probe:" + l)));
            sb.append('\n');
            for (Point p : points) {
                sb.append(String.format(Locale.ROOT, "%-12s %7d %9s", p.at(), p.step(), f4(p.headAccuracy())));
                layers.forEach(l -> sb.append(String.format(Locale.ROOT, " %9s",
                        f4(p.probeAccuracy().getOrDefault(l, Double.NaN)))));
                sb.append('\n');
            }
            return sb.toString();
        }

        private static Object nullIfNaN(double v) {
            return Double.isNaN(v) ? null : v;
        }

        private static String f4(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
        }
    }

    /** Measures {@code run} at init, each kept snapshot and its best weights. */
    public static Result measure(Path run, Request r) {
        RunFolder folder = RunFolder.existing(run);
        RunSpec spec = folder.specOn(null, r.dataDir());
        Path sourceWeights = spec.init().needsWeights() ? spec.weights() : null;
        RunSpec pretrain = pretrainingRun(sourceWeights);
        String sourceData = r.source() != null ? r.source() : pretrain != null ? pretrain.data() : null;
        if (sourceData == null) {
            throw new BadInputException(run + ": its init (" + spec.init().spec() + ") did not come from a pretraining "
                    + "run folder; give the source task's data with --source SPEC (e.g. cifar10:PATH)");
        }
        String sourceTask = r.sourceTask() != null ? r.sourceTask() : pretrain != null ? pretrain.task() : null;
        // The fine-tuned architecture from its own weights (input channels, outputs): its data need not be here.
        ModelCard info = ModelRegistry.get(spec.model());
        StateDict initial = folder.initialWeights();
        int channels = (int) initial.get(info.firstConvKey()).shape()[1];
        Architecture arch = info.build(channels, (int) initial.get(info.classifierKey()).shape()[0],
                spec.width());
        Integer size = r.imageSize() != null ? r.imageSize()
                : pretrain != null && pretrain.imageSize() != null ? pretrain.imageSize() : spec.imageSize();
        RunSpec.Builder sb = RunSpec.builder(sourceData, spec.model()).task(sourceTask).channels(channels)
                .width(spec.width()).dataDir(r.dataDir()).length(1L, null).imageSize(size);
        RunSetup source = RunSetup.prepare(sb.build());
        Task task = source.task();
        if (task.type() == Task.Type.MULTILABEL) {
            throw new BadInputException("--source-task " + task.name() + " is multi-label; the forgetting measurement "
                    + "scores single-label accuracy (choose a multi-class or binary task)");
        }
        int classes = task.type() == Task.Type.BINARY ? 2 : task.outputs();
        StateDict head = sourceWeights != null ? head(SafeTensors.read(sourceWeights), source.model()) : null;
        List<String> layers = r.layers().isEmpty() ? arch.layers() : r.layers();
        for (String l : layers) {
            if (!arch.layers().contains(l)) {
                throw new BadInputException("unknown layer '" + l + "' for " + arch.name() + " (valid: "
                        + String.join(", ", arch.layers()) + ")");
            }
        }
        // Stratified by class: a class-ordered split's first images would hold a few classes.
        SubsetSplit trainSample = SubsetSplit.stratified(source.data().split(Split.TRAIN), task, r.trainImages(),
                PROBE_SEED);
        SubsetSplit testSample = SubsetSplit.stratified(source.data().split(Split.TEST), task, r.testImages(),
                PROBE_SEED + 1);
        int nTrain = trainSample.size();
        int nTest = testSample.size();
        int trainClasses = SubsetSplit.classes(trainSample, task);
        int testClasses = SubsetSplit.classes(testSample, task);
        BatchLoader train = new BatchLoader(trainSample, task, source.pipeline(), 64, false, 0);
        BatchLoader test = new BatchLoader(testSample, task, source.pipeline(), 64, false, 0);

        List<Point> points = new ArrayList<>();
        points.add(point("init", 0, initial, arch, source.arch(), head, layers, train, test,
                nTrain, nTest, classes, r.l2()));
        for (Map.Entry<Long, Path> s : folder.snapshots().entrySet()) {
            points.add(point("step-" + s.getKey(), s.getKey(), SafeTensors.read(s.getValue()), arch,
                    source.arch(), head, layers, train, test, nTrain, nTest, classes, r.l2()));
        }
        long bestStep = bestStep(folder);
        points.add(point("best", bestStep, folder.trainedWeights(), arch, source.arch(), head, layers, train,
                test, nTrain, nTest, classes, r.l2()));

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("run", run.toString());
        meta.put("init", spec.init().spec());
        meta.put("source", source.data().spec());
        meta.put("source_task", task.name());
        meta.put("source_weights", sourceWeights != null ? sourceWeights.toString() : null);
        meta.put("head", head == null ? "none: the run's init has no source weights"
                : head.keys().size() + " classifier tensors of the source weights ("
                + String.join(", ", head.keys()) + ")");
        meta.put("image_size", source.imageSize());
        meta.put("probe", String.format(Locale.ROOT, "multinomial logistic regression on globally average-pooled "
                + "activations, standardised; L2 %.3g on the mean cross-entropy (sklearn C = %.3g); fitted on %d "
                + "source train images of %d of the task's %d classes, scored on %d source test images of %d "
                + "classes, each a seeded draw stratified by class", r.l2(), 1 / (r.l2() * nTrain), nTrain,
                trainClasses, classes, nTest, testClasses));
        meta.put("train_images", nTrain);
        meta.put("test_images", nTest);
        meta.put("train_classes", trainClasses);
        meta.put("test_classes", testClasses);
        meta.put("classes", classes);
        meta.put("l2", r.l2());
        meta.put("snapshots", folder.snapshots().size());
        return new Result(meta, layers, points);
    }

    /** The run spec of the pretraining run whose weights file {@code weights} is, or null when it is none. */
    static RunSpec pretrainingRun(Path weights) {
        if (weights == null || weights.getParent() == null) {
            return null;
        }
        RunFolder f = new RunFolder(weights.getParent());
        return f.hasRun() && Files.isRegularFile(weights) && weights.equals(f.bestWeights()) ? f.spec() : null;
    }

    /** The classifier tensors ({@code KEY.*} of the model's classifier) of {@code weights}. */
    static StateDict head(StateDict weights, ModelCard model) {
        StateDict out = new StateDict();
        String prefix = model.classifierPrefix() + ".";
        for (String k : weights.keys()) {
            if (k.startsWith(prefix)) {
                out.put(k, weights.get(k));
            }
        }
        return out;
    }

    /**
     * {@code weights} with the classifier replaced by {@code head}, when that fits {@code sourceArch} (it does not
     * where fine-tuning changed the features' width, e.g. a slim model); null otherwise.
     */
    static StateDict withHead(StateDict weights, StateDict head, Architecture sourceArch) {
        if (head == null || head.keys().isEmpty()) {
            return null;
        }
        StateDict out = new StateDict();
        for (String k : weights.keys()) {
            out.put(k, head.get(k) != null ? head.get(k) : weights.get(k));
        }
        try {
            Network.checkMatches(sourceArch, out, "weights");
        } catch (BadInputException e) {
            return null;
        }
        return out;
    }

    private static long bestStep(RunFolder folder) {
        try {
            RunMetrics m = folder.metrics();
            return m.bestStep();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static Point point(String at, long step, StateDict weights, Architecture arch, Architecture sourceArch,
                               StateDict head, List<String> layers, BatchLoader train, BatchLoader test, int nTrain,
                               int nTest, int classes, double l2) {
        StateDict withHead = withHead(weights, head, sourceArch);
        Architecture a = withHead != null ? sourceArch : arch;
        StateDict w = withHead != null ? withHead : weights;
        Pass fit;
        Pass score;
        try (NDManager m = NDManager.newBaseManager(Devices.chosen()); Network net = Network.create(m, a, w)) {
            fit = Pass.run(net, train, nTrain, layers, false);
            score = Pass.run(net, test, nTest, layers, withHead != null);
        }
        Map<String, Double> probes = new LinkedHashMap<>();
        for (String l : layers) {
            LinearProbe p = LinearProbe.fit(fit.features.get(l), fit.labels, classes, l2, Request.MAX_ITER);
            probes.put(l, p.accuracy(score.features.get(l), score.labels));
        }
        double headAccuracy = withHead != null ? LinearProbe.accuracy(score.predicted, score.labels) : Double.NaN;
        return new Point(at, step, headAccuracy, probes);
    }

    /** One inference pass over the first {@code images} of a loader (its sample): pooled features per layer, labels, argmax. */
    private record Pass(Map<String, double[][]> features, int[] labels, int[] predicted) {
        static Pass run(Network net, BatchLoader loader, int images, List<String> layers, boolean head) {
            Map<String, double[][]> features = new LinkedHashMap<>();
            layers.forEach(l -> features.put(l, new double[images][]));
            int[] labels = new int[images];
            int[] predicted = new int[images];
            BatchArrays arrays = new BatchArrays();
            int seen = 0;
            try (BatchLoader.Prefetcher batches = loader.prefetch(0, loader.batchesPerEpoch())) {
                for (Batch b; seen < images && (b = batches.next()) != null; ) {
                    final int offset = seen;
                    final int use = Math.min(b.count(), images - seen);
                    try (NDManager step = net.manager().newSubManager()) {
                        NDArray logits = net.forward(arrays.images(step, b), false, Taps.of(features::containsKey,
                                (layer, act) -> pooled(act, features.get(layer), offset, use)));
                        if (head) {
                            float[] z = logits.toFloatArray();
                            int k = z.length / b.count();
                            for (int i = 0; i < use; i++) {
                                predicted[offset + i] = k == 1 ? (z[i] > 0 ? 1 : 0) : argmax(z, i * k, k);
                            }
                        }
                    }
                    for (int i = 0; i < use; i++) {
                        labels[offset + i] = Math.round(b.targets()[i * b.targetWidth()]);
                    }
                    seen += use;
                }
            }
            return new Pass(features, labels, predicted);
        }

        private static void pooled(NDArray act, double[][] into, int offset, int use) {
            long[] shape = act.getShape().getShape();
            NDArray p = shape.length == 4 ? act.mean(new int[] {3}).mean(new int[] {2}) : act;
            float[] v = p.toFloatArray();
            int c = (int) shape[1];
            for (int i = 0; i < use; i++) {
                double[] row = new double[c];
                for (int j = 0; j < c; j++) {
                    row[j] = v[i * c + j];
                }
                into[offset + i] = row;
            }
        }

        private static int argmax(float[] z, int from, int k) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (z[from + j] > z[from + best]) {
                    best = j;
                }
            }
            return best;
        }
    }
}
