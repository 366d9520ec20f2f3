package org.transfusion.engine.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.transfusion.engine.data.FileSegmentationSplit.Fov;
import org.transfusion.engine.data.SegmentationFiles.Entry;
import org.transfusion.engine.data.SegmentationFiles.MaskRule;
import org.transfusion.error.BadInputException;

/** The folder layouts of {@link SegmentationSpecs}: {@code drive:}, {@code chase-db1:} and {@code masks:}. */
final class SegmentationFolders {
    /** Images held out of DRIVE's and CHASE_DB1's 20 training images for validation by default. */
    static final int DEFAULT_VAL = 4;
    /** CHASE_DB1's usual protocol: the first 20 images (by name) train, the last 8 test. */
    static final int CHASE_TRAIN = 20;
    /** The suffixes a {@code masks:} mask or field-of-view file may add to its image's stem. */
    static final List<String> MASK_SUFFIXES = List.of("", "_mask", "_seg", "_label");
    static final List<String> VESSEL_CLASSES = List.of("background", "vessel");

    private SegmentationFolders() {}

    // ---- drive: ----

    static SegmentationDataset drive(String spec, String argument, DataOptions options, int classes) {
        SpecQuery q = SpecQuery.parse(spec, argument, List.of("val"), "drive:PATH?val=4");
        Path root = folder(q.head(), "the DRIVE folder, holding training/ and test/");
        requireBinary(spec, classes, "DRIVE's vessel masks");
        List<Entry> training = driveEntries(root.resolve("training"), "training");
        List<Entry> test = driveEntries(root.resolve("test"), "test");
        int val = q.intValue("val", DEFAULT_VAL, 1, Math.max(1, training.size() - 1));
        FileSegmentationSplit train = FileSegmentationSplit.open(training, 2, MaskRule.NONZERO, ImageFiles.Mode.RGB, Fov.ALL);
        Map<Split, FileSegmentationSplit> splits = carve(train, val, options.seed(), "drive:val", root.resolve("training"));
        splits.put(Split.TEST, FileSegmentationSplit.open(test, 2, MaskRule.NONZERO, ImageFiles.Mode.RGB, Fov.ALL));
        requireNonEmpty(root, splits);
        String fovRule = "given: mask/ files";
        Map<String, Object> id = identity("drive", root, splits,
                "official training/ and test/; val = " + val + " of " + training.size() + " training images, seed "
                        + options.seed(), fovRule);
        id.put("annotation", "1st_manual");
        return new SegmentationDataset(spec, "drive", VESSEL_CLASSES, new EnumMap<Split, SegmentationSplit>(splits), id,
                fovRule);
    }

    /** DRIVE's {@code images/NN_PART.tif}, {@code 1st_manual/NN_manual1.gif} and {@code mask/NN_PART_mask.gif}. */
    private static List<Entry> driveEntries(Path dir, String part) {
        Path images = folder(dir.resolve("images").toString(), "DRIVE's " + part + "/images/");
        Path manual = folder(dir.resolve("1st_manual").toString(), "DRIVE's " + part + "/1st_manual/ vessel masks");
        Path fovs = folder(dir.resolve("mask").toString(), "DRIVE's " + part + "/mask/ field-of-view masks");
        List<Entry> out = new ArrayList<>();
        String suffix = "_" + part;
        for (Path image : imageFiles(images)) {
            String stem = stem(image);
            if (!stem.endsWith(suffix)) {
                throw new BadInputException(image + ": not a DRIVE " + part + " image name (expected NN" + suffix + ".tif)");
            }
            String nn = stem.substring(0, stem.length() - suffix.length());
            out.add(new Entry(stem, image, companion(manual, nn + "_manual1", image, "vessel mask"),
                    companion(fovs, stem + "_mask", image, "field-of-view mask")));
        }
        if (out.isEmpty()) {
            throw new BadInputException(images + ": no images (expected NN" + suffix + ".tif files)");
        }
        return out;
    }

    // ---- chase-db1: ----

    static SegmentationDataset chase(String spec, String argument, DataOptions options, int classes) {
        SpecQuery q = SpecQuery.parse(spec, argument, List.of("observer", "val", "train"),
                "chase-db1:PATH?observer=2");
        Path root = folder(q.head(), "the CHASE_DB1 folder of Image_NNX.jpg files with their _1stHO/_2ndHO masks");
        requireBinary(spec, classes, "CHASE_DB1's vessel masks");
        long observerValue = q.longValue("observer", 1);
        if (observerValue != 1 && observerValue != 2) {
            throw new BadInputException("option observer=" + observerValue + " in '" + spec + "' is not an observer "
                    + "(expected 1 for the _1stHO masks or 2 for the _2ndHO masks)");
        }
        int observer = (int) observerValue;
        String suffix = observer == 1 ? "_1stHO" : "_2ndHO";
        List<Entry> all = new ArrayList<>();
        for (Path image : imageFiles(root)) {
            String stem = stem(image);
            if (stem.endsWith("_1stHO") || stem.endsWith("_2ndHO")) {
                continue;
            }
            all.add(new Entry(stem, image, companion(root, stem + suffix, image, "observer " + observer + " mask"), null));
        }
        int nTrain = q.intValue("train", CHASE_TRAIN, 2, 100_000);
        if (all.size() <= nTrain) {
            throw new BadInputException(root + ": " + all.size() + " images, too few for " + nTrain
                    + " training images and a test split (expected CHASE_DB1's 28 Image_NNX.jpg: 20 train, 8 test)");
        }
        int val = q.intValue("val", DEFAULT_VAL, 1, nTrain - 1);
        FileSegmentationSplit every = FileSegmentationSplit.open(all, 2, MaskRule.NONZERO, ImageFiles.Mode.RGB, Fov.DERIVED);
        int[] first = java.util.stream.IntStream.range(0, nTrain).toArray();
        int[] last = java.util.stream.IntStream.range(nTrain, all.size()).toArray();
        Map<Split, FileSegmentationSplit> splits = carve(every.subset(first), val, options.seed(), "chase-db1:val", root);
        splits.put(Split.TEST, every.subset(last));
        requireNonEmpty(root, splits);
        String fovRule = SegmentationFiles.DERIVED_FOV_RULE;
        Map<String, Object> id = identity("chase-db1", root, splits, "sorted by name: first " + nTrain + " train, last "
                + (all.size() - nTrain) + " test; val = " + val + " of " + nTrain + " training images, seed "
                + options.seed(), fovRule);
        id.put("observer", observer);
        return new SegmentationDataset(spec, "chase-db1", VESSEL_CLASSES, new EnumMap<Split, SegmentationSplit>(splits),
                id, fovRule);
    }

    // ---- masks: ----

    static SegmentationDataset masks(String spec, String argument, DataOptions options, int classes) {
        SpecQuery q = SpecQuery.parse(spec, argument, List.of(), "masks:PATH");
        Path root = folder(q.head(), "a folder with images/ and masks/, or train/ and test/ each holding them");
        Map<Split, FileSegmentationSplit> splits = new EnumMap<>(Split.class);
        String rule;
        boolean givenFov;
        if (Files.isDirectory(root.resolve("train"))) {
            Path testDir = root.resolve("test");
            if (!Files.isDirectory(testDir)) {
                throw new BadInputException(root + ": has train/ but no test/ (expected train/, optional val/, test/, "
                        + "each holding images/ and masks/)");
            }
            List<Entry> train = matched(root.resolve("train"));
            List<Entry> test = matched(testDir);
            givenFov = hasFov(train) || hasFov(test);
            FileSegmentationSplit trainSplit = openMasks(train, classes);
            if (Files.isDirectory(root.resolve("val"))) {
                List<Entry> val = matched(root.resolve("val"));
                givenFov |= hasFov(val);
                splits.put(Split.TRAIN, trainSplit);
                splits.put(Split.VAL, openMasks(val, classes));
                rule = "train/, val/, test/ folders";
            } else {
                int val = Math.max(1, (int) Math.round(train.size() / 8.0));
                splits.putAll(carve(trainSplit, val, options.seed(), "masks:val", root.resolve("train")));
                rule = "train/ and test/ folders; val = " + val + " of " + train.size() + " train/ images, seed "
                        + options.seed();
            }
            splits.put(Split.TEST, openMasks(test, classes));
        } else {
            List<Entry> all = matched(root);
            givenFov = hasFov(all);
            FileSegmentationSplit every = openMasks(all, classes);
            int[] assign;
            Path csv = root.resolve("split.csv");
            if (Files.isRegularFile(csv)) {
                assign = splitCsv(csv, all);
                rule = "split.csv";
            } else {
                assign = SeededSplits.stratified(new int[all.size()], SeededSplits.TRAIN_VAL_TEST, options.seed(),
                        "masks:split");
                SeededSplits.requireEverySplit(assign, new String[] {"train", "val", "test"}, root, "images");
                rule = "seeded 70/10/20 by image, seed " + options.seed();
            }
            for (Split s : Split.values()) {
                splits.put(s, every.subset(SeededSplits.indices(assign, s.ordinal())));
            }
        }
        requireNonEmpty(root, splits);
        String fovRule = givenFov ? "given: fov/ files (all 1 for an image without one)" : "none: all pixels";
        Map<String, Object> id = identity("masks", root, splits, rule, fovRule);
        List<String> names = new ArrayList<>();
        names.add("background");
        if (classes == 2) {
            names.add("foreground");
        } else {
            for (int c = 1; c < classes; c++) {
                names.add("class" + c);
            }
        }
        return new SegmentationDataset(spec, root.toAbsolutePath().normalize().getFileName().toString(), names,
                new EnumMap<Split, SegmentationSplit>(splits), id, fovRule);
    }

    private static FileSegmentationSplit openMasks(List<Entry> entries, int classes) {
        return FileSegmentationSplit.open(entries, classes, MaskRule.CLASS_IDS, ImageFiles.Mode.AS_STORED, Fov.ALL);
    }

    private static boolean hasFov(List<Entry> entries) {
        return entries.stream().anyMatch(e -> e.fov() != null);
    }

    /**
     * The images of {@code dir/images/} each with its mask from {@code dir/masks/} (and field of view from an
     * optional {@code dir/fov/}), matched by stem; a mask may add one of {@link #MASK_SUFFIXES}. An image
     * without a mask, a mask without an image and two candidates for one image are refused.
     */
    static List<Entry> matched(Path dir) {
        Path images = folder(dir.resolve("images").toString(), "images/ (the images, matched to masks/ by name)");
        Path masks = folder(dir.resolve("masks").toString(), "masks/ (one mask per image, named like it)");
        Path fovDir = dir.resolve("fov");
        Map<String, Path> byStem = new TreeMap<>();
        for (Path image : imageFiles(images)) {
            Path before = byStem.put(stem(image), image);
            if (before != null) {
                throw new BadInputException(image + ": same name as " + before + " (expected one image per name)");
            }
        }
        Map<String, Path> maskOf = owners(masks, byStem, "mask", images);
        Map<String, Path> fovOf = Files.isDirectory(fovDir) ? owners(fovDir, byStem, "field-of-view mask", images)
                : Map.of();
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Path> e : byStem.entrySet()) {
            Path mask = maskOf.get(e.getKey());
            if (mask == null) {
                throw new BadInputException(e.getValue() + ": image without a mask (expected " + masks.resolve(
                        e.getKey() + ".png") + ", or the same stem with _mask, _seg or _label)");
            }
            out.add(new Entry(e.getKey(), e.getValue(), mask, fovOf.get(e.getKey())));
        }
        if (out.isEmpty()) {
            throw new BadInputException(images + ": no images (expected PNG, JPEG, TIFF, GIF, BMP or DICOM files)");
        }
        return out;
    }

    /** The files of {@code dir} keyed by the image stem they belong to. */
    private static Map<String, Path> owners(Path dir, Map<String, Path> images, String what, Path imageDir) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (Path f : imageFiles(dir)) {
            String stem = stem(f);
            String owner = null;
            for (String suffix : MASK_SUFFIXES) {
                if (stem.endsWith(suffix) && images.containsKey(stem.substring(0, stem.length() - suffix.length()))) {
                    owner = stem.substring(0, stem.length() - suffix.length());
                    break;
                }
            }
            if (owner == null) {
                throw new BadInputException(f + ": " + what + " without an image (expected an image in " + imageDir
                        + " named " + stem + " or " + stem + " less _mask, _seg or _label)");
            }
            Path before = out.put(owner, f);
            if (before != null) {
                throw new BadInputException(f + ": a second " + what + " for " + images.get(owner) + ", besides "
                        + before + " (expected one)");
            }
        }
        return out;
    }

    /** Each image's split from {@code split.csv} ({@code file,split}); every image listed once. */
    private static int[] splitCsv(Path csv, List<Entry> entries) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            index.put(entries.get(i).image().getFileName().toString(), i);
            index.putIfAbsent(entries.get(i).name(), i);
        }
        int[] assign = new int[entries.size()];
        java.util.Arrays.fill(assign, -1);
        Map<Integer, Integer> listedAt = new java.util.HashMap<>();
        try (CsvFile rows = CsvFile.open(csv)) {
            int file = rows.column("file");
            int split = rows.column("split");
            while (rows.next()) {
                Integer i = index.get(rows.get(file));
                if (i == null) {
                    throw rows.error("names '" + rows.get(file) + "', which is not in images/ (expected an image's "
                            + "file name or stem)");
                }
                Integer first = listedAt.putIfAbsent(i, rows.line());
                if (first != null) {
                    throw rows.error("lists " + entries.get(i).image().getFileName() + " again, as line " + first
                            + " does (expected each image once)");
                }
                String s = rows.get(split).toLowerCase(java.util.Locale.ROOT);
                assign[i] = switch (s) {
                    case "train" -> 0;
                    case "val" -> 1;
                    case "test" -> 2;
                    default -> throw rows.error("split '" + rows.get(split) + "' (expected train, val or test)");
                };
            }
        }
        for (int i = 0; i < assign.length; i++) {
            if (assign[i] < 0) {
                throw new BadInputException(csv + ": does not list " + entries.get(i).image().getFileName()
                        + " (expected a row file,split for every image in images/)");
            }
        }
        return assign;
    }

    // ---- shared ----

    /** Train and val from one training split: {@code val} images drawn by seed, the rest train, both in order. */
    static Map<Split, FileSegmentationSplit> carve(FileSegmentationSplit train, int val, long seed, String stream,
                                                   Path source) {
        if (train.size() < 2) {
            throw new BadInputException(source + ": " + train.size() + " training image(s), too few to hold out a "
                    + "validation image (expected at least 2)");
        }
        int n = train.size();
        int v = Math.min(val, n - 1);
        int[] assign = SeededSplits.stratified(new int[n], new double[] {n - v, v}, seed, stream);
        Map<Split, FileSegmentationSplit> out = new EnumMap<>(Split.class);
        out.put(Split.TRAIN, train.subset(SeededSplits.indices(assign, 0)));
        out.put(Split.VAL, train.subset(SeededSplits.indices(assign, 1)));
        return out;
    }

    private static void requireNonEmpty(Path root, Map<Split, FileSegmentationSplit> splits) {
        for (Split s : Split.values()) {
            if (splits.get(s).size() == 0) {
                throw new BadInputException(root + ": the " + s.id() + " split has no images (expected at least one)");
            }
        }
    }

    private static void requireBinary(String spec, int classes, String what) {
        if (classes != 2) {
            throw new BadInputException("'" + spec + "' has 2 classes (" + what + ": background, vessel), but "
                    + classes + " were declared (expected --classes 2)");
        }
    }

    private static Map<String, Object> identity(String layout, Path root, Map<Split, FileSegmentationSplit> splits,
                                                String rule, String fovRule) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("layout", layout);
        id.put("path", root.toAbsolutePath().normalize().toString());
        int files = 0;
        long bytes = 0;
        try {
            for (FileSegmentationSplit s : splits.values()) {
                for (Entry e : s.entries()) {
                    for (Path f : e.fov() == null ? List.of(e.image(), e.mask()) : List.of(e.image(), e.mask(), e.fov())) {
                        files++;
                        bytes += Files.size(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new BadInputException(root + ": cannot read file sizes (" + e.getMessage() + ")");
        }
        id.put("files", files);
        id.put("bytes", bytes);
        id.put("sha256", SegmentationFiles.digest(root, splits));
        id.put("split", rule);
        Map<String, Integer> sizes = new LinkedHashMap<>();
        splits.forEach((s, split) -> sizes.put(s.id(), split.size()));
        id.put("sizes", sizes);
        id.put("fov", fovRule);
        return id;
    }

    /** {@code path} as a folder that exists, or a one-line refusal saying what was expected there. */
    static Path folder(String path, String expected) {
        Path dir = Path.of(path);
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": folder not found (expected " + expected + ")");
        }
        return dir;
    }

    /** The image files directly in {@code dir}, sorted by name; hidden files skipped. */
    static List<Path> imageFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFiles::isImage)
                    .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new BadInputException(dir + ": cannot list folder (" + e.getMessage() + ")");
        }
    }

    /** The file in {@code dir} with stem {@code stem} (any image extension), or a refusal naming the image. */
    private static Path companion(Path dir, String stem, Path image, String what) {
        Path found = null;
        for (String ext : List.of("gif", "png", "tif", "tiff", "bmp")) {
            for (String e : List.of(ext, ext.toUpperCase(java.util.Locale.ROOT))) {
                Path p = dir.resolve(stem + "." + e);
                if (Files.isRegularFile(p)) {
                    found = p;
                    break;
                }
            }
            if (found != null) {
                break;
            }
        }
        if (found == null) {
            throw new BadInputException(image + ": no " + what + " (expected " + dir.resolve(stem + ".gif or .png") + ")");
        }
        return found;
    }

    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
