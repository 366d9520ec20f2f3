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
        SpecQuery q = SpecQuery.parse(spec, argument, DicomDataset.OPTIONS, "folder:DIR?frames=all&unreadable=skip");
        return open(spec, q.head(), options, DicomDataset.Policy.of(q));
    }

    /**
     * A folder whose {@code .dcm} files are read by {@code policy}: every file is header-scanned first
     * ({@link DicomScan}); with every frame read, an image's patient is its file's Patient ID (else the file), and
     * the seeded splits keep a patient's frames together.
     */
    static Dataset open(String spec, String argument, DataOptions options, DicomDataset.Policy policy) {
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
        List<DicomHeader> headers = new ArrayList<>();
        if (presplit) {
            FileImageSplit train = dicom(listImages(dir.resolve("train"), classes, ImageFiles.Mode.AS_STORED), policy,
                    dir, headers);
            FileImageSplit test = dicom(listImages(dir.resolve("test"), classes, ImageFiles.Mode.AS_STORED), policy,
                    dir, headers);
            if (Files.isDirectory(dir.resolve("val"))) {
                splits.put(Split.TRAIN, train);
                splits.put(Split.VAL, dicom(listImages(dir.resolve("val"), classes, ImageFiles.Mode.AS_STORED),
                        policy, dir, headers));
                rule = "train/, val/, test/ folders";
            } else {
                splits.putAll(carveVal(train, new double[] {7, 1}, options.seed(), "folder:val", dir.resolve("train")));
                rule = "train/ and test/ folders; val = stratified 1/8 of train/, seed " + options.seed();
            }
            splits.put(Split.TEST, test);
        } else {
            FileImageSplit all = dicom(listImages(dir, classes, ImageFiles.Mode.AS_STORED), policy, dir, headers);
            int[] assign = policy.allFrames()
                    ? SeededSplits.byGroup(patients(all), SeededSplits.TRAIN_VAL_TEST, options.seed(), "folder:split")
                    : SeededSplits.stratified(classIndices(all), SeededSplits.TRAIN_VAL_TEST, options.seed(),
                    "folder:split");
            SeededSplits.requireEverySplit(assign, new String[] {"train", "val", "test"}, dir, "images");
            splits.putAll(all.splitBy(assign));
            rule = (policy.allFrames() ? "by patient (Patient ID, else file), every frame" : "stratified")
                    + " 70/10/20, seed " + options.seed();
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
        if (!headers.isEmpty()) {
            policy.record(identity, headers, splits.values().stream().mapToLong(ImageSplit::size).sum());
        }
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

    /**
     * The items of {@code split} with its {@code .dcm} files header-scanned (their headers added to
     * {@code headers}): unreadable ones refused, naming them, or left out; with every frame read, each DICOM file
     * expanded to its frames, and every item's patient set to its file's Patient ID (else the file) so that splits
     * can keep them together.
     */
    static FileImageSplit dicom(FileImageSplit split, DicomDataset.Policy policy, Path dir,
                                List<DicomHeader> headers) {
        List<Path> dicoms = new ArrayList<>();
        for (int i = 0; i < split.size(); i++) {
            if (ImageFiles.isDicom(split.file(i))) {
                dicoms.add(split.file(i));
            }
        }
        if (dicoms.isEmpty()) {
            return split;
        }
        List<DicomHeader> scanned = DicomScan.scan(dicoms);
        headers.addAll(scanned);
        if (!policy.skipUnreadable()) {
            DicomScan.refuseUnreadable(dir, scanned);
        }
        if (DicomScan.unreadable(scanned).isEmpty() && !policy.allFrames()) {
            return split;
        }
        Map<Path, DicomHeader> byFile = new java.util.HashMap<>();
        scanned.forEach(h -> byFile.put(h.file(), h));
        List<Path> files = new ArrayList<>();
        List<Integer> frames = new ArrayList<>();
        List<float[]> labels = new ArrayList<>();
        List<String> patients = new ArrayList<>();
        for (int i = 0; i < split.size(); i++) {
            Path f = split.file(i);
            DicomHeader h = byFile.get(f);
            if (h != null && !h.readable()) {
                continue;
            }
            long n = h != null && policy.allFrames() ? h.frames() : 1;
            String patient = h != null ? h.group() : "file " + f;
            for (int k = 0; k < n; k++) {
                files.add(f);
                frames.add(k);
                labels.add(split.labels(i));
                patients.add(patient);
            }
        }
        return new FileImageSplit(files.toArray(Path[]::new), frames.stream().mapToInt(Integer::intValue).toArray(),
                labels.toArray(float[][]::new), policy.allFrames() ? patients.toArray(String[]::new) : null,
                ImageFiles.Mode.AS_STORED);
    }

    private static String[] patients(FileImageSplit split) {
        String[] out = new String[split.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = split.patientId(i);
        }
        return out;
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
        boolean frames = false;
        for (int i = 0; i < train.size() && !frames; i++) {
            frames = train.frame(i) > 0;
        }
        // Frames of one file (or patient) stay on one side; otherwise val keeps the class balance.
        int[] assign = frames && train.patientId(0) != null
                ? SeededSplits.byGroup(patients(train), trainVal, seed, stream)
                : SeededSplits.stratified(classIndices(train), trainVal, seed, stream);
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
                    String line = s.id() + "\t" + dir.relativize(f) + (fs.frame(i) > 0 ? "#" + fs.frame(i) : "")
                            + "\t" + Files.size(f) + "\t" + (int) fs.labels(i)[0] + "\n";
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
