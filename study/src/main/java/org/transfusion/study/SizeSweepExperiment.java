package org.transfusion.study;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.transfusion.engine.data.Split;
import org.transfusion.study.record.RepresentationsRecord;
import org.transfusion.study.record.SizeSweepRecord;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.probe.LayerActivations;
import org.transfusion.engine.probe.LayerSimilarity;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.similarity.Activations;
import org.transfusion.similarity.EffectiveRank;
import org.transfusion.similarity.Method;

/**
 * Why do large models change less? (the paper's Section 4 observation, issue 19): every model of the sweep trained
 * from each scheme (random init, transfer) on the same data, and per layer how far it moved through training:
 * 1 - SVCCA (and CKA) between its representation at initialisation and after training, the relative weight
 * movement {@code ||w - w0|| / ||w0||}, and the effective rank of its representation before and after
 * ({@link EffectiveRank}: Roy &amp; Vetterli's exp-entropy of the centred activations' singular values, and the
 * directions for 99% of the variance). The change is then set against the parameter count: a chart on a log axis,
 * CSV tables, and a Spearman correlation with an exact permutation p-value as the finding. Written to
 * {@code DIR/analysis/size-sweep.json}; deterministic for the same runs.
 */
final class SizeSweepExperiment implements Experiment {
    /**
     * The paper's small-model family (the model cards of size class small: cbr-small, cbr-tiny, cbr-large-wide,
     * cbr-large-tall), smallest first: the sweep's models below paper scale.
     */
    static final List<String> CBRS = ModelRegistry.all().stream()
            .filter(c -> c.sizeClass() == ModelCard.SizeClass.SMALL && !c.isSegmentation())
            .sorted(Comparator.comparingLong(ModelCard::trainableParameters)).map(ModelCard::name).toList();
    static final String EXPERIMENT = "size sweep";
    static final String CLAIM = "Larger models change less through training than smaller ones (Section 4, Figure 3): "
            + "the change falls as the parameter count grows.";
    /** Fewer sizes than this cannot show a trend (with 4, the smallest exact two-sided p is 2/24 = 0.083). */
    static final int MIN_SIZES = 4;
    static final double ALPHA = 0.05;
    /** Width factors of a width series at quick and paper scale: with the base (1), six sizes (issue 30.9). */
    static final List<Double> WIDTHS = List.of(0.25, 0.5, 0.75, 1.5, 2.0);
    /** The demo's: four sizes, each no larger than the base, so that they cost about two runs of it. */
    static final List<Double> DEMO_WIDTHS = List.of(0.25, 0.5, 0.75);
    /** Depths of a depth series of cbr-small (4 layers): with the base, six sizes. */
    static final List<Integer> DEPTHS = List.of(2, 3, 5, 6, 7);

    /** {@code base@wF} for each factor, smallest first, then {@code base} itself (factor 1). */
    static List<String> widthSeries(String base, List<Double> factors) {
        List<String> out = new ArrayList<>();
        for (double f : factors) {
            out.add(base + ModelRegistry.VARIANT + "w" + java.math.BigDecimal.valueOf(f).stripTrailingZeros()
                    .toPlainString());
        }
        out.add(base);
        return out;
    }

    /** {@code base@dN} for each depth, then {@code base} itself. */
    static List<String> depthSeries(String base, List<Integer> depths) {
        List<String> out = new ArrayList<>();
        for (int d : depths) {
            out.add(base + ModelRegistry.VARIANT + "d" + d);
        }
        out.add(base);
        return out;
    }

    private final StudySpec.SizeSweep spec;

    SizeSweepExperiment(StudySpec.SizeSweep spec) {
        this.spec = spec;
    }

    static Path file(Path studyDir) {
        return new StudyFolder(studyDir).sizeSweep();
    }

    /** The sweep's models: its own list, else the study's. */
    List<String> models(StudySpec study) {
        return spec.models() != null ? spec.models() : study.models();
    }

    @Override
    public void planOnce(Plan plan) {
        for (String model : models(plan.spec())) {
            for (long seed : plan.spec().seeds()) {
                for (String scheme : spec.schemeNames()) {
                    plan.add(model, scheme, null, seed);
                }
            }
        }
    }

    private List<PlannedRun> runs(Plan plan) {
        List<PlannedRun> out = new ArrayList<>();
        for (String model : models(plan.spec())) {
            for (long seed : plan.spec().seeds()) {
                for (String scheme : spec.schemeNames()) {
                    out.add(plan.run(model, scheme, null, seed));
                }
            }
        }
        return out;
    }

    @Override
    public Optional<Path> analysisFile(Plan plan) {
        return Optional.of(file(plan.dir()));
    }

    @Override
    public List<PlannedRun> analysedRuns(Plan plan) {
        return runs(plan);
    }


    /** Trainable parameters of {@code model} (3 input channels, 2 outputs, width 1; its card's): the x axis. */
    static long parameters(String model) {
        return ModelRegistry.get(model).trainableParameters();
    }

    @Override
    public void analyse(Plan plan, PrintStream out) {
        if (!runs(plan).stream().allMatch(r -> new RunFolder(r.folder()).isComplete())) {
            out.println("analysis: size sweep skipped: not every run of it has finished");
            return;
        }
        // the study's data dir: a run folder does not record it, and medmnist:NAME is looked up there first
        RunComparison.Request request = new RunComparison.Request(null, plan.dataDir(), Split.TEST, List.of(),
                Method.parse("svcca,pwcca,cka-linear"), spec.maxPoints(), 0, spec.conv(), 0)
                .withEqualWidth(RepresentationsExperiment.commonWidth(models(plan.spec())));
        Map<String, SizeSweepRecord.Model> all = new LinkedHashMap<>();
        for (String model : models(plan.spec())) {
            Map<String, Tally> tallies = new LinkedHashMap<>();
            for (String scheme : spec.schemeNames()) {
                Tally t = new Tally();
                for (long seed : plan.spec().seeds()) {
                    out.println("analysis: size sweep " + model + " " + scheme + " seed " + seed);
                    t.add(RunComparison.beforeAfter(plan.run(model, scheme, null, seed).folder(), request, t::ranks));
                }
                tallies.put(scheme, t);
            }
            List<LayerSimilarity> first = tallies.values().iterator().next().layers.get(0);
            Map<String, RepresentationsRecord.Summary> beforeAfter = new LinkedHashMap<>();
            Map<String, SizeSweepRecord.Movement> moved = new LinkedHashMap<>();
            Map<String, SizeSweepRecord.BeforeAfter> erank = new LinkedHashMap<>();
            Map<String, SizeSweepRecord.BeforeAfter> variance99 = new LinkedHashMap<>();
            tallies.forEach((scheme, t) -> {
                beforeAfter.put(scheme, RepresentationsExperiment.summary(t.layers));
                moved.put(scheme, new SizeSweepRecord.Movement(t.keys, t.moved));
                erank.put(scheme, new SizeSweepRecord.BeforeAfter(t.ranks.get(0), t.ranks.get(1)));
                variance99.put(scheme, new SizeSweepRecord.BeforeAfter(t.ranks.get(2), t.ranks.get(3)));
            });
            all.put(model, new SizeSweepRecord.Model(parameters(model),
                    first.stream().map(LayerSimilarity::layerA).toList(),
                    first.stream().map(LayerSimilarity::points).toList(),
                    first.stream().map(LayerSimilarity::neuronsA).toList(), beforeAfter, moved, erank, variance99));
        }
        // AtomicFiles creates the analysis folder
        new SizeSweepRecord(SizeSweepRecord.FORMAT, all).write(file(plan.dir()));
    }

    /** One scheme's before-vs-after results over the seeds, as the analysis file keeps them. */
    private static final class Tally {
        final List<List<LayerSimilarity>> layers = new ArrayList<>();
        List<String> keys = List.of();
        final List<List<Double>> moved = new ArrayList<>();
        /** Per seed and layer: effective rank at init and trained, directions for 99% at init and trained. */
        final List<List<List<Double>>> ranks = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        private List<List<Double>> seed;

        /** The activations of one layer before and after training (called per layer, before {@link #add}). */
        void ranks(LayerActivations before, LayerActivations after) {
            if (seed == null) {
                seed = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            }
            EffectiveRank b = rank(before);
            EffectiveRank a = rank(after);
            seed.get(0).add(b.entropy());
            seed.get(1).add(a.entropy());
            seed.get(2).add(b.variance99());
            seed.get(3).add(a.variance99());
        }

        void add(RunComparison.Result r) {
            layers.add(r.layers());
            keys = new ArrayList<>(r.movement().keySet());
            moved.add(new ArrayList<>(r.movement().values()));
            for (int i = 0; i < 4; i++) {
                ranks.get(i).add(seed == null ? List.of() : seed.get(i));
            }
            seed = null;
        }

        private static EffectiveRank rank(LayerActivations a) {
            return EffectiveRank.of(Activations.of(a.rows(), a.points(), a.neurons()));
        }
    }

    // ---- the numbers the findings, chart and tables use, from the analysis file ---------------------------

    /**
     * One model under one scheme, per seed: 1 - SVCCA over its lower, higher and all usable conv layers, 1 - linear
     * CKA over all its conv layers (CKA needs no points-per-neuron rule, so every model is judged on all its layers),
     * and the mean weight movement; and its effective rank at init and trained (mean over conv layers and seeds).
     */
    record Point(String model, long params, double[] lower, double[] higher, double[] all, double[] allCka,
                 double[] moved, double erankBefore, double erankAfter, double[] allEqualWidth,
                 double[] allDebiased) {}

    /** Per seed, per layer values of {@code measure} in {@code summary} (empty where not measured). */
    private static List<List<Double>> values(RepresentationsRecord.Summary summary, String measure) {
        RepresentationsRecord.Measure m = summary == null ? null : summary.measure(measure);
        return m == null || m.values() == null ? List.of() : m.values();
    }

    /** The sweep's points for {@code scheme}, smallest model first; models missing from the file are left out. */
    static List<Point> points(SizeSweepRecord sweep, List<String> models, String scheme) {
        List<Point> out = new ArrayList<>();
        for (String model : models) {
            SizeSweepRecord.Model m = sweep.models().get(model);
            List<List<Double>> values = m == null ? List.of()
                    : RepresentationsExperiment.values(m.beforeAfter() == null ? null : m.beforeAfter().get(scheme));
            if (m == null || values.isEmpty()) {
                continue;
            }
            RepresentationsExperiment.Layers l = RepresentationsExperiment.Layers.of(m.layers(), m.points(),
                    m.neurons());
            int n = values.size();
            double[] lower = new double[n];
            double[] higher = new double[n];
            double[] all = new double[n];
            double[] allCka = new double[n];
            double[] moved = new double[n];
            RepresentationsRecord.Measure ckaMeasure = m.beforeAfter().get(scheme).ckaLinear();
            List<List<Double>> cka = ckaMeasure == null || ckaMeasure.values() == null ? List.of() : ckaMeasure.values();
            SizeSweepRecord.Movement movement = m.weightMovement() == null ? null : m.weightMovement().get(scheme);
            List<List<Double>> eq = values(m.beforeAfter().get(scheme), RunComparison.SVCCA_EQUAL_WIDTH);
            List<List<Double>> debiased = values(m.beforeAfter().get(scheme), RunComparison.CKA_DEBIASED);
            double[] allEqualWidth = new double[n];
            double[] allDebiased = new double[n];
            for (int i = 0; i < n; i++) {
                List<Double> e = i < eq.size() ? eq.get(i) : null;
                List<Double> db = i < debiased.size() ? debiased.get(i) : null;
                allEqualWidth[i] = e == null ? Double.NaN : 1 - Stats.mean(l.convs().stream()
                        .mapToDouble(k -> RepresentationsRecord.at(e, k)).toArray());
                allDebiased[i] = db == null ? Double.NaN : 1 - Stats.mean(l.convs().stream()
                        .mapToDouble(k -> RepresentationsRecord.at(db, k)).toArray());
            }
            for (int i = 0; i < n; i++) {
                lower[i] = 1 - l.mean(values.get(i), l.lower());
                higher[i] = 1 - l.mean(values.get(i), l.higher());
                all[i] = 1 - l.mean(values.get(i), l.convs());
                List<Double> seed = i < cka.size() ? cka.get(i) : null;
                allCka[i] = 1 - Stats.mean(l.convs().stream().mapToDouble(k -> RepresentationsRecord.at(seed, k))
                        .toArray());
                moved[i] = Stats.mean(doubles(seedList(movement == null ? null : movement.values(), i)));
            }
            List<Integer> convs = l.convs();
            SizeSweepRecord.BeforeAfter erank = m.effectiveRank() == null ? null : m.effectiveRank().get(scheme);
            out.add(new Point(model, m.params() == null ? 0 : m.params(), lower, higher, all, allCka, moved,
                    meanOver(erank == null ? null : erank.before(), convs),
                    meanOver(erank == null ? null : erank.after(), convs), allEqualWidth, allDebiased));
        }
        out.sort(Comparator.comparingLong(Point::params));
        return out;
    }

    /** Seed {@code i}'s list of a per-seed list (null where missing). */
    private static List<Double> seedList(List<List<Double>> perSeed, int i) {
        return perSeed == null || i >= perSeed.size() ? null : perSeed.get(i);
    }

    /** Mean over seeds of the mean over {@code layers} of a per-seed, per-layer list. */
    private static double meanOver(List<List<Double>> perSeed, List<Integer> layers) {
        int seeds = perSeed == null ? 0 : perSeed.size();
        double[] v = new double[seeds];
        for (int s = 0; s < v.length; s++) {
            List<Double> seed = perSeed.get(s);
            v[s] = Stats.mean(layers.stream().mapToDouble(i -> RepresentationsRecord.at(seed, i)).toArray());
        }
        return Stats.mean(v);
    }

    private static double[] doubles(List<Double> list) {
        double[] v = new double[list == null ? 0 : list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = RepresentationsRecord.at(list, i);
        }
        return v;
    }

    /**
     * One axis of the sweep: models that differ in one respect, judged on their own (issue 30.9). A base CBR and its
     * width variants ({@code cbr-small@w0.5}: width at fixed depth), the same with its depth variants
     * ({@code cbr-small@d6}: depth at fixed width), and the registered models as they are (the paper's CBRs vary
     * width, depth and kernel together). {@code label} is empty for the only series of a sweep without variants.
     */
    record Series(String label, List<String> models) {}

    /**
     * The sweep's series, in the order of their first model: each base's width series and depth series (the base
     * itself at factor 1 or its own depth, when the sweep has it), then the registered models when at least two are
     * not only the base of a series, or when they are all there is.
     */
    static List<Series> series(List<String> models) {
        Map<String, List<String>> widths = new LinkedHashMap<>();
        Map<String, List<String>> depths = new LinkedHashMap<>();
        List<String> plain = new ArrayList<>();
        for (String m : models) {
            int at = m.indexOf(ModelRegistry.VARIANT);
            if (at < 0) {
                plain.add(m);
            } else {
                String base = m.substring(0, at);
                (m.charAt(at + 1) == 'w' ? widths : depths).computeIfAbsent(base, b -> new ArrayList<>()).add(m);
            }
        }
        List<Series> out = new ArrayList<>();
        java.util.Set<String> anchors = new java.util.HashSet<>();
        for (var axis : List.of(Map.entry("width at fixed depth, ", widths), Map.entry("depth at fixed width, ", depths))) {
            axis.getValue().forEach((base, variants) -> {
                List<String> s = new ArrayList<>(variants);
                if (plain.contains(base)) {
                    s.add(base);
                    anchors.add(base);
                }
                out.add(new Series(axis.getKey() + base, s));
            });
        }
        if (out.isEmpty()) {
            return List.of(new Series("", plain));
        }
        if (plain.stream().filter(m -> !anchors.contains(m)).count() >= 1 && plain.size() >= 2) {
            out.add(0, new Series("the registered models (width, depth and kernel vary together)", plain));
        }
        return out;
    }

    /** " (NAME)" or " (NAME; SERIES)": which scheme and series a finding or line is about. */
    private static String about(String name, Series s) {
        return " (" + name + (s.label().isEmpty() ? "" : "; " + s.label()) + ")";
    }

    private static String schemeName(String scheme) {
        return scheme.equals("pretrained") ? "transfer" : scheme.equals("random") ? "random init" : scheme;
    }

    @Override
    public List<Finding> findings(Results results) {
        Path f = file(results.plan().dir());
        List<Finding> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) {
            return out;
        }
        SizeSweepRecord sweep = SizeSweepRecord.read(f);
        List<String> models = models(results.spec());
        for (String scheme : spec.schemeNames()) {
            String name = schemeName(scheme);
            for (Series series : series(models)) {
                List<Point> points = points(sweep, series.models(), scheme);
                List<String> names = points.stream().map(Point::model).toList();
                double[] params = points.stream().mapToDouble(Point::params).toArray();
                String about = about(name, series);
                out.add(judgeSizeChange("1 - " + RepresentationsExperiment.CLAIM_MEASURE.toUpperCase(Locale.ROOT)
                        + " before vs after training, mean over conv layers" + about, names, params,
                        points.stream().mapToDouble(p -> Stats.mean(p.all())).toArray()));
                out.add(judgeSizeChange("1 - linear CKA before vs after training, mean over all conv layers" + about,
                        names, params, points.stream().mapToDouble(p -> Stats.mean(p.allCka())).toArray()));
                if (points.stream().anyMatch(p -> Stats.count(p.allEqualWidth()) > 0)) {
                    // issue 30.6: raw SVCCA and CKA favour wide layers; these two do not
                    out.add(judgeSizeChange("1 - SVCCA at equal width (" + RepresentationsExperiment.commonWidth(models)
                            + " neurons, random subsets) before vs after training, mean over all conv layers" + about,
                            names, params, points.stream().mapToDouble(p -> Stats.mean(p.allEqualWidth())).toArray()));
                    out.add(judgeSizeChange("1 - debiased linear CKA before vs after training, mean over all conv "
                            + "layers" + about, names, params,
                            points.stream().mapToDouble(p -> Stats.mean(p.allDebiased())).toArray()));
                }
                out.add(judgeSizeChange("weight movement ||w - w0|| / ||w0||, mean over weight tensors" + about, names,
                        params, points.stream().mapToDouble(p -> Stats.mean(p.moved())).toArray()));
            }
        }
        return out;
    }

    /**
     * The claim over one measure of change: Spearman's rho between parameter count and change (mean over seeds)
     * across the sweep's models, with its exact two-sided permutation p-value. Reproduced when rho is negative with
     * p at most {@value #ALPHA}, contradicted when positive with such a p, inconclusive otherwise, and with fewer
     * than {@value #MIN_SIZES} distinct sizes (models whose change is undefined are left out).
     */
    static Finding judgeSizeChange(String what, List<String> models, double[] params, double[] change) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < change.length; i++) {
            if (!Double.isNaN(change[i])) {
                kept.add(i);
            }
        }
        double[] x = kept.stream().mapToDouble(i -> params[i]).toArray();
        double[] y = kept.stream().mapToDouble(i -> change[i]).toArray();
        StringBuilder measured = new StringBuilder(what).append(": ");
        for (int k = 0; k < kept.size(); k++) {
            int i = kept.get(k);
            measured.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s (%s) %.3f", models.get(i),
                    paramsText((long) params[i]), change[i]));
        }
        long sizes = java.util.Arrays.stream(x).distinct().count();
        if (sizes < MIN_SIZES) {
            measured.append(String.format(Locale.ROOT, "; %d size%s (at least %d needed to judge a trend)", sizes,
                    sizes == 1 ? "" : "s", MIN_SIZES));
            return new Finding(EXPERIMENT, CLAIM, measured.toString(), Finding.Verdict.INCONCLUSIVE);
        }
        RankCorrelation.Result r = RankCorrelation.test(x, y);
        if (Double.isNaN(r.rho())) {
            measured.append("; Spearman rho undefined (the same change at every size)");
            return new Finding(EXPERIMENT, CLAIM, measured.toString(), Finding.Verdict.INCONCLUSIVE);
        }
        measured.append(String.format(Locale.ROOT, "; Spearman rho %+.2f (parameters vs change), two-sided p %.3f "
                + "(%s over %d orderings)", r.rho(), r.p(), r.exact() ? "exact" : "permutation", r.orderings()));
        Finding.Verdict v = r.p() > ALPHA ? Finding.Verdict.INCONCLUSIVE
                : r.rho() < 0 ? Finding.Verdict.REPRODUCED : Finding.Verdict.NOT_REPRODUCED;
        return new Finding(EXPERIMENT, CLAIM, measured.toString(), v, new Finding.Evidence(r.rho() < 0 ? r.p() : 1,
                r.rho() > 0 ? r.p() : 1, Double.NaN, null));
    }

    static String paramsText(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6)
                : n >= 1_000 ? String.format(Locale.ROOT, "%.0fk", n / 1e3) : Long.toString(n);
    }

    // ---- the report section ----------------------------------------------------------------------------

    @Override
    public void section(ReportPage page) {
        Path f = file(page.plan().dir());
        if (!Files.isRegularFile(f)) {
            return;
        }
        SizeSweepRecord sweep = SizeSweepRecord.read(f);
        List<String> models = models(page.spec());
        StringBuilder html = page.html();
        html.append("<h2>Size sweep: do larger models change less?</h2><p class='muted'>Each model trained from ")
                .append(Svg.esc(String.join(" and ", spec.schemeNames().stream().map(SizeSweepExperiment::schemeName)
                        .toList()))).append(" on the same data; x = trainable parameters on a log scale (6 = 1M). "
                        + "Change = 1 - ").append(RepresentationsExperiment.CLAIM_MEASURE.toUpperCase(Locale.ROOT))
                .append(" between a layer at initialisation and after training, over the lower and higher half of "
                        + "the conv layers with at least ").append(RepresentationsExperiment.POINTS_PER_NEURON)
                .append(" points per neuron. The learning-rate rule: every size is trained with the study's one "
                        + "learning rate (").append(String.format(Locale.ROOT, "%g", page.spec().training().lr()))
                .append(") and schedule, none tuned per size. Width variants (MODEL@wF) scale every layer's channels "
                        + "by F at the same depth, depth variants (MODEL@dN) have N layers at the same widths; each "
                        + "series is judged on its own.</p><div class='charts'>");
        List<Svg.Series> change = new ArrayList<>();
        List<Svg.Series> moved = new ArrayList<>();
        List<Svg.Series> ranks = new ArrayList<>();
        double maxMoved = 0;
        double maxRank = 0;
        List<Series> allSeries = series(models);
        for (String scheme : spec.schemeNames()) {
            for (Series s : allSeries) {
                List<Point> points = points(sweep, s.models(), scheme);
                double[] x = points.stream().mapToDouble(p -> Math.log10(p.params())).toArray();
                String name = schemeName(scheme) + (s.label().isEmpty() ? "" : ", " + shortLabel(s));
                change.add(series(name + ", lower", x, points.stream().map(Point::lower).toList()));
                change.add(series(name + ", higher", x, points.stream().map(Point::higher).toList()));
                Svg.Series m = series(name, x, points.stream().map(Point::moved).toList());
                moved.add(m);
                double[] before = points.stream().mapToDouble(Point::erankBefore).toArray();
                double[] after = points.stream().mapToDouble(Point::erankAfter).toArray();
                ranks.add(new Svg.Series(name + ", init", x, before, null));
                ranks.add(new Svg.Series(name + ", trained", x, after, null));
                for (int i = 0; i < x.length; i++) {
                    maxMoved = Math.max(maxMoved, finite(m.y()[i] + m.err()[i]));
                    maxRank = Math.max(maxRank, Math.max(finite(before[i]), finite(after[i])));
                }
            }
        }
        String xTitle = "trainable parameters (log10)";
        html.append("<figure>").append(Svg.lines("representation change vs size", xTitle, "1 - "
                + RepresentationsExperiment.CLAIM_MEASURE, change, null, 0, 1)).append("<figcaption>mean ± sd over "
                + "seeds; lower / higher half of the conv layers</figcaption></figure>");
        html.append("<figure>").append(Svg.lines("weight movement vs size", xTitle, "||w - w0|| / ||w0||", moved, null,
                0, maxMoved > 0 ? maxMoved * 1.15 : 1)).append("<figcaption>mean over weight tensors, mean ± sd over "
                + "seeds</figcaption></figure>");
        html.append("<figure>").append(Svg.lines("effective rank vs size", xTitle, "exp(entropy) of singular values",
                ranks, null, 0, maxRank > 0 ? maxRank * 1.15 : 1)).append("<figcaption>Roy &amp; Vetterli effective "
                + "rank of the centred activations, mean over conv layers and seeds</figcaption></figure></div>");
        table(page, sweep, models);
        writeCsv(page, sweep, models);
    }

    /** A series' name in a chart legend: "width", "depth" or "models". */
    private static String shortLabel(Series s) {
        return s.label().startsWith("width") ? "width" : s.label().startsWith("depth") ? "depth" : "models";
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private static Svg.Series series(String name, double[] x, List<double[]> perSeed) {
        double[] y = perSeed.stream().mapToDouble(Stats::mean).toArray();
        double[] e = perSeed.stream().mapToDouble(Stats::sd).toArray();
        return new Svg.Series(name, x, y, e);
    }

    private void table(ReportPage page, SizeSweepRecord sweep, List<String> models) {
        StringBuilder h = page.html();
        h.append("<table><tr><th>model</th><th>parameters</th><th>init</th><th>change, lower layers</th>"
                + "<th>change, higher layers</th><th>weight movement</th><th>effective rank, init → trained</th></tr>");
        for (String scheme : spec.schemeNames()) {
            for (Point p : points(sweep, models, scheme)) {
                h.append("<tr><td>").append(Svg.esc(p.model())).append("</td><td>").append(paramsText(p.params()))
                        .append("</td><td>").append(schemeName(scheme)).append("</td><td>")
                        .append(Findings.pm(p.lower())).append("</td><td>").append(Findings.pm(p.higher()))
                        .append("</td><td>").append(Findings.pm(p.moved())).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.1f → %.1f", p.erankBefore(), p.erankAfter()))
                        .append("</td></tr>");
            }
        }
        h.append("</table><p class='note'>mean ± sd over seeds. Effective rank: exp of the entropy of the normalised "
                + "singular values of a layer's centred activations (Roy &amp; Vetterli 2007); the number of "
                + "directions for 99% of the variance is in size-sweep.csv. All per-layer numbers are in "
                + "size-sweep.csv, the per-model summary in size-sweep-summary.csv.</p>");
    }

    private void writeCsv(ReportPage page, SizeSweepRecord sweep, List<String> models) {
        StringBuilder layers = new StringBuilder("model,params,scheme,layer,points,neurons,svcca_mean,svcca_sd,"
                + "cka_linear_mean,effective_rank_init,effective_rank_trained,variance99_init,variance99_trained\n");
        StringBuilder summary = new StringBuilder("model,params,scheme,seeds,change_lower_mean,change_lower_sd,"
                + "change_higher_mean,change_higher_sd,change_all_mean,change_all_cka_mean,weight_movement_mean,"
                + "weight_movement_sd,"
                + "effective_rank_init,effective_rank_trained\n");
        for (String scheme : spec.schemeNames()) {
            for (Point p : points(sweep, models, scheme)) {
                SizeSweepRecord.Model m = sweep.models().get(p.model());
                RepresentationsRecord.Summary ba = m.beforeAfter() == null ? null : m.beforeAfter().get(scheme);
                RepresentationsRecord.Measure svcca = ba == null || ba.svcca() == null ? NO_MEASURE : ba.svcca();
                RepresentationsRecord.Measure cka = ba == null || ba.ckaLinear() == null ? NO_MEASURE : ba.ckaLinear();
                SizeSweepRecord.BeforeAfter erank = m.effectiveRank() == null ? null : m.effectiveRank().get(scheme);
                SizeSweepRecord.BeforeAfter v99 = m.variance99() == null ? null : m.variance99().get(scheme);
                List<String> names = m.layers() == null ? List.of() : m.layers();
                for (int i = 0; i < names.size(); i++) {
                    layers.append(String.join(",", p.model(), Long.toString(p.params()), scheme,
                            names.get(i), text(m.points(), i), text(m.neurons(), i),
                            ReportPage.f6(RepresentationsRecord.at(svcca.mean(), i)),
                            ReportPage.f6(RepresentationsRecord.at(svcca.sd(), i)),
                            ReportPage.f6(RepresentationsRecord.at(cka.mean(), i)),
                            ReportPage.f6(layerMean(erank == null ? null : erank.before(), i)),
                            ReportPage.f6(layerMean(erank == null ? null : erank.after(), i)),
                            ReportPage.f6(layerMean(v99 == null ? null : v99.before(), i)),
                            ReportPage.f6(layerMean(v99 == null ? null : v99.after(), i)))).append('\n');
                }
                summary.append(String.join(",", p.model(), Long.toString(p.params()), scheme,
                        Integer.toString(p.all().length), ReportPage.f6(Stats.mean(p.lower())),
                        ReportPage.f6(Stats.sd(p.lower())), ReportPage.f6(Stats.mean(p.higher())),
                        ReportPage.f6(Stats.sd(p.higher())), ReportPage.f6(Stats.mean(p.all())),
                        ReportPage.f6(Stats.mean(p.allCka())),
                        ReportPage.f6(Stats.mean(p.moved())), ReportPage.f6(Stats.sd(p.moved())),
                        ReportPage.f6(p.erankBefore()), ReportPage.f6(p.erankAfter()))).append('\n');
            }
        }
        page.writeFile("size-sweep.csv", layers.toString());
        page.writeFile("size-sweep-summary.csv", summary.toString());
    }

    /** Mean over seeds of layer {@code i} in a per-seed, per-layer list. */
    private static double layerMean(List<List<Double>> perSeed, int i) {
        double[] v = new double[perSeed == null ? 0 : perSeed.size()];
        for (int s = 0; s < v.length; s++) {
            v[s] = RepresentationsRecord.at(perSeed.get(s), i);
        }
        return Stats.mean(v);
    }

    private static final RepresentationsRecord.Measure NO_MEASURE = new RepresentationsRecord.Measure(null, null, null);

    /** A per-layer count as the CSV lists it ("" where not recorded). */
    private static String text(List<Integer> counts, int i) {
        return counts == null || i >= counts.size() || counts.get(i) == null ? "" : counts.get(i).toString();
    }
}
