package org.transfusion.study;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.transfusion.engine.Versions;
import org.transfusion.io.AtomicFiles;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.probe.FilterGrid;
import org.transfusion.engine.weights.SafeTensors;

/**
 * The study's report: {@code DIR/report/index.html}, one self-contained page (inline SVG charts, filter grids as
 * embedded PNG, no scripts), and {@code DIR/report/*.csv} with every number it shows. Built only from the run
 * folders and the analysis files, so {@code transfusion report DIR} rebuilds it without training, and a resumed
 * study gives the same page. Wall-clock times are left out on purpose: they differ between two identical studies.
 */
public final class Report {
    private final Plan plan;
    private final Results results;
    private final StringBuilder html = new StringBuilder();
    private final Path reportDir;

    private Report(Plan plan) {
        this.plan = plan;
        this.results = new Results(plan);
        this.reportDir = plan.dir().resolve("report");
    }

    public static Path write(Plan plan) {
        return new Report(plan).build();
    }

    private Path build() {
        try {
            Files.createDirectories(reportDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode repr = Files.isRegularFile(Analyses.representationsFile(plan.dir()))
                ? Json.read(Analyses.representationsFile(plan.dir())) : null;
        List<Finding> findings = Findings.of(results, repr);
        StudySpec spec = plan.spec();
        html.append("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Transfusion study: ")
                .append(Svg.esc(spec.name())).append("</title><style>")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1180px;margin:24px auto;"
                        + "padding:0 16px;color:#222;line-height:1.45}h1{margin-bottom:4px}h2{border-bottom:1px solid #ddd;"
                        + "padding-bottom:4px;margin-top:36px}table{border-collapse:collapse;margin:10px 0}"
                        + "td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}th{background:#f5f5f5}"
                        + "td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}"
                        + ".verdict{font-weight:bold;white-space:nowrap}.reproduced{color:#1a7f37}"
                        + ".not-reproduced{color:#b42318}.inconclusive{color:#9a6700}.muted{color:#666;font-size:90%}"
                        + "figure{margin:0}figcaption{font-size:90%;color:#555}</style></head><body>");
        html.append("<h1>Transfusion study: ").append(Svg.esc(spec.name())).append("</h1>")
                .append("<p class='muted'>Raghu, Zhang, Kleinberg &amp; Bengio, <i>Transfusion: Understanding Transfer "
                        + "Learning for Medical Imaging</i> (NeurIPS 2019), re-run on this data.</p>");
        findingsSection(findings);
        setup();
        performance();
        smallData();
        convergence();
        transfusionSection();
        hybridSection();
        representations(repr);
        filters();
        html.append("<p class='muted'>Every number on this page is in the CSV files beside it. Rebuild it with "
                + "<code>transfusion report STUDY_FOLDER</code>.</p></body></html>\n");
        Path index = reportDir.resolve("index.html");
        AtomicFiles.writeString(index, html.toString());
        writeCsvs(findings, repr);
        return index;
    }

    private void findingsSection(List<Finding> findings) {
        html.append("<h2>Findings</h2>");
        if (findings.isEmpty()) {
            html.append("<p>No finished runs yet.</p>");
            return;
        }
        html.append("<table><tr><th>experiment</th><th>the paper's claim</th><th>measured here</th><th>verdict</th></tr>");
        for (Finding f : findings) {
            String cls = f.verdict() == Finding.Verdict.REPRODUCED ? "reproduced"
                    : f.verdict() == Finding.Verdict.NOT_REPRODUCED ? "not-reproduced" : "inconclusive";
            html.append("<tr><td>").append(Svg.esc(f.experiment())).append("</td><td style='text-align:left'>")
                    .append(Svg.esc(f.claim())).append("</td><td style='text-align:left'>").append(Svg.esc(f.measured()))
                    .append("</td><td class='verdict ").append(cls).append("'>").append(f.verdict().text())
                    .append("</td></tr>");
        }
        html.append("</table><p class='muted'>A difference counts when it exceeds both 0.01 AUC and twice its "
                + "standard error over seeds; a speed-up counts when a scheme needs at most 0.8x the steps of random "
                + "initialisation. With few seeds and small data, many claims are inconclusive by design.</p>");
    }

    private void setup() {
        StudySpec s = plan.spec();
        html.append("<h2>Setup</h2><table>");
        row("data", s.data() + (s.task() != null ? " (task " + s.task() + ")" : ""));
        RunResult any = results.all().isEmpty() ? null : results.all().get(0);
        if (any != null) {
            JsonNode run = Json.read(new RunFolder(any.run().folder()).runJson());
            row("splits (train / val / test)", run.path("data").path("sizes").path("train").asText() + " / "
                    + run.path("data").path("sizes").path("val").asText() + " / "
                    + run.path("data").path("sizes").path("test").asText());
            row("input", run.path("resolved").path("image_size").asText() + " px, "
                    + run.path("resolved").path("channels").asText() + " channels");
        }
        row("models", String.join(", ", s.models()));
        row("seeds", s.seeds().toString());
        row("training", s.training().epochs() + " epochs, batch " + s.training().batchSize() + ", Adam lr "
                + s.training().lr() + " (cosine), validation every " + (s.training().evalEvery() > 0
                ? s.training().evalEvery() + " steps" : "epoch"));
        row("pretraining source", s.pretrain().weights() != null ? "weights " + s.pretrain().weights()
                : s.pretrain().data() + " (" + s.pretrain().task() + ", " + s.pretrain().epochs() + " epochs)");
        row("runs finished", results.all().size() + " of " + plan.runs().size());
        Map<String, Object> v = Versions.provenance();
        row("versions", "transfusion " + v.get("transfusion") + ", DJL " + v.get("djl") + ", libtorch " + v.get("libtorch")
                + ", Java " + v.get("java"));
        html.append("</table>");
    }

    private void row(String k, String v) {
        html.append("<tr><th>").append(Svg.esc(k)).append("</th><td style='text-align:left'>").append(Svg.esc(v))
                .append("</td></tr>");
    }

    private void performance() {
        StudySpec.Performance p = plan.spec().experiments().performance();
        if (p == null) {
            return;
        }
        html.append("<h2>Performance: test ROC AUC (Tables 1-2)</h2>");
        aucTable(p.schemes(), null);
    }

    private void smallData() {
        StudySpec.SmallData sd = plan.spec().experiments().smallData();
        if (sd == null) {
            return;
        }
        html.append("<h2>Small data: test ROC AUC with few training images (Table 3)</h2>");
        for (int size : sd.sizes()) {
            html.append("<h3>").append(size).append(" training images</h3>");
            aucTable(sd.schemes(), size);
        }
    }

    private void aucTable(List<String> schemes, Integer subset) {
        html.append("<table><tr><th>model</th>");
        schemes.forEach(s -> html.append("<th>").append(Svg.esc(s)).append("</th>"));
        html.append("</tr>");
        for (String model : plan.spec().models()) {
            html.append("<tr><td>").append(Svg.esc(model)).append("</td>");
            for (String s : schemes) {
                double[] a = results.testAucs(model, s, subset);
                html.append("<td>").append(Stats.count(a) == 0 ? "–" : Findings.pm(a)).append(" <span class='muted'>(n=")
                        .append(Stats.count(a)).append(")</span></td>");
            }
            html.append("</tr>");
        }
        html.append("</table><p class='muted'>mean ± standard deviation over seeds.</p>");
    }

    private void convergence() {
        StudySpec.Convergence c = plan.spec().experiments().convergence();
        if (c == null) {
            return;
        }
        html.append("<h2>Convergence: learning curves and steps to a validation AUC (Figure 7)</h2><div class='charts'>");
        for (String model : plan.spec().models()) {
            html.append(curves(model + ": validation AUC by step", model, c.schemes(), false));
            html.append(stepBars(model + ": steps to validation AUC", model, c.schemes(), c.thresholds(), false));
        }
        html.append("</div>");
    }

    private void transfusionSection() {
        StudySpec.Transfusion t = plan.spec().experiments().transfusion();
        if (t == null) {
            return;
        }
        String model = t.model() != null ? t.model() : plan.spec().models().get(0);
        List<String> schemes = new ArrayList<>(List.of("random"));
        t.blocks().forEach(b -> schemes.add("transfusion:" + b));
        schemes.add("pretrained");
        html.append("<h2>Weight transfusion: pretrained up to block k, random above (Figure 8)</h2><div class='charts'>");
        html.append(curves(model + ": validation AUC by step", model, schemes, true));
        html.append(stepBars(model + ": steps to validation AUC", model, schemes, thresholds(), true));
        html.append("</div>");
        firstSeedTable(model, schemes);
    }

    private void hybridSection() {
        StudySpec.Hybrid h = plan.spec().experiments().hybrid();
        if (h == null) {
            return;
        }
        String model = h.model() != null ? h.model() : plan.spec().models().get(0);
        List<String> schemes = new ArrayList<>(List.of("random", "pretrained"));
        schemes.addAll(h.schemes());
        html.append("<h2>Hybrid initialisations: slim model and synthetic Gabor filters (Section 6)</h2><div class='charts'>");
        html.append(curves(model + ": validation AUC by step", model, schemes, true));
        html.append(stepBars(model + ": steps to validation AUC", model, schemes, thresholds(), true));
        html.append("</div>");
        firstSeedTable(model, schemes);
    }

    private List<Double> thresholds() {
        StudySpec.Convergence c = plan.spec().experiments().convergence();
        return c != null ? c.thresholds() : List.of(0.7, 0.8, 0.9);
    }

    private void firstSeedTable(String model, List<String> schemes) {
        long seed = plan.spec().seeds().get(0);
        html.append("<table><tr><th>scheme (seed ").append(seed).append(")</th><th>test AUC</th><th>best val AUC</th>");
        thresholds().forEach(t -> html.append("<th>steps to ").append(String.format(Locale.ROOT, "%.2f", t)).append("</th>"));
        html.append("</tr>");
        for (String s : schemes) {
            RunResult r = results.get(runModel(model, s), s, null, seed);
            if (r == null) {
                continue;
            }
            html.append("<tr><td>").append(Svg.esc(s)).append("</td><td>").append(f3(r.testAuc())).append("</td><td>")
                    .append(f3(r.valAuc())).append("</td>");
            for (double t : thresholds()) {
                double st = r.stepsTo(t);
                html.append("<td>").append(Double.isInfinite(st) ? "–" : String.format(Locale.ROOT, "%.0f", st)).append("</td>");
            }
            html.append("</tr>");
        }
        html.append("</table>");
    }

    private static String runModel(String model, String scheme) {
        return scheme.equals("slim") ? model + "-slim" : model;
    }

    /** Mean validation curve over seeds for each scheme (first seed only when {@code firstSeed}). */
    private String curves(String title, String model, List<String> schemes, boolean firstSeed) {
        List<Svg.Series> series = new ArrayList<>();
        List<Long> seeds = firstSeed ? List.of(plan.spec().seeds().get(0)) : plan.spec().seeds();
        for (String s : schemes) {
            List<RunResult> runs = new ArrayList<>();
            for (long seed : seeds) {
                RunResult r = results.get(runModel(model, s), s, null, seed);
                if (r != null) {
                    runs.add(r);
                }
            }
            if (runs.isEmpty()) {
                continue;
            }
            int n = runs.stream().mapToInt(r -> r.steps().length).min().orElse(0);
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = runs.get(0).steps()[i];
                double[] v = new double[runs.size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = runs.get(k).valCurve()[i];
                }
                y[i] = Stats.mean(v);
            }
            series.add(new Svg.Series(s, x, y, null));
        }
        return "<figure>" + Svg.lines(title, "training step", "validation AUC", series, null, 0.5, 1.0) + "</figure>";
    }

    private String stepBars(String title, String model, List<String> schemes, List<Double> thresholds, boolean firstSeed) {
        List<String> cats = thresholds.stream().map(t -> String.format(Locale.ROOT, "AUC %.2f", t)).toList();
        List<Svg.Series> series = new ArrayList<>();
        double max = 1;
        List<Long> seeds = firstSeed ? List.of(plan.spec().seeds().get(0)) : plan.spec().seeds();
        for (String s : schemes) {
            double[] y = new double[thresholds.size()];
            boolean any = false;
            for (int i = 0; i < y.length; i++) {
                double[] v = new double[seeds.size()];
                int k = 0;
                for (long seed : seeds) {
                    RunResult r = results.get(runModel(model, s), s, null, seed);
                    v[k++] = r == null ? Double.NaN : r.stepsTo(thresholds.get(i));
                }
                double m = Findings.meanSteps(java.util.Arrays.stream(v).filter(d -> !Double.isNaN(d)).toArray());
                y[i] = Double.isInfinite(m) ? Double.NaN : m;
                any |= !Double.isNaN(y[i]);
                if (!Double.isNaN(y[i])) {
                    max = Math.max(max, y[i]);
                }
            }
            if (any) {
                series.add(new Svg.Series(s, null, y, null));
            }
        }
        return "<figure>" + Svg.bars(title, "steps (lower is faster)", cats, series, 0, max * 1.1)
                + "<figcaption>a missing bar: the threshold was not reached</figcaption></figure>";
    }

    private void representations(JsonNode repr) {
        if (repr == null) {
            return;
        }
        html.append("<h2>Representations: per-layer similarity (Figure 2) and change through training</h2>");
        for (String model : plan.spec().models()) {
            JsonNode m = repr.path(model);
            if (m.isMissingNode()) {
                continue;
            }
            List<String> layers = new ArrayList<>();
            m.path("layers").forEach(l -> layers.add(l.asText()));
            html.append("<div class='charts'>");
            for (String measure : Analyses.MEASURES) {
                List<Svg.Series> s = new ArrayList<>();
                s.add(series("random vs random", m.path("random_vs_random").path(measure)));
                s.add(series("random vs transfer", m.path("random_vs_pretrained").path(measure)));
                html.append("<figure>").append(Svg.lines(model + ": " + measure + " between networks", "layer", measure,
                        s, layers, 0, 1)).append("<figcaption>mean ± sd over seed pairs</figcaption></figure>");
            }
            List<Svg.Series> ba = new ArrayList<>();
            ba.add(series("random init", m.path("before_after").path("random").path("pwcca")));
            ba.add(series("transfer", m.path("before_after").path("pretrained").path("pwcca")));
            html.append("<figure>").append(Svg.lines(model + ": PWCCA before vs after training", "layer", "pwcca", ba,
                    layers, 0, 1)).append("<figcaption>1 = the layer did not change</figcaption></figure>");
            List<Svg.Series> mv = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            m.path("weight_movement").path("random").fieldNames().forEachRemaining(keys::add);
            for (String scheme : List.of("random", "pretrained")) {
                JsonNode node = m.path("weight_movement").path(scheme);
                double[] y = keys.stream().mapToDouble(k -> node.path(k).asDouble(Double.NaN)).toArray();
                mv.add(new Svg.Series(scheme.equals("pretrained") ? "transfer" : "random init", null, y, null));
            }
            double max = mv.stream().flatMapToDouble(x -> java.util.Arrays.stream(x.y())).filter(d -> !Double.isNaN(d))
                    .max().orElse(1);
            html.append("<figure>").append(Svg.bars(model + ": weight movement ||w - w0|| / ||w0||", "relative change",
                    keys, mv, 0, max * 1.15)).append("</figure></div>");
        }
    }

    private static Svg.Series series(String name, JsonNode node) {
        int n = node.path("mean").size();
        double[] x = new double[n];
        double[] y = new double[n];
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = node.path("mean").path(i).asDouble(Double.NaN);
            e[i] = node.path("sd").path(i).asDouble(0);
        }
        return new Svg.Series(name, x, y, e);
    }

    private void filters() {
        String model = plan.spec().models().get(0);
        long seed = plan.spec().seeds().get(0);
        Map<String, StateDict> sources = new LinkedHashMap<>();
        Path pretrained = plan.pretrains().stream().filter(p -> p.model().equals(model)).findFirst()
                .map(p -> new RunFolder(p.folder()).bestWeights()).orElse(null);
        if (pretrained == null && plan.run(model, "pretrained", null, seed) != null) {
            pretrained = plan.run(model, "pretrained", null, seed).spec().weights();
        }
        if (pretrained != null && Files.isRegularFile(pretrained)) {
            sources.put("pretrained (source task)", SafeTensors.read(pretrained));
        }
        // Every other panel is the initial weights a run of the study actually started from (its init.safetensors).
        String[][] inits = {{"random init", "random"}, {"Mean Var init", "meanvar"}, {"synthetic Gabor init", "gabor"}};
        for (String[] init : inits) {
            PlannedRun run = plan.run(model, init[1], null, seed);
            Path file = run == null ? null : new RunFolder(run.folder()).initWeights();
            if (file != null && Files.isRegularFile(file)) {
                sources.put(init[0], SafeTensors.read(file));
            }
        }
        Architecture arch = ModelRegistry.get(model).build(3, 2, 1.0);
        html.append("<h2>First-layer filters</h2><div class='charts'>");
        String key = arch.firstConvPrefix() + ".weight";
        for (Map.Entry<String, StateDict> e : sources.entrySet()) {
            HostTensor w = e.getValue().get(key);
            if (w == null) {
                continue;
            }
            String file = "filters-" + e.getKey().split(" ")[0].toLowerCase(Locale.ROOT) + ".png";
            byte[] png = png(FilterGrid.render(w, null, 64)); // the caption is HTML: glyph rasterisation is not reproducible
            AtomicFiles.write(reportDir.resolve(file), out -> out.write(png));
            html.append("<figure><img alt='").append(Svg.esc(e.getKey())).append(" filters' src='data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png)).append("'><figcaption>").append(Svg.esc(e.getKey()))
                    .append(" (").append(model).append(", ").append(key).append(")</figcaption></figure>");
        }
        html.append("</div>");
    }

    private static byte[] png(java.awt.image.BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeCsvs(List<Finding> findings, JsonNode repr) {
        StringBuilder runs = new StringBuilder("id,model,scheme,train_subset,seed,val_auc,test_auc");
        thresholds().forEach(t -> runs.append(",steps_to_").append(String.format(Locale.ROOT, "%.2f", t)));
        runs.append('\n');
        StringBuilder curves = new StringBuilder("id,step,val_auc\n");
        for (RunResult r : results.all()) {
            PlannedRun p = r.run();
            runs.append(String.join(",", p.id(), p.model(), p.scheme(), p.trainSubset() == null ? "" : p.trainSubset().toString(),
                    Long.toString(p.seed()), f6(r.valAuc()), f6(r.testAuc())));
            for (double t : thresholds()) {
                double s = r.stepsTo(t);
                runs.append(',').append(Double.isInfinite(s) ? "" : String.format(Locale.ROOT, "%.0f", s));
            }
            runs.append('\n');
            for (int i = 0; i < r.steps().length; i++) {
                curves.append(p.id()).append(',').append(String.format(Locale.ROOT, "%.0f", r.steps()[i])).append(',')
                        .append(f6(r.valCurve()[i])).append('\n');
            }
        }
        AtomicFiles.writeString(reportDir.resolve("runs.csv"), runs.toString());
        AtomicFiles.writeString(reportDir.resolve("curves.csv"), curves.toString());
        StringBuilder f = new StringBuilder("experiment,verdict,claim,measured\n");
        for (Finding x : findings) {
            f.append(csv(x.experiment())).append(',').append(csv(x.verdict().text())).append(',').append(csv(x.claim()))
                    .append(',').append(csv(x.measured())).append('\n');
        }
        AtomicFiles.writeString(reportDir.resolve("findings.csv"), f.toString());
        if (repr != null) {
            StringBuilder r = new StringBuilder("model,comparison,measure,layer,mean,sd\n");
            repr.fields().forEachRemaining(m -> {
                JsonNode layers = m.getValue().path("layers");
                for (String cmp : List.of("random_vs_random", "random_vs_pretrained")) {
                    for (String measure : Analyses.MEASURES) {
                        JsonNode node = m.getValue().path(cmp).path(measure);
                        for (int i = 0; i < layers.size(); i++) {
                            r.append(m.getKey()).append(',').append(cmp).append(',').append(measure).append(',')
                                    .append(layers.path(i).asText()).append(',')
                                    .append(f6(node.path("mean").path(i).asDouble(Double.NaN))).append(',')
                                    .append(f6(node.path("sd").path(i).asDouble(Double.NaN))).append('\n');
                        }
                    }
                }
                m.getValue().path("weight_movement").fields().forEachRemaining(s -> s.getValue().fields()
                        .forEachRemaining(k -> r.append(m.getKey()).append(",weight_movement_").append(s.getKey())
                                .append(",relative_norm,").append(k.getKey()).append(',')
                                .append(f6(k.getValue().asDouble(Double.NaN))).append(",\n")));
            });
            AtomicFiles.writeString(reportDir.resolve("representations.csv"), r.toString());
        }
    }

    private static String csv(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f6(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
