package org.transfusion.engine.data;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.transfusion.engine.io.Download;
import org.transfusion.error.BadInputException;

/**
 * Fetches an official MedMNIST file that is not on disk: when online, from its published URL into
 * {@code --data-dir} (or the cache), through {@link Download}: renamed into place only after its MD5 matches the
 * published one, so an interrupted or corrupted download never leaves a file that later reads as data. When
 * offline, a message says which file to put where.
 */
final class MedMnistDownload {
    private MedMnistDownload() {}

    static Dataset fetch(String spec, String name, List<Path> searched, DataOptions options) {
        String where = searched.stream().map(Path::toString).collect(Collectors.joining(", "));
        MedMnistSources.Source source = MedMnistSources.find(name);
        if (source == null) {
            throw new BadInputException(name + ".npz not found (looked in " + where + ") and no official file has that "
                    + "name (official sizes: NAME, NAME_64, NAME_128, NAME_224)");
        }
        Path target = searched.get(0).resolve(name + ".npz");
        if (!options.online()) {
            throw new BadInputException(name + ".npz not found (looked in " + where + "); offline, so not downloaded: "
                    + "get " + source.url() + " (MD5 " + source.md5() + ") and put it in one of those folders, "
                    + "or pass --data-dir");
        }
        download(source, target, System.err);
        return NpzDataset.read(spec, target);
    }

    /**
     * Downloads {@code source} to {@code target} with a progress bar on {@code progress}, verified against its
     * published MD5 (see {@link Download}).
     */
    static void download(MedMnistSources.Source source, Path target, PrintStream progress) {
        Download.fetch(source.url(), target, List.of(new Download.Expected("MD5", source.md5(),
                "MedMNIST's published MD5")), Map.of(), progress);
    }
}
