package org.transfusion.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.Faults;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.Versions;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.data.Sampler;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.eval.Evaluator;
import org.transfusion.engine.eval.Metrics;
import org.transfusion.engine.eval.MetricsReport;
import org.transfusion.engine.hub.Hub;
import org.transfusion.engine.init.InitResult;
import org.transfusion.engine.init.InitSchemes;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.run.ClassWeights;
import org.transfusion.engine.run.CurvePoint;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunContext;
import org.transfusion.engine.run.RunLease;
import org.transfusion.engine.run.RunSetup;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.run.record.CheckpointState;
import org.transfusion.engine.run.record.FailureRecord;
import org.transfusion.engine.run.record.MetricsRecord;
import org.transfusion.engine.run.record.RunRecord;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Trains one run end to end: opens the data and task, builds and initialises the model, runs gradient steps
 * with validation every K steps, keeps the best weights by validation AUC, evaluates them on test, and writes
 * the run folder. A checkpoint at every validation lets {@code resume} continue an interrupted run to the same
 * weights an uninterrupted one reaches (batches depend only on the seed and the step).
 */
public final class Trainer {
    /** The checkpoint file's metadata key holding the training state (step, best, curve) as JSON. */
    static final String STATE_KEY = "transfusion_state";
    /** How long a run waits for another writer of its folder to stop (a killed study's run stops within ~1 s). */
    static final Duration LOCK_PATIENCE = Duration.ofSeconds(10);

    private Trainer() {}

    /**
     * Runs the run in {@code folder}: starts it when the folder is new, returns the metrics when it is complete,
     * and continues an interrupted one from its checkpoint when {@code resume} is set (an error otherwise).
     */
    public static Map<String, Object> run(RunSpec o, RunFolder folder, boolean resume, Progress progress) {
        // a device this machine lacks is refused before anything is written
        return run(o, folder, resume, progress, RunContext.fromEnvironment());
    }

    /**
     * {@link #run(RunSpec, RunFolder, boolean, Progress)} in {@code context}: every array of the run on its device,
     * and run.json's provenance naming its device and kernel settings. Resuming on another device is allowed.
     */
    public static Map<String, Object> run(RunSpec o, RunFolder folder, boolean resume, Progress progress,
                                          RunContext context) {
        RunSetup s = RunSetup.prepare(o);
        // A first look before waiting for the folder, so that a folder of another run is refused at once; the same
        // checks are made again under the lock, where they hold (another writer may finish a run here meanwhile).
        Map<String, Object> done = finalState(s, folder, resume, progress);
        if (done != null) {
            return done;
        }
        // The lease first (across machines: a retried attempt waits out a lost one), then the OS lock (this machine).
        try (RunLease lease = RunLease.acquire(folder.dir(), RunLease.Timing.fromSystem(), progress::note);
             RunFolder.Lock lock = folder.lock(lockPatience(), progress::note)) {
            Faults.at("lock-taken", 0);
            done = finalState(s, folder, resume, progress);
            if (done != null) {
                return done;
            }
            // finalState found this same run there (or an empty folder, which holds no checkpoint): no third identity
            // check, which would read run.json and hash moved weights again.
            boolean haveCheckpoint = Files.isRegularFile(folder.checkpoint());
            if (o.threads() > 0) {
                Engine.getInstance(); // loads libtorch, which setNumThreads calls into
                JniUtils.setNumThreads(o.threads());
            }
            Engine.getInstance().setRandomSeed((int) Seeds.stream(o.seed(), "engine"));
            folder.removeLeftovers();
            return new Loop(s, folder, context, progress, lease).run(resume && haveCheckpoint);
        }
    }

    /**
     * What the folder says before training: the metrics of this same run when it is complete; a refusal when it holds
     * another run, a failed one, or an interrupted one without {@code resume} (or on changed inputs); null when this
     * run is to train (from its checkpoint, or from the start: the same run killed before its first checkpoint
     * simply starts again).
     */
    private static Map<String, Object> finalState(RunSetup s, RunFolder folder, boolean resume, Progress progress) {
        boolean same = folder.checkReusable(s.options());
        if (!same) {
            return null;
        }
        if (folder.isComplete()) {
            progress.note("run in " + folder.dir() + " is already complete; not training again");
            return Records.toMap(folder.metricsRecord());
        }
        if (folder.isFailed()) {
            throw new DivergedException(folder.dir() + ": this run failed earlier: " + folder.failure()
                    + "; not training again (choose a new --out, or change the spec, e.g. a lower --lr)");
        }
        if (Files.isRegularFile(folder.checkpoint())) {
            if (!resume) {
                throw new BadInputException(folder.dir() + ": holds an interrupted run of the same spec; pass "
                        + "--resume to continue it, or choose a new --out");
            }
            verifyUnchanged(s, folder);
        }
        return null;
    }

    /**
     * How long a run waits for another writer of its folder to let go: {@link #LOCK_PATIENCE}, or the system property
     * {@code transfusion.lock-patience} in seconds (tests that hold a folder's lock on purpose wait for events, not a
     * clock).
     */
    static Duration lockPatience() {
        String p = System.getProperty("transfusion.lock-patience");
        if (p == null || p.isBlank()) {
            return LOCK_PATIENCE;
        }
        try {
            long seconds = Long.parseLong(p.strip());
            if (seconds >= 0 && seconds <= 86_400) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new BadInputException("-Dtransfusion.lock-patience must be whole seconds from 0 to 86400, got '" + p
                + "'");
    }

    /**
     * Resuming continues a run on the inputs it started with, or not at all: the data (its identity, with its
     * SHA-256) and the pretrained weights' hash must be what run.json recorded. A data file replaced at the same path
     * would otherwise be trained on silently, with run.json still naming the old one.
     */
    static void verifyUnchanged(RunSetup s, RunFolder folder) {
        RunRecord run = folder.runRecord();
        JsonNode recordedIdentity = run.data() == null ? null : run.data().identity();
        JsonNode was = recordedIdentity == null ? Json.MAPPER.missingNode() : withoutPaths(recordedIdentity);
        // Through text, as run.json was: numbers then read back as the same node types (int vs long).
        JsonNode now = withoutPaths(Json.parse(Json.toString(s.data().identity())));
        if (!was.isMissingNode() && !was.equals(now)) {
            throw new BadInputException(folder.dir() + ": the data changed since this run started (run.json records "
                    + sha256(was) + ", " + s.data().spec() + " is now " + sha256(now) + "); resuming would mix two datasets: rerun it "
                    + "into a new --out");
        }
        RunSpec o = s.options();
        JsonNode recorded = run.weightsHashTree();
        if (o.weights() != null && recorded != null) {
            JsonNode current = Json.parse(Json.toString(Hub.provenance(o.weights()).get("sha256")));
            if (!recorded.equals(current)) {
                throw new BadInputException(folder.dir() + ": the pretrained weights " + o.weights() + " changed "
                        + "since this run started (SHA-256 " + recorded.asText(recorded.toString()) + " then, "
                        + current.asText(current.toString()) + " now); rerun it into a new --out");
            }
        }
    }

    /** The SHA-256 a data identity records, or the identity itself where it records none. */
    private static String sha256(JsonNode identity) {
        JsonNode sha = identity.get("sha256");
        return sha != null ? sha.asText(identity.toString()) : identity.toString();
    }

    /** An identity tree without its "path" fields: the same bytes read from another folder are the same data. */
    private static JsonNode withoutPaths(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("path")) {
                    copy.set(e.getKey(), withoutPaths(e.getValue()));
                }
            });
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = Json.MAPPER.createArrayNode();
            node.forEach(n -> copy.add(withoutPaths(n)));
            return copy;
        }
        return node;
    }

    /** The state of one training run. */
    /**
     * Whether the validation at step {@code done} keeps a snapshot: of the run's E validations (every
     * {@code evalEvery} steps and the last step), those numbered round(j * E / n) for j = 1..n, so n evenly spaced
     * ones ending with the last (all of them when n >= E).
     */
    static boolean snapshotDue(long done, long total, int evalEvery, int n) {
        if (n <= 0) {
            return false;
        }
        long evaluations = (total + evalEvery - 1) / evalEvery;
        long index = (done + evalEvery - 1) / evalEvery;
        for (long j = 1; j <= Math.min(n, evaluations); j++) {
            long at = n >= evaluations ? j : Math.round((double) j * evaluations / n);
            if (at == index) {
                return true;
            }
        }
        return false;
    }

    private static final class Loop {
        private final RunSetup s;
        private final RunSpec o;
        private final RunFolder folder;
        private final RunContext context;
        private final Progress progress;
        private final List<CurvePoint> curve = new ArrayList<>();
        /** What a segmentation run does differently (patches, sliding windows, Dice); null for classification. */
        private SegmentationWork segmentation;
        /** The best validation AUC (a segmentation's: its best validation Dice, the metric it picks weights by). */
        private double bestAuc = Double.NEGATIVE_INFINITY;
        /** The loss of the run's first step (its start, for {@link Divergence#windowLoss}); NaN until known. */
        private double firstLoss = Double.NaN;
        /** Validations in a row whose scores were collapsed ({@link Divergence#COLLAPSE_PATIENCE}). */
        private final Divergence.CollapseStreak collapses = new Divergence.CollapseStreak();
        private long bestStep = -1;
        private double trainSeconds;
        private long startStep;
        /** Checked before every write: an attempt that lost its lease to a retry stops instead of writing. */
        private final RunLease lease;
        private TensorBoardLog events;

        Loop(RunSetup s, RunFolder folder, RunContext context, Progress progress, RunLease lease) {
            this.s = s;
            this.o = s.options();
            this.folder = folder;
            this.context = context;
            this.progress = progress;
            this.lease = lease;
        }

        Map<String, Object> run(boolean resuming) {
            BatchLoader train = null;
            BatchLoader val = null;
            BatchLoader test = null;
            int perEpoch;
            if (s.isSegmentation()) {
                segmentation = new SegmentationWork(s, progress);
                perEpoch = segmentation.batchesPerEpoch();
            } else {
                train = new BatchLoader(s.data().split(Split.TRAIN), s.task(), s.pipeline(), o.batchSize(), true,
                        Seeds.stream(o.seed(), "shuffle"), o.sampler());
                val = new BatchLoader(s.data().split(Split.VAL), s.task(), s.pipeline(), o.batchSize(), false, 0);
                test = new BatchLoader(s.data().split(Split.TEST), s.task(), s.pipeline(), o.batchSize(), false, 0);
                perEpoch = train.batchesPerEpoch();
            }
            long total = o.steps() != null ? o.steps() : (long) o.epochs() * perEpoch;
            int evalEvery = o.evalEvery() > 0 ? o.evalEvery() : perEpoch;
            Schedule schedule = new Schedule(o.schedule(), o.lr(), total);
            Optimizer optimizer = new Optimizer(o.optimizer(), (float) o.momentum(),
                    (float) o.weightDecay());

            try (NDManager manager = NDManager.newBaseManager(context.device())) {
                StateDict initial;
                Map<String, Object> initReport;
                SafeTensors.Contents checkpoint = null;
                if (resuming) {
                    checkpoint = SafeTensors.readWithMetadata(folder.checkpoint());
                    initial = checkpoint.tensors();
                    initReport = null;
                } else {
                    InitResult init = InitSchemes.apply(o.init(), s.arch(), o.weights(), o.seed());
                    initial = init.weights();
                    initReport = init.report();
                    // run.json first: from then on any state of the folder is this run, resumable or restartable.
                    lease.verify();
                    writeRunJson(total, evalEvery, initReport);
                    recordAttempt(lease, 0);
                    Faults.at("run-json-written", 0);
                    SafeTensors.write(folder.initWeights(), initial, Map.of("model", o.model(), "step", "0"));
                    folder.writeCurve(curve);
                }
                StateDict modelWeights = new StateDict();
                for (String key : s.arch().specs().keySet()) {
                    modelWeights.put(key, initial.get(key));
                }
                try (Network net = Network.create(manager, s.arch(), modelWeights)) {
                    if (resuming) {
                        restore(optimizer, net, checkpoint);
                        recordAttempt(lease, startStep);
                        progress.note("resuming " + folder.dir() + " at step " + startStep + "/" + total);
                    } else {
                        progress.note(String.format(Locale.ROOT, "training %s on %s (%s, %d train / %d val / %d test), "
                                + "%d px%s, %d steps of %d -> %s", o.model(), o.data(), s.task().name(),
                                s.sizes().get(Split.TRAIN.id()), s.sizes().get(Split.VAL.id()),
                                s.sizes().get(Split.TEST.id()), s.imageSize(), s.isSegmentation() ? " patches" : "",
                                total, o.batchSize(), folder.dir()));
                    }
                    try (TensorBoardLog log = TensorBoardLog.start(folder, o, curve)) {
                        events = log;
                        return loop(net, optimizer, schedule, train, val, test, total, evalEvery);
                    }
                }
            }
        }

        private Map<String, Object> loop(Network net, Optimizer optimizer, Schedule schedule, BatchLoader train,
                                         BatchLoader val, BatchLoader test, long total, int evalEvery) {
            if (segmentation != null) {
                return segmentationLoop(net, optimizer, schedule, total, evalEvery);
            }
            TrainStep stepper = new TrainStep(net, optimizer, s.task(), s.classWeights());
            double lossSum = 0;
            int lossCount = 0;
            long images = 0;
            double waitSeconds = 0;
            double resumedSeconds = trainSeconds;
            try (BatchLoader.Prefetcher batches = train.prefetch(startStep, total)) {
                long t0 = System.nanoTime();
                double evalSeconds = 0;
                for (long step = startStep; step < total; step++) {
                    Batch b = batches.next();
                    float lossValue = stepper.run(b, schedule.rate(step));
                    if (step == 0) {
                        firstLoss = lossValue;
                    }
                    String failed = Divergence.stepLoss(lossValue);
                    if (failed != null) {
                        fail(failed, step + 1);
                    }
                    lossSum += lossValue;
                    lossCount++;
                    images += b.count();
                    long done = step + 1;
                    double wall = (System.nanoTime() - t0) / 1e9;
                    double training = wall - evalSeconds;
                    trainSeconds = resumedSeconds + training;
                    progress.step(done, total, lossSum / lossCount, images / Math.max(training, 1e-9),
                            wall / (done - startStep) * (total - done), bestAuc);
                    if (done % evalEvery == 0 || done == total) {
                        long e0 = System.nanoTime();
                        waitSeconds = batches.waitNanos() / 1e9;
                        Evaluator.Scores vs = Evaluator.scores(net, val, s.task(), s.data().split(Split.VAL).size());
                        Metrics m = Metrics.compute(s.task(), vs.probs(), vs.targets(), vs.n(), vs.loss(), 0.5);
                        failed = Divergence.windowLoss(lossSum / lossCount, firstLoss, Divergence.chanceLoss(s.task()));
                        if (failed == null) {
                            failed = Divergence.validation(vs.loss(), vs.probs(), vs.n(), vs.outputs());
                            boolean collapsed = Double.isFinite(vs.loss())
                                    && Divergence.collapsed(vs.probs(), vs.n(), vs.outputs());
                            if (!collapses.ends(collapsed, done, total) && collapsed) {
                                failed = null; // an early saturation may pass; the test set's check still holds
                            }
                        }
                        if (failed != null) {
                            CurvePoint last = CurvePoint.of(done, lossSum / lossCount, m.auc(), m.loss(),
                                    schedule.rate(step), trainSeconds);
                            curve.add(last);
                            events.add(last);
                            fail(failed, done);
                        }
                        progress.evaluated(done, m.auc(), m.loss());
                        CurvePoint point = CurvePoint.of(done, lossSum / lossCount, m.auc(), m.loss(),
                                schedule.rate(step), trainSeconds);
                        curve.add(point);
                        events.add(point);
                        keep(net, optimizer, done, total, evalEvery, m.auc(), waitSeconds);
                        lossSum = 0;
                        lossCount = 0;
                        evalSeconds += (System.nanoTime() - e0) / 1e9;
                    }
                }
                waitSeconds = batches.waitNanos() / 1e9;
            }
            return finish(net, val, test, total, images, waitSeconds);
        }

        /**
         * The loop of a segmentation run: the same steps, validations, checkpoints and failure rules as a
         * classification run's, with patches for batches and the validation Dice (inside the field of view, whole
         * images by sliding windows) choosing the best weights.
         */
        private Map<String, Object> segmentationLoop(Network net, Optimizer optimizer, Schedule schedule, long total,
                                                     int evalEvery) {
            SegmentationWork.Stepper stepper = segmentation.stepper(net, optimizer);
            progress.metric("Dice");
            double lossSum = 0;
            int lossCount = 0;
            long images = 0;
            double resumedSeconds = trainSeconds;
            long t0 = System.nanoTime();
            double evalSeconds = 0;
            for (long step = startStep; step < total; step++) {
                float lossValue = stepper.run(step, schedule.rate(step));
                if (step == 0) {
                    firstLoss = lossValue;
                }
                String failed = Divergence.stepLoss(lossValue);
                if (failed != null) {
                    fail(failed, step + 1);
                }
                lossSum += lossValue;
                lossCount++;
                images += o.batchSize();
                long done = step + 1;
                double wall = (System.nanoTime() - t0) / 1e9;
                double training = wall - evalSeconds;
                trainSeconds = resumedSeconds + training;
                progress.step(done, total, lossSum / lossCount, images / Math.max(training, 1e-9),
                        wall / (done - startStep) * (total - done), bestAuc);
                if (done % evalEvery == 0 || done == total) {
                    long e0 = System.nanoTime();
                    SegmentationWork.Validation v = segmentation.validate(net);
                    failed = Divergence.windowLoss(lossSum / lossCount, firstLoss, Divergence.chanceLoss(s.task()));
                    if (failed == null) {
                        failed = v.failure();
                    }
                    CurvePoint point = CurvePoint.of(done, lossSum / lossCount, v.auc(), v.loss(),
                            schedule.rate(step), trainSeconds, v.dice());
                    curve.add(point);
                    events.add(point);
                    if (failed != null) {
                        fail(failed, done);
                    }
                    progress.evaluated(done, v.dice(), v.loss());
                    progress.note(String.format(Locale.ROOT, "step %d: validation Dice %.4f, pixel AUC %.4f",
                            done, v.dice(), v.auc()));
                    keep(net, optimizer, done, total, evalEvery, v.dice(), 0);
                    lossSum = 0;
                    lossCount = 0;
                    evalSeconds += (System.nanoTime() - e0) / 1e9;
                }
            }
            net.load(SafeTensors.read(folder.bestWeights()));
            SegmentationWork.Final scored = segmentation.finish(net);
            if (scored.failure() != null) {
                fail(scored.failure(), total);
            }
            MetricsRecord m = new MetricsRecord(MetricsRecord.FORMAT, scored.val(), scored.test(), bestStep, total,
                    trainSeconds, trainSeconds > 0 ? (double) total * o.batchSize() / trainSeconds : Double.NaN,
                    Double.NaN, stepsToAuc());
            complete(m, total);
            progress.note(String.format(Locale.ROOT, "done: best val Dice %.4f at step %d; test Dice %.4f, pixel "
                    + "AUC %.4f -> %s", scored.val().dice(), bestStep, scored.test().dice(), scored.test().auc(),
                    folder.dir()));
            return Records.toMap(m);
        }

        /**
         * After a validation: the best weights when {@code value} (the validation AUC, a segmentation's Dice) beats the
         * best so far, a snapshot when one is due, and the checkpoint.
         */
        private void keep(Network net, Optimizer optimizer, long done, long total, int evalEvery, double value,
                          double waitSeconds) {
            if (value > bestAuc || bestStep < 0) {
                bestAuc = Double.isNaN(value) ? Double.NEGATIVE_INFINITY : value;
                bestStep = done;
                lease.verify();
                SafeTensors.write(folder.bestWeights(), net.toStateDict(),
                        Map.of("model", o.model(), "step", Long.toString(done)));
                Faults.at("best-written", done);
            }
            if (snapshotDue(done, total, evalEvery, o.snapshots())) {
                snapshot(net, done);
            }
            checkpoint(net, optimizer, done, waitSeconds);
            Faults.at("checkpointed", done);
        }

        /** Writes metrics.json, which completes the run, ends the event file and drops the checkpoint. */
        private void complete(MetricsRecord m, long total) {
            lease.verify();
            m.write(folder.metricsJson());
            events.ended(TensorBoardLog.STATUS_SUCCESS, total);
            try {
                Files.deleteIfExists(folder.checkpoint());
                Files.deleteIfExists(folder.checkpointState());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Ends a diverged or collapsed run (exit 3): the curve so far, the TensorBoard end, and {@code failed.json}
         * saying why, so that a study reports the run as failed and never reads its scores.
         */
        private void fail(String reason, long step) {
            lease.verify();
            folder.writeCurve(curve);
            events.ended(TensorBoardLog.STATUS_FAILURE, step);
            new FailureRecord(FailureRecord.FORMAT, reason, step, o.lr(), "exit 3: a NaN/infinite training or "
                    + "validation loss, a mean training loss over " + Divergence.LOSS_FACTOR + "x max(first loss, "
                    + "chance loss), or the same prediction for every validation image").write(folder.failureJson());
            throw new DivergedException(String.format(Locale.ROOT, "training diverged at step %d: %s (try a lower "
                    + "--lr than %g); files so far are in %s", step, reason, o.lr(), folder.dir()));
        }

        private void snapshot(Network net, long step) {
            lease.verify();
            try {
                Files.createDirectories(folder.snapshotsDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SafeTensors.write(folder.snapshot(step), net.toStateDict(),
                    Map.of("model", o.model(), "step", Long.toString(step)));
        }

        private Map<String, Object> finish(Network net, BatchLoader val, BatchLoader test, long total, long images,
                                           double waitSeconds) {
            net.load(SafeTensors.read(folder.bestWeights()));
            Evaluator.Scores valScores = Evaluator.scores(net, val, s.task(), s.data().split(Split.VAL).size());
            Evaluator.Scores testScores = Evaluator.scores(net, test, s.task(), s.data().split(Split.TEST).size());
            // The best weights' scores once more: a run whose test predictions are all the same is no result either.
            String collapsed = Divergence.scores("test", testScores.loss(), testScores.probs(), testScores.n(),
                    testScores.outputs());
            if (collapsed != null) {
                fail(collapsed, total);
            }
            // The operating point's thresholds and the temperatures are chosen on validation, applied to test.
            MetricsReport.Fitted fitted = MetricsReport.fit(s.task(), valScores, o.operatingPoint(), o.calibrate());
            Metrics valMetrics = MetricsReport.headline(s.task(), valScores);
            Metrics testMetrics = MetricsReport.headline(s.task(), testScores);
            for (String w : testMetrics.warnings()) {
                progress.note("warning: test " + w);
            }
            MetricsRecord m = new MetricsRecord(MetricsRecord.FORMAT,
                    MetricsReport.split(s.task(), valScores, valMetrics, fitted, true),
                    MetricsReport.split(s.task(), testScores, testMetrics, fitted, false), bestStep, total,
                    trainSeconds, trainSeconds > 0 ? (double) total * o.batchSize() / trainSeconds : Double.NaN,
                    // Measured over this process's steps only (a resumed run's earlier waits are not known).
                    trainSeconds > 0 ? waitSeconds / trainSeconds : Double.NaN, stepsToAuc());
            complete(m, total);
            progress.note(String.format(Locale.ROOT, "done: best val AUC %.4f at step %d; test AUC %.4f -> %s",
                    valMetrics.auc(), bestStep, testMetrics.auc(), folder.dir()));
            return Records.toMap(m);
        }

        private Map<String, Long> stepsToAuc() {
            Map<String, Long> out = new LinkedHashMap<>();
            for (double t : o.thresholds()) {
                Long first = null;
                for (CurvePoint p : curve) {
                    // a segmentation's thresholds are on its validation Dice, the metric that picks its weights
                    double v = segmentation != null ? p.valDice() : p.valAuc();
                    if (!Double.isNaN(v) && v >= t) {
                        first = p.step();
                        break;
                    }
                }
                out.put(String.format(Locale.ROOT, "%.2f", t), first);
            }
            return out;
        }

        /**
         * The checkpoint is one file, written atomically: weights, optimiser state, and in its metadata the step
         * counter, best-so-far and the learning curve up to this step. A kill at any instant leaves either the
         * previous complete checkpoint or this one, never a mix; curve.csv is rewritten from it afterwards (and on
         * resume), so it never disagrees with the checkpoint either.
         */
        private void checkpoint(Network net, Optimizer optimizer, long step, double waitSeconds) {
            StateDict all = net.toStateDict();
            optimizer.saveState().asMap().forEach(all::put);
            lease.verify();
            CheckpointState state = new CheckpointState(CheckpointState.FORMAT, step,
                    Double.isInfinite(bestAuc) ? null : bestAuc, bestStep, optimizer.updates(), trainSeconds,
                    Double.isFinite(firstLoss) ? firstLoss : null, waitSeconds,
                    curve.stream().map(CurvePoint::csv).toList());
            SafeTensors.write(folder.checkpoint(), all, Map.of("model", o.model(), "step", Long.toString(step),
                    STATE_KEY, state.toJson()));
            Faults.at("checkpoint-written", step);
            folder.writeCurve(curve);
            try {
                Files.deleteIfExists(folder.checkpointState()); // the two-file layout of earlier versions
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Appends this attempt to attempts.jsonl: the scheduler's attempt number, the host, and the GPU a cluster
         * scheduler assigned ({@code TRANSFUSION_GPU_ADDRESS}, with {@code CUDA_VISIBLE_DEVICES} narrowed to it),
         * when one did.
         */
        private void recordAttempt(RunLease lease, long fromStep) {
            String gpu = System.getenv("TRANSFUSION_GPU_ADDRESS");
            lease.record(folder.dir(), fromStep, gpu, gpu == null ? null : System.getenv("CUDA_VISIBLE_DEVICES"));
        }

        private void restore(Optimizer optimizer, Network net, SafeTensors.Contents saved) {
            String inFile = saved.metadata().get(STATE_KEY);
            // Checkpoints of earlier versions kept the state beside the weights (checkpoint.json) and the curve in
            // curve.csv only.
            CheckpointState state = inFile != null
                    ? CheckpointState.parse(folder.checkpoint() + ": metadata " + STATE_KEY, inFile)
                    : CheckpointState.read(folder.checkpointState());
            startStep = state.step() == null ? 0 : state.step();
            bestAuc = state.bestAuc() == null || state.bestAuc().isNaN() ? Double.NEGATIVE_INFINITY : state.bestAuc();
            bestStep = state.bestStep() == null ? 0 : state.bestStep();
            trainSeconds = state.trainSeconds() == null ? 0 : state.trainSeconds();
            // Checkpoints from before first_loss was kept: the first validation window's mean training loss.
            firstLoss = Records.orNaN(state.firstLoss());
            optimizer.loadState(saved.tensors(), net.trainable(),
                    state.optimizerUpdates() == null ? 0 : state.optimizerUpdates());
            if (inFile != null) {
                if (state.curve() != null) {
                    state.curve().forEach(line -> curve.add(CurvePoint.parse(line)));
                }
            } else {
                folder.curve().stream().filter(p -> p.step() <= startStep).forEach(curve::add);
            }
            if (Double.isNaN(firstLoss) && !curve.isEmpty()) {
                firstLoss = curve.get(0).trainLoss();
            }
            folder.writeCurve(curve);
        }

        /** The loss's class weights as run.json records them: the rule, how they enter the loss, each value. */
        private Map<String, Object> classWeightsRecord() {
            boolean multiclass = s.task().type() == Task.Type.MULTICLASS;
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("rule", o.classWeights().spec());
            w.put("applied_as", multiclass
                    ? "cross-entropy class weights, batch loss sum_i w[y_i] CE_i / sum_i w[y_i] (torch's weight=)"
                    : "binary cross-entropy pos_weight per output (torch's BCEWithLogitsLoss pos_weight=)");
            if (o.classWeights() instanceof ClassWeights.Auto) {
                w.put("formula", multiclass ? ClassWeights.AUTO_MULTICLASS : ClassWeights.AUTO_SIGMOID);
            }
            Map<String, Object> per = new LinkedHashMap<>();
            for (int k = 0; k < s.classWeights().length; k++) {
                per.put(s.task().outputName(k), s.classWeights()[k]);
            }
            w.put("per_output", per);
            return w;
        }

        private void writeRunJson(long total, int evalEvery, Map<String, Object> initReport) {
            long params = s.arch().specs().values().stream().filter(t -> t.kind().trainable())
                    .mapToLong(t -> t.size()).sum();
            RunRecord.Resolved resolved = new RunRecord.Resolved(s.imageSize(), s.channels(), total, evalEvery,
                    s.task().type().name().toLowerCase(Locale.ROOT), s.task().outputNames(),
                    new RunRecord.Normalisation(s.pipeline().mean(), s.pipeline().std()),
                    Records.MAPPER.valueToTree(s.pipeline().augment()),
                    s.trainCounts() == null ? null : Records.MAPPER.valueToTree(s.trainCounts().toMap()),
                    s.classWeights() == null ? null : Records.MAPPER.valueToTree(classWeightsRecord()),
                    o.sampler() == Sampler.BALANCED
                            ? "balanced: each draw picks a class uniformly (among classes with training images), then "
                            + "one of its images uniformly, with replacement; seeded by the run's seed and the batch "
                            + "index"
                            : "shuffle: a seeded permutation of the training images each epoch", params);
            RunRecord.Data data = new RunRecord.Data(s.data().spec(), s.data().name(),
                    Records.MAPPER.valueToTree(s.data().identity()), s.sizes());
            Map<String, Object> v = Versions.provenance();
            String gpu = System.getenv("TRANSFUSION_GPU_ADDRESS");
            RunRecord.Provenance prov = new RunRecord.Provenance((String) v.get("transfusion"), (String) v.get("djl"),
                    (String) v.get("libtorch"), (String) v.get("java"), (String) v.get("os"), (Integer) v.get("cpus"),
                    RunLease.host(), Instant.now().toString(), JniUtils.getNumThreads(), context.deviceName(),
                    RunLease.attempt(),
                    // the GPU a cluster scheduler assigned, with CUDA_VISIBLE_DEVICES narrowed to it, when one did
                    gpu, gpu == null ? null : System.getenv("CUDA_VISIBLE_DEVICES"),
                    o.dataDir() == null ? null : o.dataDir().toAbsolutePath().toString(),
                    context.memoryFormat().setting(), context.conv1x1().setting());
            // The run's identity: what it is, not how or where it ran (threads and the data folder go to provenance).
            // The folder of TensorBoard's event files, one per training session (relative to the run folder).
            // Where pretrained weights came from: the hub's URL, SHA-256 and licence, or a file and its hash.
            new RunRecord(RunRecord.FORMAT, o.identity().toTree(), resolved, data,
                    Records.MAPPER.valueToTree(initReport), RunFolder.TENSORBOARD,
                    o.weights() == null ? null : Records.MAPPER.valueToTree(Hub.provenance(o.weights())), prov)
                    .write(folder.runJson());
        }
    }
}
