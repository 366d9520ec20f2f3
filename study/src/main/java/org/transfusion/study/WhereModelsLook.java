package org.transfusion.study;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.probe.GradCam;
import org.transfusion.engine.probe.HeatMap;
import org.transfusion.engine.probe.Saliency;
import org.transfusion.engine.probe.SaliencyFigures;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;

/**
 * "Where the models look": Grad-CAM of the first seed's runs of the performance experiment (random init and
 * pretrained, each model) on the same first test images, side by side, computed from the runs' best weights when
 * the report is built (as {@link FirstLayerFilters} reads the runs' weights). Grad-CAM is at each model's last
 * convolutional stage ({@link GradCam#defaultLayer}) and explains each image's largest logit. No runs or findings
 * of its own; the numbers behind the pictures (score, centre of mass, quadrant shares) go to saliency.csv.
 */
final class WhereModelsLook implements Experiment {
    /** Test images per model: fewer on synthetic data (the demo, which must stay quick), else {@value #IMAGES}. */
    static final int IMAGES = 8;
    static final int DEMO_IMAGES = 4;

    private final StudySpec.Performance spec;

    WhereModelsLook(StudySpec.Performance spec) {
        this.spec = spec;
    }

    static int images(StudySpec study) {
        return study.data() != null && study.data().startsWith("synthetic:") ? DEMO_IMAGES : IMAGES;
    }

    @Override
    public List<Finding> findings(Results results) {
        return List.of();
    }

    @Override
    public void section(ReportPage page) {
        Plan plan = page.plan();
        long seed = plan.spec().seeds().get(0);
        int k = images(plan.spec());
        StringBuilder html = page.html();
        html.append("<h2>Where the models look</h2><p>Grad-CAM of each model's ").append(Svg.esc(String.join(" and ",
                spec.schemeNames()))).append(" runs (seed ").append(seed).append(", best weights) on the same first ")
                .append(k).append(" test images: one row per image, the input first, then each run's map of the "
                        + "evidence for its largest logit (red = most) at the model's last convolutional stage. Two "
                        + "models that reach the same AUC can look at different parts of the image.</p>");
        StringBuilder csv = new StringBuilder("model,scheme,index,label,output,score,layer,centre_x,centre_y,"
                + String.join(",", HeatMap.QUADRANTS) + "\n");
        html.append("<div class='charts'>");
        for (String model : plan.spec().models()) {
            Map<String, Saliency.Result> maps = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            for (String scheme : spec.schemeNames()) {
                PlannedRun run = plan.run(model, scheme, null, seed);
                if (run == null || !new RunFolder(run.folder()).isComplete()) {
                    continue;
                }
                try {
                    maps.put(scheme, Saliency.of(run.folder(), new Saliency.Request(k, null, Saliency.Method.GRADCAM,
                            Split.TEST, "best", GradCam.LARGEST, null)));
                } catch (BadInputException e) {
                    problems.add(scheme + ": " + e.getMessage()); // e.g. the data moved since the runs trained
                }
            }
            problems.forEach(p -> html.append("<p class='muted'>").append(Svg.esc(model)).append(", no Grad-CAM of ")
                    .append(Svg.esc(p)).append("</p>"));
            if (maps.isEmpty()) {
                continue;
            }
            figure(page, model, maps);
            maps.forEach((scheme, r) -> rows(csv, model, scheme, r));
        }
        html.append("</div>");
        page.writeFile("saliency.csv", csv.toString());
    }

    /** One model's figure: rows = images, columns = input and each scheme's overlay; captions in HTML. */
    private static void figure(ReportPage page, String model, Map<String, Saliency.Result> maps) {
        Saliency.Result first = maps.values().iterator().next();
        List<List<BufferedImage>> rows = new ArrayList<>();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < first.items().size(); i++) {
            Saliency.Item item = first.items().get(i);
            BufferedImage input = first.picture(item);
            List<BufferedImage> row = new ArrayList<>(List.of(SaliencyFigures.enlarged(input)));
            for (Saliency.Result r : maps.values()) {
                row.add(SaliencyFigures.overlay(input, r.items().get(i).gradCam().map()));
            }
            rows.add(row);
            labels.append(i == 0 ? "" : ", ").append(label(item.target()));
        }
        byte[] png = ReportPage.png(SaliencyFigures.sheet(rows, null));
        String file = "saliency-" + model.replaceAll("[^A-Za-z0-9.]+", "-").toLowerCase(Locale.ROOT) + ".png";
        AtomicFiles.write(page.dir().resolve(file), out -> out.write(png));
        GradCam.Result cam = first.items().get(0).gradCam();
        page.html().append("<figure><img alt='saliency of ").append(Svg.esc(model)).append("' src='data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("'><figcaption>").append(Svg.esc(model))
                .append(": input | ").append(Svg.esc(String.join(" | ", maps.keySet()))).append("<br>Grad-CAM at ")
                .append(Svg.esc(first.layer())).append(" (").append(cam.layerHeight()).append(" x ")
                .append(cam.layerWidth()).append(" at ").append(first.size()).append(" px); labels top to bottom: ")
                .append(labels).append("</figcaption></figure>");
    }

    private static void rows(StringBuilder csv, String model, String scheme, Saliency.Result r) {
        for (Saliency.Item item : r.items()) {
            GradCam.Result cam = item.gradCam();
            double[] c = cam.map().centreOfMass();
            double[] q = cam.map().quadrants();
            csv.append(model).append(',').append(scheme).append(',').append(item.index()).append(',')
                    .append(ReportPage.csv(label(item.target()))).append(',').append(cam.output()).append(',')
                    .append(number(cam.score())).append(',').append(r.layer()).append(',').append(number(c[0]))
                    .append(',').append(number(c[1]));
            for (double v : q) {
                csv.append(',').append(number(v));
            }
            csv.append('\n');
        }
    }

    /** A target as text: the class index or 0/1, or one value per finding. */
    private static String label(float[] target) {
        List<String> parts = new ArrayList<>();
        for (float v : target) {
            parts.add(Float.isNaN(v) ? "?" : v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v));
        }
        return String.join(" ", parts);
    }

    /** A number for the CSV: 6 decimals, empty when undefined (a map without heat has no centre). */
    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
