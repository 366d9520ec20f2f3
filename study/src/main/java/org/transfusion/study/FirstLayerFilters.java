package org.transfusion.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.probe.FilterGrid;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.io.AtomicFiles;

/**
 * First-layer filters of the study's first model and seed, as the runs saved them: the pretrained source, the
 * random run at initialisation and after training, the transfer run after training, and the initial weights of
 * the Mean Var and Gabor runs (their init.safetensors). No runs or findings of its own.
 */
final class FirstLayerFilters implements Experiment {
    @Override
    public List<Finding> findings(Results results) {
        return List.of();
    }

    @Override
    public void section(ReportPage page) {
        Plan plan = page.plan();
        StringBuilder html = page.html();
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
        // Every other panel is weights a run of the study saved: where it started (init.safetensors) or where
        // training took it (its best weights), so that the filters can be compared before and after training.
        String[][] panels = {{"random init", "random", "init"}, {"random after training", "random", "trained"},
            {"transfer after training", "pretrained", "trained"}, {"Mean Var init", "meanvar", "init"},
            {"synthetic Gabor init", "gabor", "init"}};
        for (String[] panel : panels) {
            PlannedRun run = plan.run(model, panel[1], null, seed);
            RunFolder folder = run == null ? null : new RunFolder(run.folder());
            Path file = folder == null ? null : panel[2].equals("init") ? folder.initWeights()
                    : folder.isComplete() ? folder.bestWeights() : null;
            if (file != null && Files.isRegularFile(file)) {
                sources.put(panel[0], SafeTensors.read(file));
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
            String file = "filters-" + e.getKey().replaceAll("[^A-Za-z]+", "-").replaceAll("-$", "")
                    .toLowerCase(Locale.ROOT) + ".png";
            byte[] png = ReportPage.png(FilterGrid.render(w, null, 64)); // the caption is HTML: glyph rasterisation is not reproducible
            AtomicFiles.write(page.dir().resolve(file), out -> out.write(png));
            html.append("<figure><img alt='").append(Svg.esc(e.getKey())).append(" filters' src='data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png)).append("'><figcaption>").append(Svg.esc(e.getKey()))
                    .append(" (").append(model).append(", ").append(key).append(")</figcaption></figure>");
        }
        html.append("</div>");
    }
}
