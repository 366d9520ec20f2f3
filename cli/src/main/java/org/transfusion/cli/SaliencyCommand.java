package org.transfusion.cli;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.transfusion.engine.data.ContactSheet;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.probe.GradCam;
import org.transfusion.engine.probe.HeatMap;
import org.transfusion.engine.probe.Saliency;
import org.transfusion.engine.probe.SaliencyFigures;
import org.transfusion.error.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion saliency}: where a run's network looks, as Grad-CAM and occlusion overlays. */
@Command(name = "saliency", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Where a run's network looks: Grad-CAM and occlusion maps of its images.",
            "The first N images of a split, maps blended over the images. Writes into DIR one PNG per image and",
            "method (image-NNN-gradcam.png, image-NNN-occlusion.png), contact-sheet.png",
            "(a row per image: input | Grad-CAM | occlusion) and saliency.json (per image:",
            "label, explained output and its logit, each map's centre of mass and the",
            "fraction of its heat in each quadrant). Occlusion slides a patch of a quarter",
            "of the image side, half a patch at a time, filled with the normalisation's",
            "mean colour (0 after normalisation)."})
public final class SaliencyCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "A run folder")
    Path run;

    @Option(names = "--images", required = true, paramLabel = "N",
            description = "Explain the first N images of the split, in its order")
    int images;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Grad-CAM layer (default: the model's last convolutional stage: layerN of a CBR, layer4 of a "
                    + "ResNet, features.18 of MobileNetV2, Mixed_7c of Inception-v3, denseblock4 of DenseNet-121)")
    String layer;

    @Option(names = "--method", defaultValue = "both", paramLabel = "gradcam|occlusion|both",
            description = "Which maps (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", description = "Split (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--at", defaultValue = "best", paramLabel = "best|init",
            description = "The run's best weights or its weights at initialisation (default: ${DEFAULT-VALUE})")
    String at;

    @Option(names = "--output", paramLabel = "K",
            description = "The output to explain: a class of a multi-class task, a finding of a multi-label one "
                    + "(default: each image's largest logit, i.e. the predicted class; a binary task has output 0 only)")
    Integer output;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the run's data is, if it moved")
    Path dataDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the PNGs and saliency.json")
    Path out;

    @Override
    public Integer call() {
        Saliency.Request request = new Saliency.Request(images, layer, Saliency.Method.parse(method),
                Split.parse(split), at, output == null ? GradCam.LARGEST : output, dataDir);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + ": exists and is not a folder");
        }
        Saliency.Result result = Saliency.of(run, request);
        Saliency.Method m = request.method();
        List<List<BufferedImage>> rows = new ArrayList<>();
        for (Saliency.Item item : result.items()) {
            BufferedImage input = result.picture(item);
            List<BufferedImage> row = new ArrayList<>(List.of(SaliencyFigures.enlarged(input)));
            if (item.gradCam() != null) {
                row.add(write(String.format(Locale.ROOT, "image-%03d-gradcam.png", item.index()), input,
                        item.gradCam().map()));
            }
            if (item.occlusion() != null) {
                row.add(write(String.format(Locale.ROOT, "image-%03d-occlusion.png", item.index()), input,
                        item.occlusion().map()));
            }
            rows.add(row);
        }
        List<String> columns = new ArrayList<>(List.of("input"));
        if (m.gradCam()) {
            columns.add("Grad-CAM " + result.layer());
        }
        if (m.occlusion()) {
            columns.add("occlusion");
        }
        ContactSheet.write(SaliencyFigures.sheet(rows, columns), out.resolve("contact-sheet.png"));
        Json.write(out.resolve("saliency.json"), result.toMap());
        var o = spec.commandLine().getOut();
        o.println("wrote " + out + ": " + result.items().size() + " " + request.split().id() + " images of " + run
                + " (" + result.model() + ", " + request.at() + " weights" + (m.gradCam() ? ", Grad-CAM at "
                + result.layer() : "") + "); contact-sheet.png (columns: " + String.join(" | ", columns)
                + "), saliency.json, image-NNN-METHOD.png");
        notes(o, result, m);
        o.flush();
        return 0;
    }

    private BufferedImage write(String name, BufferedImage input, HeatMap map) {
        BufferedImage overlay = SaliencyFigures.overlay(input, map);
        ContactSheet.write(overlay, out.resolve(name));
        return overlay;
    }

    /** Says when the maps cannot show anything: a 1 x 1 layer, or maps with no heat at all. */
    private static void notes(PrintWriter o, Saliency.Result result, Saliency.Method m) {
        GradCam.Result first = result.items().get(0).gradCam();
        if (first != null && first.layerWidth() * first.layerHeight() == 1) {
            o.println("note: " + result.layer() + " is 1 x 1 at " + result.size() + " px, so its Grad-CAM cannot "
                    + "say where anything is (an empty map); choose an earlier layer with --layer");
        }
        long cold = result.items().stream().filter(i -> i.gradCam() != null && i.gradCam().map().total() == 0).count();
        long coldOcclusion = result.items().stream()
                .filter(i -> i.occlusion() != null && i.occlusion().map().total() == 0).count();
        if (cold + coldOcclusion > 0) {
            int n = result.items().size();
            List<String> counts = new ArrayList<>();
            if (m.gradCam()) {
                counts.add(cold + " of " + n + " Grad-CAM");
            }
            if (m.occlusion()) {
                counts.add(coldOcclusion + " of " + n + " occlusion");
            }
            o.println("note: maps with no heat: " + String.join(", ", counts) + "; nothing in those images raised the "
                    + "explained logit (only evidence for it is drawn; common for a binary task's negatives)");
        }
    }
}
