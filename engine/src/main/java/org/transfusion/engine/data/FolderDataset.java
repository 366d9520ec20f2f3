package org.transfusion.engine.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.transfusion.error.BadInputException;

/**
 * {@code folder:PATH}: one sub-folder per class (class index = position in the sorted folder names), images
 * (PNG, JPEG, ...) anywhere below it, decoded lazily with the channels they are stored with. With
 * {@code train/} and {@code test/} sub-folders (each holding the class folders) those are the splits, and
 * {@code val/} when present, else a seeded stratified eighth of {@code train/} (keeping the 70:10 ratio);
 * without them, a seeded stratified 70/10/20 split. Hidden files and folders (starting with a dot) are ignored.
 */
public final class FolderDataset {
    private FolderDataset() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        Path dir = Path.of(argument);
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a folder (expected one sub-folder of images per class)");
        }
        boolean presplit = Files.isDirectory(dir.resolve("train"));
        List<Path> roots = presplit ? List.of(dir.resolve("train"), dir.resolve("val"), dir.resolve("test")) : List.of(dir);
        if (presplit && !Files.isDirectory(dir.resolve("test"))) {
            throw new BadInputException(dir + ": has train/ but no test/ (expected train/, optional val/, test/, each "
                    + "with one folder per class)");
        }
        TreeSet<String> classSet = new TreeSet<>();
        for (Path r : roots) {
            classSet.addAll(subfolders(r));
        }
        List<String> classes = List.copyOf(classSet);
        if (classes.isEmpty()) {
            throw new BadInputException(dir + ": no class sub-folders (expected one folder of images per class"
                    + (presplit ? " inside train/ and test/)" : ")"));
        }
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        String rule;
        if (presplit) {
            FileImageSplit train = listImages(dir.resolve("train"), classes, ImageFiles.Mode.AS_STORED);
            FileImageSplit test = listImages(dir.resolve("test"), classes, ImageFiles.Mode.AS_STORED);
            if (Files.isDirectory(dir.resolve("val"))) {
                splits.put(Split.TRAIN, train);
                splits.put(Split.VAL, listImages(dir.resolve("val"), classes, ImageFiles.Mode.AS_STORED));
                rule = "train/, val/, test/ folders";
            } else {
                splits.putAll(carveVal(train, new double[] {7, 1}, options.seed(), "folder:val", dir.resolve("train")));
                rule = "train/ and test/ folders; val = stratified 1/8 of train/, seed " + options.seed();
            }
            splits.put(Split.TEST, test);
        } else {
            FileImageSplit all = listImages(dir, classes, ImageFiles.Mode.AS_STORED);
            int[] assign = SeededSplits.stratified(classIndices(all), SeededSplits.TRAIN_VAL_TEST, options.seed(),
                    "folder:split");
            SeededSplits.requireEverySplit(assign, new String[] {"train", "val", "test"}, dir, "images");
            splits.putAll(all.splitBy(assign));
            rule = "stratified 70/10/20, seed " + options.seed();
        }
        for (Split s : Split.values()) {
            if (splits.get(s).size() == 0) {
                throw new BadInputException(dir + ": the " + s.id() + " split has no images");
            }
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("path", dir.toAbsolutePath().normalize().toString());
        identity.put("listing_sha256", listingDigest(dir, splits));
        identity.put("split", rule);
        String task = classes.size() == 2 ? "binary" : "multiclass";
        return new Dataset(spec, dir.toAbsolutePath().normalize().getFileName().toString(), LabelSchema.classes(classes),
                splits, identity, task);
    }

    /** The non-hidden sub-folders of {@code dir}, sorted (the class order); none when {@code dir} does not exist. */
    static List<String> subfolders(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot list folder (" + e.getMessage() + ")");
        }
    }

    /**
     * All images under {@code root/CLASS/}, labelled with the class's index, sorted by path so the order (and a
     * seeded split) is reproducible; decoded to {@code mode}.
     */
    static FileImageSplit listImages(Path root, List<String> classes, ImageFiles.Mode mode) {
        List<Path> files = new ArrayList<>();
        List<float[]> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path classDir = root.resolve(classes.get(c));
            if (!Files.isDirectory(classDir)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(classDir)) {
                List<Path> images = s.filter(Files::isRegularFile).filter(ImageFiles::isImage)
                        .filter(p -> !hidden(classDir, p)).sorted().toList();
                for (Path p : images) {
                    files.add(p);
                    labels.add(new float[] {c});
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new BadInputException(classDir + ": cannot list folder (" + e.getMessage() + ")");
            }
        }
        return new FileImageSplit(files.toArray(Path[]::new), labels.toArray(float[][]::new), null, mode);
    }

    /** Whether any part of {@code file}'s path below {@code base} starts with a dot. */
    static boolean hidden(Path base, Path file) {
        for (Path part : base.relativize(file)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Train and val from one training set: val a seeded, class-stratified share of it ({@code trainVal} are the
     * two fractions), so val keeps the class balance; fails when either comes out empty.
     */
    static Map<Split, ImageSplit> carveVal(FileImageSplit train, double[] trainVal, long seed, String stream,
                                          Path source) {
        int[] assign = SeededSplits.stratified(classIndices(train), trainVal, seed, stream);
        SeededSplits.requireEverySplit(assign, new String[] {"train", "val"}, source, "images");
        Map<Split, ImageSplit> out = new EnumMap<>(Split.class);
        out.put(Split.TRAIN, train.subset(SeededSplits.indices(assign, 0)));
        out.put(Split.VAL, train.subset(SeededSplits.indices(assign, 1)));
        return out;
    }

    private static int[] classIndices(FileImageSplit split) {
        int[] c = new int[split.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = (int) split.labels(i)[0];
        }
        return c;
    }

    /**
     * A fingerprint of which files (relative path and size) are in which split: cheap, unlike hashing every
     * image, and it changes when a file is added, removed, resized or moved between classes.
     */
    static String listingDigest(Path dir, Map<Split, ImageSplit> splits) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (Split s : Split.values()) {
                FileImageSplit fs = (FileImageSplit) splits.get(s);
                for (int i = 0; i < fs.size(); i++) {
                    Path f = fs.file(i);
                    String line = s.id() + "\t" + dir.relativize(f) + "\t" + Files.size(f) + "\t"
                            + (int) fs.labels(i)[0] + "\n";
                    md.update(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot read file sizes (" + e.getMessage() + ")");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
