package org.transfusion.engine.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.transfusion.error.BadInputException;

/**
 * The image files of a few folders, found by name. Listing a folder once is far cheaper than probing
 * 100,000 candidate paths one by one (NIH spreads its images over {@code images_001..012/images}; EyePACS keeps
 * them in the folder or in {@code train/}). Also collects names that were not found, so a reader reports all
 * missing images in one line instead of failing on the first.
 */
final class ImageIndex {
    private final List<Path> folders = new ArrayList<>();
    private final Map<String, Path> byName = new HashMap<>();
    private final Map<String, Path> byStem = new HashMap<>();
    private final Map<Path, Integer> listedAt = new HashMap<>();
    private int missing;
    private String firstMissing;

    /** Indexes the image files directly inside each existing folder (earlier folders win on duplicates). */
    ImageIndex(List<Path> candidates) {
        for (Path dir : candidates) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            folders.add(dir);
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(ImageFiles::isImage).sorted().forEach(f -> {
                    String name = f.getFileName().toString();
                    byName.putIfAbsent(name, f);
                    byStem.putIfAbsent(name.substring(0, name.lastIndexOf('.')), f);
                });
            } catch (IOException e) {
                throw new BadInputException(dir + ": cannot list folder (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * Files already found under {@code folder} and keyed by the caller (a DICOM folder walked and keyed by relative
     * path or by SOP Instance UID), so that {@link #byName} and {@link #requireNoneMissing} work the same way.
     */
    ImageIndex(Path folder, Map<String, Path> byKey) {
        folders.add(folder);
        byName.putAll(byKey);
    }

    List<Path> folders() {
        return folders;
    }

    /** The file called exactly {@code name}, or null (and counted as missing). */
    Path byName(String name) {
        return found(byName.get(name), name);
    }

    /** A file whose name without extension is {@code stem} (e.g. EyePACS {@code 10_left} to {@code 10_left.jpeg}). */
    Path byStem(String stem) {
        return found(byStem.get(stem), stem);
    }

    /**
     * The file called {@code name} for the current row of a label CSV, refused when an earlier row named it too
     * (by the same or another spelling): an image listed twice would count twice and could fall in two splits, and
     * its two labels may disagree. Refused at the second listing, so a huge file naming few images stops early.
     */
    Path byName(String name, CsvFile row) {
        return once(byName(name), row);
    }

    /** As {@link #byName(String, CsvFile)}, by name without extension. */
    Path byStem(String stem, CsvFile row) {
        return once(byStem(stem), row);
    }

    private Path once(Path file, CsvFile row) {
        if (file != null) {
            Integer first = listedAt.putIfAbsent(file, row.line());
            if (first != null) {
                throw row.error("lists " + file + " again, as line " + first + " does (expected each image once)");
            }
        }
        return file;
    }

    private Path found(Path p, String what) {
        if (p == null) {
            if (missing++ == 0) {
                firstMissing = what;
            }
        }
        return p;
    }

    /** Fails with one line when any looked-up image was missing. */
    void requireNoneMissing(Path labelFile, int listed) {
        if (missing > 0) {
            throw new BadInputException(labelFile + ": " + missing + " of " + listed + " listed images not found, "
                    + "first '" + firstMissing + "' (looked in " + (folders.isEmpty() ? "no existing image folder"
                    : String.join(", ", folders.stream().map(Path::toString).toList())) + ")");
        }
    }
}
