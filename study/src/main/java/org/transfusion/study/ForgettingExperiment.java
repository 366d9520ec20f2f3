package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.transfusion.engine.io.Records;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.probe.SourceForgetting;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.record.RunRecord;
import org.transfusion.study.record.ForgettingRecord;

/**
 * How much of the source task fine-tuning forgets (a question the paper raises, not one of its tables): for each
 * model pretrained in this study (its source task's data is known), each scheme (random init as the probes' baseline,
 * full transfer, transfusion up to a block, slim) and seed, the source-task accuracy along fine-tuning with the original head put back and with a
 * linear probe per layer ({@link SourceForgetting}). Runs keep {@code snapshots} weight snapshots for it. Written
 * to {@code DIR/analysis/forgetting.json}.
 */
final class ForgettingExperiment implements Experiment {
    static final String FORGETS = "Fine-tuning on the medical task forgets the source task: the pretraining run's "
            + "own classifier, put back on the fine-tuned features, scores lower on the source test images at the "
            + "best fine-tuned weights than at initialisation (not a claim of the paper; its Section 4 question).";

    static final String LOWER_KEEP = "Lower layers hold the source task longer: fine-tuning lowers a linear probe's "
            + "source accuracy less at the first layer than at the last convolutional layer (as the paper finds that "
            + "lower layers change less, Section 4).";

    private final StudySpec.Forgetting spec;

    ForgettingExperiment(StudySpec.Forgetting spec) {
        this.spec = spec;
    }

    static Path file(Path studyDir) {
        return new StudyFolder(studyDir).forgetting();
    }

    /**
     * The CBRs only: their blocks are named alike (so one scheme list fits all) and, without published weights,
     * their source task is pretrained in the study, so its data is known here.
     */
    @Override
    public void plan(Plan plan, String model, long seed) {
        if (ModelRegistry.get(model).family() != ModelCard.Family.CBR) {
            return;
        }
        spec.schemeNames().forEach(s -> plan.add(ReportPage.runModel(model, s), s, null, seed));
    }

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return Optional.of(file(plan.dir()));
    }

    /** Also when the file is of a format before stratified probes ({@link ForgettingRecord#FORMAT} 3). */
    @Override
    public boolean needsAnalysis(Plan plan) {
        if (Experiment.super.needsAnalysis(plan)) {
            return true;
        }
        ForgettingRecord old = read(plan.dir());
        return old != null && old.formatVersion() != null && old.formatVersion() < ForgettingRecord.FORMAT
                && analysedRuns(plan).stream().allMatch(r -> new org.transfusion.engine.run.RunFolder(r.folder())
                .isComplete());
    }


    @Override
    public void analyse(Plan plan, PrintStream log) {
        Map<String, ForgettingRecord.Model> all = new LinkedHashMap<>();
        Map<String, PlannedRun> pretrained = new LinkedHashMap<>();
        plan.pretrains().forEach(p -> pretrained.put(p.model(), p));
        for (String model : plan.spec().models()) {
            if (ModelRegistry.get(model).family() != ModelCard.Family.CBR) {
                continue;
            }
            if (!pretrained.containsKey(model)) {
                all.put(model, ForgettingRecord.Model.skipped("its weights were not pretrained in this study, so "
                        + "its source task's data is not known here"));
                continue;
            }
            Map<String, List<ForgettingRecord.Seed>> schemes = new LinkedHashMap<>();
            for (String scheme : spec.schemeNames()) {
                List<ForgettingRecord.Seed> seeds = new ArrayList<>();
                for (long seed : plan.spec().seeds()) {
                    PlannedRun run = plan.run(ReportPage.runModel(model, scheme), scheme, null, seed);
                    log.println("analysis: forgetting of " + run.id());
                    // The pretraining's data and task: a random-init run (the probes' baseline) has no source.
                    SourceForgetting.Result r = SourceForgetting.measure(run.folder(), new SourceForgetting.Request(
                            plan.spec().pretrain().data(), plan.spec().pretrain().task(),
                            plan.spec().pretrain().imageSize() > 0 ? plan.spec().pretrain().imageSize() : null,
                            run.spec().dataDir(), spec.trainImages(), spec.testImages(),
                            SourceForgetting.Request.DEFAULT_L2, List.of()));
                    seeds.add(Records.as(run.id(), Records.MAPPER.valueToTree(r.toMap()), ForgettingRecord.Seed.class));
                }
                schemes.put(scheme, seeds);
            }
            all.put(model, ForgettingRecord.Model.of(schemes));
        }
        new ForgettingRecord(ForgettingRecord.FORMAT, all).write(file(plan.dir()));
    }

    private static ForgettingRecord read(Path studyDir) {
        return Files.isRegularFile(file(studyDir)) ? ForgettingRecord.read(file(studyDir)) : null;
    }

    /** Per seed, the head accuracy at the point {@code at} (init or best); NaN where not measured. */
    static double[] head(List<ForgettingRecord.Seed> seeds, String at) {
        return perSeed(seeds, at, ForgettingRecord.Point::head);
    }

    /** Per seed, {@code value} of its point {@code at} (the last of that name); NaN where there is none. */
    private static double[] perSeed(List<ForgettingRecord.Seed> seeds, String at,
                                    java.util.function.ToDoubleFunction<ForgettingRecord.Point> value) {
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.NaN;
            for (ForgettingRecord.Point p : seeds.get(i).pointsOrNone()) {
                if (at.equals(p.at())) {
                    out[i] = value.applyAsDouble(p);
                }
            }
        }
        return out;
    }

    @Override
    public List<Finding> findings(Results results) {
        ForgettingRecord f = read(results.plan().dir());
        List<Finding> out = new ArrayList<>();
        if (f == null) {
            return out;
        }
        Map<String, Integer> classes = new LinkedHashMap<>();
        results.plan().pretrains().forEach(p -> classes.put(p.model(), sourceClasses(p.folder())));
        f.models().forEach((model, m) -> m.schemesOrNone().forEach((scheme, seeds) -> {
            // A scheme whose features never fit the source head (slim) has no head to judge.
            if (Stats.count(head(seeds, "init")) > 0) {
                out.add(judgeForgetting(model, scheme, head(seeds, "init"), head(seeds, "best"),
                        classes.getOrDefault(model, 0)));
            }
        }));
        f.models().forEach((model, m) -> {
            List<ForgettingRecord.Seed> seeds = m.schemesOrNone().get("pretrained");
            List<String> layers = new ArrayList<>(seeds == null || seeds.isEmpty() ? List.of()
                    : seeds.get(0).layersOrNone());
            layers.remove("pool");
            if (seeds != null && layers.size() >= 2) {
                String low = layers.get(0);
                String top = layers.get(layers.size() - 1);
                List<ForgettingRecord.Seed> random = m.schemesOrNone().get("random");
                out.add(random == null || random.isEmpty()
                        ? judgeLowerKeepMore(model, low, top, drop(seeds, low), drop(seeds, top))
                        : judgeLowerKeepMore(model, low, top, headroom(seeds, random, low), drop(seeds, low),
                        headroom(seeds, random, top), drop(seeds, top)));
            }
        });
        return out;
    }

    /** How far above chance the head must read the source at init for its loss to be called forgetting. */
    static final double ABOVE_CHANCE = 0.05;

    /**
     * The number of classes of the source task, from the pretraining run's {@code run.json} (2 for a binary task,
     * else its outputs); 0 where that cannot be read.
     */
    static int sourceClasses(Path pretrainFolder) {
        RunFolder folder = new RunFolder(pretrainFolder);
        if (!folder.hasRun()) {
            return 0;
        }
        RunRecord.Resolved resolved = folder.runRecord().resolved();
        return resolved == null ? 0 : resolved.classes();
    }

    /**
     * The forgetting verdict for one model and scheme from the head's source accuracy per seed at init and at the
     * best weights: reproduced when the t-interval of (init - best) lies above 0, not reproduced when it lies below
     * or within 0.01 of 0 on both sides, inconclusive otherwise or under three seeds with both values. A head that
     * reads the source at about chance at init (mean below 1/classes + {@link #ABOVE_CHANCE}; transfusion re-draws
     * the layers it reads) has nothing to forget: inconclusive, whatever its drop. {@code classes} 0: not known,
     * no such check.
     */
    static Finding judgeForgetting(String model, String scheme, double[] init, double[] best, int classes) {
        double[] d = Findings.pairedDifferences(best, init);
        int n = Stats.count(d);
        String measured = String.format(Locale.ROOT, "%s, %s: source accuracy with the original head at init %s, at "
                + "best %s", model, scheme, Findings.pm(init), Findings.pm(best));
        if (classes > 0 && Stats.count(init) > 0 && Stats.mean(init) < 1.0 / classes + ABOVE_CHANCE) {
            return new Finding("forgetting", FORGETS, measured + String.format(Locale.ROOT, "; the head reads the "
                    + "source at about chance already at init (chance 1/%d = %.3f; at least %.3f needed), so there is "
                    + "nothing to forget", classes, 1.0 / classes, 1.0 / classes + ABOVE_CHANCE),
                    Finding.Verdict.INCONCLUSIVE);
        }
        if (n < 3) {
            return tooFewSeeds(FORGETS, measured, n);
        }
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, "; drop %+.3f, 95%% CI [%+.3f, %+.3f], %d seeds", Stats.mean(d),
                ci[0], ci[1], n);
        Finding.Verdict v = ci[0] > 0 ? Finding.Verdict.REPRODUCED
                : ci[1] < 0 || (ci[0] >= -0.01 && ci[1] <= 0.01) ? Finding.Verdict.NOT_REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        // against: a rise, or no drop beyond 0.01 (either rule: the smaller p)
        Estimate e = Estimate.ofSeeds(d);
        return new Finding("forgetting", FORGETS, measured, v, new Finding.Evidence(e.pAbove(0),
                Math.min(e.pBelow(0), e.pWithin(-0.01, 0.01)), e.detectable(), "source accuracy"));
    }

    private static Finding tooFewSeeds(String claim, String measured, int n) {
        return new Finding("forgetting", claim, measured + String.format(Locale.ROOT, "; %d seed%s with both (at "
                + "least 3 needed to judge)", n, n == 1 ? "" : "s"), Finding.Verdict.INCONCLUSIVE);
    }

    /** Per seed, how much a layer's probe accuracy fell from init to best. */
    static double[] drop(List<ForgettingRecord.Seed> seeds, String layer) {
        return Findings.pairedDifferences(probe(seeds, "best", layer), probe(seeds, "init", layer));
    }

    /**
     * Per seed, what a layer's probe held at init beyond what it reads on a network that never saw the source: the
     * pretrained run's probe accuracy at init minus the random-init run's (same seed) at init.
     */
    static double[] headroom(List<ForgettingRecord.Seed> pretrained, List<ForgettingRecord.Seed> random,
                             String layer) {
        return Findings.pairedDifferences(probe(random, "init", layer), probe(pretrained, "init", layer));
    }

    /** Below this much accuracy above the random-init probe a layer held nothing of the source to lose. */
    static final double MIN_HEADROOM = 0.02;

    /**
     * Issue 30.8: whether the lowest layer keeps the source task better than the top conv layer, judged on the share
     * of what each layer held above the random-init probe ({@code headroom}) that fine-tuning lost ({@code drop} /
     * {@code headroom}, per seed), not on absolute drops: a lower layer starts barely above a random network's probe
     * (0.392 vs 0.334 in a quick study), so a small absolute drop there can be most of what it held. Reproduced when
     * the t-interval of (top share - low share) lies above 0, not reproduced when below, inconclusive otherwise,
     * under three seeds, or where a layer's headroom is under {@value #MIN_HEADROOM} on a seed (that seed is left
     * out, and the text says so).
     */
    static Finding judgeLowerKeepMore(String model, String low, String top, double[] lowHeadroom, double[] lowDrop,
                                      double[] topHeadroom, double[] topDrop) {
        double[] lowShare = share(lowDrop, lowHeadroom);
        double[] topShare = share(topDrop, topHeadroom);
        double[] d = Findings.pairedDifferences(lowShare, topShare);
        int n = Stats.count(d);
        int without = 0;
        for (int i = 0; i < Math.min(lowDrop.length, topDrop.length); i++) {
            if (!Double.isNaN(lowDrop[i]) && !Double.isNaN(topDrop[i]) && Double.isNaN(d[i])) {
                without++;
            }
        }
        String measured = String.format(Locale.ROOT, "%s, transfer: of the probe accuracy each layer held above the "
                + "random-init probe at init (%s %s, %s %s), fine-tuning lost %s at %s and %s at %s", model, low,
                Findings.pm(lowHeadroom), top, Findings.pm(topHeadroom), Findings.pm(lowShare), low,
                Findings.pm(topShare), top) + (without > 0 ? String.format(Locale.ROOT, "; %d seed(s) left out: a "
                + "layer held under %.2f above random there", without, MIN_HEADROOM) : "");
        if (n < 3) {
            return tooFewSeeds(LOWER_KEEP, measured, n);
        }
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, "; share lost, top minus low %+.3f, 95%% CI [%+.3f, %+.3f], %d seeds",
                Stats.mean(d), ci[0], ci[1], n);
        Finding.Verdict v = ci[0] > 0 ? Finding.Verdict.REPRODUCED : ci[1] < 0 ? Finding.Verdict.NOT_REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(d);
        return new Finding("forgetting", LOWER_KEEP, measured, v, new Finding.Evidence(e.pAbove(0), e.pBelow(0),
                e.detectable(), "share lost"));
    }

    /** drop / headroom per seed; NaN where either is missing or the headroom is under {@link #MIN_HEADROOM}. */
    static double[] share(double[] drop, double[] headroom) {
        double[] out = new double[Math.min(drop.length, headroom.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = headroom[i] >= MIN_HEADROOM && !Double.isNaN(drop[i]) ? drop[i] / headroom[i] : Double.NaN;
        }
        return out;
    }

    /**
     * {@link #judgeLowerKeepMore(String, String, String, double[], double[], double[], double[])} without a
     * random-init baseline (a study whose forgetting schemes leave out {@code random}): the absolute per-seed drops
     * (init - best), reproduced when the t-interval of (top drop - low drop) lies above 0, not reproduced when below
     * 0, inconclusive otherwise or under three seeds; the text says that the drops are not set against headroom.
     */
    static Finding judgeLowerKeepMore(String model, String low, String top, double[] lowDrop, double[] topDrop) {
        double[] d = Findings.pairedDifferences(lowDrop, topDrop);
        int n = Stats.count(d);
        String measured = String.format(Locale.ROOT, "%s, transfer: probe accuracy drop from init to best at %s %s, "
                + "at %s %s (absolute: no random-init runs to set them against)", model, low, Findings.pm(lowDrop),
                top, Findings.pm(topDrop));
        if (n < 3) {
            return tooFewSeeds(LOWER_KEEP, measured, n);
        }
        double[] ci = Stats.tInterval(d);
        measured += String.format(Locale.ROOT, "; difference %+.3f, 95%% CI [%+.3f, %+.3f], %d seeds", Stats.mean(d),
                ci[0], ci[1], n);
        Finding.Verdict v = ci[0] > 0 ? Finding.Verdict.REPRODUCED : ci[1] < 0 ? Finding.Verdict.NOT_REPRODUCED
                : Finding.Verdict.INCONCLUSIVE;
        Estimate e = Estimate.ofSeeds(d);
        return new Finding("forgetting", LOWER_KEEP, measured, v, new Finding.Evidence(e.pAbove(0), e.pBelow(0),
                e.detectable(), "probe accuracy drop"));
    }

    @Override
    public void section(ReportPage page) {
        ForgettingRecord f = read(page.plan().dir());
        if (f == null) {
            return;
        }
        StringBuilder html = page.html();
        html.append("<h2>Forgetting: source-task accuracy along fine-tuning</h2><div class='charts'>");
        StringBuilder csv = new StringBuilder("model,scheme,seed,at,step,head_accuracy,layer,probe_accuracy\n");
        StringBuilder table = new StringBuilder("<table><tr><th>model</th><th>scheme</th><th>layer</th>"
                + "<th>probe accuracy at init</th><th>at best</th></tr>");
        StringBuilder saw = new StringBuilder();
        f.models().forEach((model, m) -> {
            if (m.skipped() != null) {
                html.append("<p class='muted'>").append(Svg.esc(model)).append(": ")
                        .append(Svg.esc(m.skipped())).append("</p>");
                return;
            }
            m.schemesOrNone().values().stream().flatMap(List::stream).findFirst().ifPresent(one -> saw
                    .append(saw.length() == 0 ? "" : "; ").append(Svg.esc(model)).append(": ")
                    .append(seen(one)));
            List<Svg.Series> series = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            m.schemesOrNone().forEach((scheme, seeds) -> {
                ForgettingRecord.Seed first = seeds.isEmpty() ? null : seeds.get(0);
                List<String> at = new ArrayList<>();
                if (first != null) {
                    first.pointsOrNone().forEach(p -> at.add(p.at()));
                }
                if (at.size() > labels.size()) {
                    labels.clear();
                    labels.addAll(at);
                }
                double[] x = new double[at.size()];
                double[] y = new double[at.size()];
                double[] e = new double[at.size()];
                for (int i = 0; i < at.size(); i++) {
                    x[i] = i;
                    double[] v = new double[seeds.size()];
                    for (int k = 0; k < v.length; k++) {
                        List<ForgettingRecord.Point> points = seeds.get(k).pointsOrNone();
                        v[k] = i < points.size() ? points.get(i).head() : Double.NaN;
                    }
                    y[i] = Stats.mean(v);
                    e[i] = Stats.sd(v);
                }
                if (Stats.count(y) > 0) {
                    series.add(new Svg.Series(scheme, x, y, e));
                }
                for (int k = 0; k < seeds.size(); k++) {
                    long seed = k < page.spec().seeds().size() ? page.spec().seeds().get(k) : k;
                    for (ForgettingRecord.Point p : seeds.get(k).pointsOrNone()) {
                        if (p.probeAccuracy() == null) {
                            continue;
                        }
                        p.probeAccuracy().forEach((layer, acc) -> csv.append(model).append(',').append(scheme)
                                .append(',').append(seed).append(',').append(p.at()).append(',')
                                .append(p.step() == null ? 0 : p.step()).append(',').append(ReportPage.f6(p.head()))
                                .append(',').append(layer).append(',').append(ReportPage.f6(Records.orNaN(acc)))
                                .append('\n'));
                    }
                }
                if (first != null) {
                    first.layersOrNone().forEach(layer -> table.append("<tr><td>").append(Svg.esc(model))
                            .append("</td><td>").append(Svg.esc(scheme)).append("</td><td>")
                            .append(Svg.esc(layer)).append("</td><td>")
                            .append(Findings.pm(probe(seeds, "init", layer))).append("</td><td>")
                            .append(Findings.pm(probe(seeds, "best", layer))).append("</td></tr>"));
                }
            });
            html.append("<figure>").append(Svg.lines(model + ": source accuracy, original head", "fine-tuning "
                    + "point", "accuracy", series, labels, 0, 1)).append("<figcaption>mean ± sd over seeds; random init "
                    + "has no source head, and slim's halved features do not fit it</figcaption></figure>");
        });
        html.append("</div>").append(table).append("</table><p class='note'>Original head: the pretraining run's "
                + "classifier on the fine-tuned features. Probe: multinomial logistic regression on each layer's "
                + "globally average-pooled activations, fitted on up to ").append(spec.trainImages())
                .append(" source train images and scored on up to ").append(spec.testImages()).append(" source "
                + "test images, each a seeded draw stratified by class (the same images for every run and point; ")
                .append(saw.length() == 0 ? "" : "what each probe saw: " + saw + "; ").append("L2 ")
                .append(SourceForgetting.Request.DEFAULT_L2).append(" on the mean cross-entropy). Points: init, the "
                + "runs' ").append(spec.snapshots()).append(" snapshots, best.</p>");
        page.writeFile("forgetting.csv", csv.toString());
    }

    /** "fitted on 2000 images of 10 of 10 classes, scored on 1000 of 10" (an older record: its images only). */
    static String seen(ForgettingRecord.Seed s) {
        if (s.trainClasses() == null) {
            return "fitted on the first " + s.trainImages() + " train images, scored on the first " + s.testImages()
                    + " test images (a record from before stratified probes; classes not recorded)";
        }
        return "fitted on " + s.trainImages() + " images of " + s.trainClasses() + " of " + s.classes()
                + " classes, scored on " + s.testImages() + " of " + s.testClasses();
    }

    /** Per seed, a layer's probe accuracy at the point {@code at}. */
    static double[] probe(List<ForgettingRecord.Seed> seeds, String at, String layer) {
        return perSeed(seeds, at, p -> p.probe(layer));
    }
}
