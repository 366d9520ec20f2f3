package org.transfusion.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.probe.FilterGrid;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion filters}: a conv layer's filters as a PNG grid. */
@Command(name = "filters", mixinStandardHelpOptions = true,
        description = "Draw a conv layer's filters (default: the first) of a run or a weights file as a PNG grid.")
public final class FiltersCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RUN|WEIGHTS", description = "A run folder or a .safetensors file")
    Path source;

    @Option(names = "--layer", paramLabel = "KEY", description = "Conv layer (e.g. conv1, layers.0.conv) (default: the first conv)")
    String layer;

    @Option(names = "--at", defaultValue = "best", paramLabel = "init|best",
            description = "For a run: the weights at initialisation or the best (default: ${DEFAULT-VALUE})")
    String at;

    @Option(names = "--max", defaultValue = "64", paramLabel = "N", description = "At most N filters (default: ${DEFAULT-VALUE})")
    int max;

    @Option(names = "--out", required = true, paramLabel = "PNG")
    Path out;

    @Override
    public Integer call() {
        if (max < 1) {
            throw new BadInputException("--max must be at least 1 (filters to draw), got " + max);
        }
        Path file = source;
        if (Files.isDirectory(source)) {
            file = new RunFolder(source).weightsFile(at);
        }
        StateDict w = SafeTensors.read(file);
        String key = findKey(w, layer, file);
        try {
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            ImageIO.write(FilterGrid.render(w.get(key), key + "  (" + source.getFileName() + ")", max), "png", out.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        spec.commandLine().getOut().println("wrote " + out + " (" + key + ", " + java.util.Arrays.toString(w.get(key).shape()) + ")");
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String findKey(StateDict w, String layer, Path file) {
        if (layer == null) {
            for (String k : w.keys()) {
                HostTensor t = w.get(k);
                if (t.shape().length == 4 && k.endsWith(".weight")) {
                    return k;
                }
            }
            throw new BadInputException(file + ": has no conv weight (4-D tensor)");
        }
        String key = layer.endsWith(".weight") ? layer : layer + ".weight";
        if (!w.contains(key) && w.contains(layer + ".conv.weight")) {
            key = layer + ".conv.weight";
        }
        if (!w.contains(key) || w.get(key).shape().length != 4) {
            throw new BadInputException(file + ": no conv layer '" + layer + "' (conv weights: " + String.join(", ",
                    w.keys().stream().filter(k -> w.get(k).shape().length == 4).limit(12).toList()) + ")");
        }
        return key;
    }
}
