package org.transfusion.engine.data;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.io.CacheDir;
import org.transfusion.engine.io.Download;
import org.transfusion.engine.io.TarGz;
import org.transfusion.error.BadInputException;

/**
 * {@code cifar10:download}: the official binary release, fetched once into {@code $TRANSFUSION_CACHE/cifar10/}
 * (default {@code ~/.cache/transfusion/cifar10/}). The archive is checked against the MD5 published on the CIFAR
 * page ({@link Download}), then its {@code cifar-10-batches-bin/} is extracted beside it ({@link TarGz}: renamed
 * into place only when complete, so that folder existing means the data is whole and later opens neither
 * download nor extract). The archive is kept so a deleted or damaged folder is re-extracted without downloading
 * again.
 */
final class Cifar10Download {
    /** The argument that asks for the download instead of naming a folder. */
    static final String KEYWORD = "download";
    static final String FOLDER = "cifar-10-batches-bin";
    static final String ARCHIVE = "cifar-10-binary.tar.gz";
    static final String OFFICIAL = "https://www.cs.toronto.edu/~kriz/";
    static final String MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
    /** A base URL (property or variable of this name) holding the same archive; checked against the same MD5. */
    static final String MIRROR = "TRANSFUSION_CIFAR10_MIRROR";

    /** Where the archive is fetched from and the MD5 its bytes must have. */
    record Source(URI url, String md5) {}

    private Cifar10Download() {}

    /** The official archive (or its mirror). */
    static Source official() {
        String mirror = CacheDir.setting(MIRROR);
        String base = mirror == null ? OFFICIAL : mirror.endsWith("/") ? mirror : mirror + "/";
        return new Source(URI.create(base + ARCHIVE), MD5);
    }

    /** The cached {@code cifar-10-batches-bin} folder, downloaded and extracted first when it is not there. */
    static Path batches(DataOptions options) {
        return batches(official(), CacheDir.of("cifar10"), options.online(), System.err);
    }

    static Path batches(Source source, Path cache, boolean online, PrintStream progress) {
        Path folder = cache.resolve(FOLDER);
        if (Files.isDirectory(folder)) {
            return folder;
        }
        if (!online) {
            throw new BadInputException("cifar10:" + KEYWORD + ": " + folder + " not found; offline, so not "
                    + "downloaded: get " + source.url() + " (MD5 " + source.md5() + ") and extract it so that " + folder
                    + " holds data_batch_1..5.bin and test_batch.bin, or pass cifar10:PATH");
        }
        Path archive = Download.fetch(source.url(), cache.resolve(ARCHIVE), List.of(new Download.Expected("MD5",
                source.md5(), "the MD5 published on the CIFAR-10 page")), Map.of(), progress);
        TarGz.extractFolder(archive, FOLDER, folder);
        return folder;
    }
}
