package org.transfusion.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.probe.ActivationProbe;
import org.transfusion.engine.probe.LayerSimilarity;
import org.transfusion.engine.probe.RunComparison;
import org.transfusion.engine.probe.SimilarityChart;
import org.transfusion.error.BadInputException;
import org.transfusion.io.AtomicFiles;
import org.transfusion.similarity.Method;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion compare}: per-layer representation similarity of two runs, or of one run before/after. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Per-layer representation similarity (PWCCA, SVCCA, CKA) of two runs.",
            "Two trained runs on the same inputs, or with --before-after one run at initialisation vs after",
            "training (plus weight movement).",
            "Prints JSON; with --out also writes FILE.json, FILE.csv and FILE.png (chart)."})
public final class CompareCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..2", paramLabel = "RUN", description = "One run (with --before-after) or two runs")
    List<Path> runs;

    @Option(names = "--before-after", description = "Compare one run's init.safetensors with its trained weights")
    boolean beforeAfter;

    @Option(names = "--data", paramLabel = "SPEC", description = "Inputs to probe on (default: the first run's dataset)")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR") Path dataDir;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", description = "Split (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--layers", split = ",", paramLabel = "L[:L2]",
            description = "Layers to compare (default: every probe layer); A:B pairs for different architectures")
    List<String> layers = new ArrayList<>();

    @Option(names = "--method", defaultValue = "pwcca,svcca,cka-linear", paramLabel = "M",
            description = "cca, svcca, pwcca, cka-linear, cka-rbf, comma-separated, or all (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--max-points", defaultValue = "5000", paramLabel = "N", description = "Rows sampled per layer (default: ${DEFAULT-VALUE})")
    int maxPoints;

    @Option(names = "--max-images", defaultValue = "0", paramLabel = "N", description = "Images of the split to use (default: all)")
    int maxImages;

    @Option(names = "--conv", defaultValue = "flatten", paramLabel = "flatten|pool",
            description = "Conv maps: spatial positions as data points, or averaged over space (default: ${DEFAULT-VALUE})")
    String conv;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S") long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write FILE.json, FILE.csv and FILE.png")
    Path out;

    @Override
    public Integer call() {
        RunComparison.MAX_POINTS.check("--max-points", maxPoints);
        RunComparison.Request r = new RunComparison.Request(data, dataDir, Split.parse(split), layers,
                Method.parse(method), maxPoints, maxImages, ActivationProbe.Fold.parse(conv), seed);
        RunComparison.Result result;
        String title;
        if (beforeAfter) {
            if (runs.size() != 1) {
                throw new BadInputException("--before-after takes one run, got " + runs.size());
            }
            result = RunComparison.beforeAfter(runs.get(0), r);
            title = "before vs after training: " + runs.get(0).getFileName();
        } else {
            if (runs.size() != 2) {
                throw new BadInputException("compare needs two runs (or one with --before-after)");
            }
            result = RunComparison.between(runs.get(0), runs.get(1), r);
            title = runs.get(0).getFileName() + " vs " + runs.get(1).getFileName();
        }
        Map<String, Object> json = result.toMap();
        spec.commandLine().getOut().println(Json.toString(json));
        spec.commandLine().getOut().flush();
        if (out != null) {
            String base = out.toString().replaceFirst("\\.(json|csv|png)$", "");
            Json.write(Path.of(base + ".json"), json);
            AtomicFiles.writeString(Path.of(base + ".csv"), csv(result.layers()));
            try {
                Path png = Path.of(base + ".png");
                Files.createDirectories(png.toAbsolutePath().getParent());
                ImageIO.write(SimilarityChart.render(title, result.layers()), "png", png.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return 0;
    }

    static String csv(List<LayerSimilarity> layers) {
        StringBuilder sb = new StringBuilder("layer_a,layer_b,points,neurons_a,neurons_b");
        List<String> measures = layers.isEmpty() ? List.of() : new ArrayList<>(layers.get(0).values().keySet());
        measures.forEach(m -> sb.append(',').append(m));
        sb.append('\n');
        for (LayerSimilarity l : layers) {
            sb.append(l.layerA()).append(',').append(l.layerB()).append(',').append(l.points()).append(',')
                    .append(l.neuronsA()).append(',').append(l.neuronsB());
            for (String m : measures) {
                double v = l.values().get(m);
                sb.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
