package org.transfusion.study;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.transfusion.engine.init.InitScheme;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;

/**
 * The report page being written, and the tables and charts that several experiments' sections share (test-AUC
 * tables, learning curves, steps-to-threshold bars, a first-seed summary). Sections append HTML through
 * {@link #html()} and write their own files into {@link #dir()}.
 */
final class ReportPage {
    private final Results results;
    private final Path dir;
    private final StringBuilder html = new StringBuilder();

    ReportPage(Results results, Path dir) {
        this.results = results;
        this.dir = dir;
    }

    StringBuilder html() {
        return html;
    }

    Results results() {
        return results;
    }

    Plan plan() {
        return results.plan();
    }

    StudySpec spec() {
        return results.spec();
    }

    Path dir() {
        return dir;
    }

    /** A file of the report folder, written atomically. */
    void writeFile(String name, String text) {
        AtomicFiles.writeString(dir.resolve(name), text);
    }

    void row(String k, String v) {
        html.append("<tr><th>").append(Svg.esc(k)).append("</th><td style='text-align:left'>").append(Svg.esc(v))
                .append("</td></tr>");
    }

    /** Test AUC (mean ± sd over seeds) of every model under each scheme, on all data or a train subset. */
    void aucTable(List<String> schemes, Integer subset) {
        html.append("<table><tr><th>model</th>");
        schemes.forEach(s -> html.append("<th>").append(Svg.esc(s)).append("</th>"));
        html.append("</tr>");
        for (String model : spec().models()) {
            html.append("<tr><td>").append(Svg.esc(model)).append("</td>");
            for (String s : schemes) {
                double[] a = results.testAucs(model, s, subset);
                double[] ci = Stats.tInterval(a);
                html.append("<td>").append(Stats.count(a) == 0 ? "–" : Findings.pm(a));
                if (!Double.isNaN(ci[0])) {
                    // an AUC lies in [0, 1]; a t-interval over few seeds can reach past it
                    html.append(String.format(Locale.ROOT, " <span class='muted'>[%.3f, %.3f]</span>",
                            Math.max(0, ci[0]), Math.min(1, ci[1])));
                }
                html.append(" <span class='muted'>(n=").append(Stats.count(a)).append(")</span></td>");
            }
            html.append("</tr>");
        }
        html.append("</table><p class='muted'>mean ± standard deviation over seeds [95% t-interval of the mean]; "
                + "each run's test AUC with its DeLong 95% interval is in runs.csv.</p>");
        aucBars(schemes, subset);
    }

    /** The table's means as bars, the 95% t-interval of each as its error bar (none under two seeds). */
    private void aucBars(List<String> schemes, Integer subset) {
        List<String> models = spec().models();
        List<Svg.Series> series = new ArrayList<>();
        double lo = 1;
        double hi = 0;
        for (String s : schemes) {
            double[] y = new double[models.size()];
            double[] e = new double[models.size()];
            for (int i = 0; i < y.length; i++) {
                double[] a = results.testAucs(models.get(i), s, subset);
                double[] ci = Stats.tInterval(a);
                y[i] = Stats.mean(a);
                e[i] = Double.isNaN(ci[0]) ? 0 : (ci[1] - ci[0]) / 2;
                if (!Double.isNaN(y[i])) {
                    lo = Math.min(lo, y[i] - e[i]);
                    hi = Math.max(hi, y[i] + e[i]);
                }
            }
            series.add(new Svg.Series(s, null, y, e));
        }
        if (hi < lo) {
            return;
        }
        double yMin = Math.max(0, Math.floor((lo - 0.05) * 20) / 20);
        double yMax = Math.min(1, Math.ceil((hi + 0.02) * 20) / 20);
        html.append("<div class='charts'><figure>").append(Svg.bars("test ROC AUC" + (subset == null ? ""
                : " with " + subset + " training images"), "test AUC", models, series, yMin, yMax))
                .append("<figcaption>mean over seeds; error bars: 95% t-interval</figcaption></figure></div>");
    }

    /**
     * The model a scheme's runs use: the model card's slim variant for {@code slim} (the spec reader has checked
     * that there is one).
     */
    static String runModel(String model, String scheme) {
        if (!(InitScheme.parse(scheme) instanceof InitScheme.Slim)) {
            return model;
        }
        return ModelRegistry.get(model).slimVariant().map(ModelCard::name).orElseThrow(() -> new BadInputException(
                "--init slim needs a slim variant of " + model + " (expected a model with one: " + slimModels() + ")"));
    }

    /** The models that have a slim variant, for messages. */
    static String slimModels() {
        return String.join(", ", ModelRegistry.all().stream().filter(c -> c.slimVariant().isPresent())
                .map(ModelCard::name).toList());
    }

    /** Mean validation curve over seeds for each scheme (first seed only when {@code firstSeed}). */
    String curves(String title, String model, List<String> schemes, boolean firstSeed) {
        return curves(title, model, schemes, firstSeed, RunResult::valCurve, "validation AUC", 0.5);
    }

    /**
     * Mean over seeds of each scheme's validation curve {@code values} (e.g. a segmentation's validation Dice),
     * drawn from {@code yMin} to 1.
     */
    String curves(String title, String model, List<String> schemes, boolean firstSeed,
                  java.util.function.Function<RunResult, double[]> values, String yTitle, double yMin) {
        List<Svg.Series> series = new ArrayList<>();
        List<Long> seeds = firstSeed ? List.of(spec().seeds().get(0)) : spec().seeds();
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
                    v[k] = values.apply(runs.get(k))[i];
                }
                y[i] = Stats.mean(v);
            }
            series.add(new Svg.Series(s, x, y, null));
        }
        return "<figure>" + Svg.lines(title, "training step", yTitle, series, null, yMin, 1.0) + "</figure>";
    }

    /** Mean steps to each threshold per scheme, as bars (a missing bar: not reached). */
    String stepBars(String title, String model, List<String> schemes, List<Double> thresholds, boolean firstSeed) {
        List<String> cats = thresholds.stream().map(t -> String.format(Locale.ROOT, "AUC %.2f", t)).toList();
        List<Svg.Series> series = new ArrayList<>();
        double max = 1;
        List<Long> seeds = firstSeed ? List.of(spec().seeds().get(0)) : spec().seeds();
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
                double m = Findings.meanSteps(Arrays.stream(v).filter(d -> !Double.isNaN(d)).toArray());
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

    /** Test AUC, best validation AUC and steps to each threshold of the first seed's run of each scheme. */
    void firstSeedTable(String model, List<String> schemes, List<Double> thresholds) {
        long seed = spec().seeds().get(0);
        html.append("<table><tr><th>scheme (seed ").append(seed).append(")</th><th>test AUC</th><th>best val AUC</th>");
        thresholds.forEach(t -> html.append("<th>steps to ").append(String.format(Locale.ROOT, "%.2f", t)).append("</th>"));
        html.append("</tr>");
        for (String s : schemes) {
            RunResult r = results.get(runModel(model, s), s, null, seed);
            if (r == null) {
                continue;
            }
            html.append("<tr><td>").append(Svg.esc(s)).append("</td><td>").append(f3(r.testAuc())).append("</td><td>")
                    .append(f3(r.valAuc())).append("</td>");
            for (double t : thresholds) {
                double st = r.stepsTo(t);
                html.append("<td>").append(Double.isInfinite(st) ? "–" : String.format(Locale.ROOT, "%.0f", st)).append("</td>");
            }
            html.append("</tr>");
        }
        html.append("</table>");
    }

    static byte[] png(java.awt.image.BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String csv(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    static String f3(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String f6(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
