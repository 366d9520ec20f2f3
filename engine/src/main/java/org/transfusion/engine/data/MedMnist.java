package org.transfusion.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.transfusion.engine.io.CacheDir;
import org.transfusion.error.BadInputException;

/**
 * {@code medmnist:NAME}: an official MedMNIST v2 file ({@code NAME.npz}, e.g. {@code retinamnist} or
 * {@code retinamnist_64}), looked up in {@code --data-dir}, then {@code $TRANSFUSION_DATA}, then the cache
 * folder ({@code ~/.cache/transfusion/medmnist}). A missing official file is downloaded into the first of those
 * folders when online ({@link MedMnistDownload}, MD5-checked), else the error says where to put it.
 */
public final class MedMnist {
    private MedMnist() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        String name = argument.toLowerCase(Locale.ROOT).replaceFirst("\\.npz$", "");
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            // A name, never a path: "medmnist:../../x" must not read a file outside the data folders.
            throw new BadInputException("medmnist:" + argument + ": expected a MedMNIST dataset name such as "
                    + "retinamnist or retinamnist_64, not a path (use npz:PATH for a file)");
        }
        List<Path> places = searchPath(options);
        for (Path dir : places) {
            Path file = dir.resolve(name + ".npz");
            if (Files.isRegularFile(file)) {
                return NpzDataset.read(spec, file);
            }
        }
        String base = name.replaceFirst("_\\d+$", "");
        if (MedMnistInfo.find(base) == null) {
            throw new BadInputException("unknown MedMNIST dataset '" + argument + "' (known: "
                    + String.join(", ", MedMnistInfo.names()) + ")");
        }
        return MedMnistDownload.fetch(spec, name, places, options);
    }

    /** Where {@code NAME.npz} is looked for, in order. */
    public static List<Path> searchPath(DataOptions options) {
        List<Path> dirs = new ArrayList<>();
        if (options.dataDir() != null) {
            dirs.add(options.dataDir());
        }
        String env = System.getenv("TRANSFUSION_DATA");
        if (env != null && !env.isBlank()) {
            dirs.add(Path.of(env));
        }
        dirs.add(cacheDir());
        return dirs;
    }

    public static Path cacheDir() {
        return CacheDir.of("medmnist");
    }
}
