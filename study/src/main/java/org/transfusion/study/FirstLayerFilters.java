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
 * First-layer filters of the study's first model and seed, as the runs saved them: the pretrained source, and the
 * initial weights of the random, Mean Var and Gabor runs (their init.safetensors). No runs or findings of its own.
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
            byte[] png = ReportPage.png(FilterGrid.render(w, null, 64)); // the caption is HTML: glyph rasterisation is not reproducible
            AtomicFiles.write(page.dir().resolve(file), out -> out.write(png));
            html.append("<figure><img alt='").append(Svg.esc(e.getKey())).append(" filters' src='data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png)).append("'><figcaption>").append(Svg.esc(e.getKey()))
                    .append(" (").append(model).append(", ").append(key).append(")</figcaption></figure>");
        }
        html.append("</div>");
    }
}
