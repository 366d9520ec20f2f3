package org.transfusion.engine.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.error.BadInputException;

/**
 * {@code imagenet:PATH}: ILSVRC-2012 classification, the paper's source task. PATH holds {@code train/<wnid>/*.JPEG}
 * and {@code val/} (or is Kaggle's download, with them under {@code ILSVRC/Data/CLS-LOC/}). Class index = position
 * of the wnid among the sorted {@code train/} folders, as torchvision's ImageFolder numbers them, so weights
 * trained there keep their outputs. Splits: test = the ILSVRC validation set (its test labels were never
 * released); val = a seeded, class-stratified 1% of train. The validation images are either sorted into
 * {@code val/<wnid>/} or flat in {@code val/} with labels from Kaggle's {@code LOC_val_solution.csv} or the
 * devkit's {@code ILSVRC2012_validation_ground_truth.txt}. Label files are looked for in PATH, beside
 * {@code train/}, and in an extracted devkit ({@code ILSVRC2012_devkit_t12/data}). Class names come from
 * {@code LOC_synset_mapping.txt} (or another synset list) when present, else they are the wnids. Images are decoded
 * lazily, as RGB (a few ILSVRC JPEGs are greyscale).
 *
 * <p>The devkit's ground truth numbers classes by ILSVRC2012_ID, an order of its own ({@code meta.mat}: 1 is
 * n02119789, kit fox), not the sorted wnid order. Its ids are mapped to wnids by {@code map_clsloc.txt}
 * ({@code wnid id name}, ILSVRC-2014 devkit) or by a list of wnids in id order ({@code synsets.txt} or
 * {@code LOC_synset_mapping.txt}). Kaggle's {@code LOC_synset_mapping.txt} and Caffe's {@code synsets.txt} are in
 * sorted order, so a list whose wnids ascend is refused for ids: it would silently mislabel the whole test set.
 */
public final class ImageNet {
    static final String KAGGLE_IMAGES = "ILSVRC/Data/CLS-LOC";
    static final String KAGGLE_LABELS = "LOC_val_solution.csv";
    static final String DEVKIT_LABELS = "ILSVRC2012_validation_ground_truth.txt";
    static final String DEVKIT_DATA = "ILSVRC2012_devkit_t12/data";
    /** {@code wnid id name} per line: ids stated, so the file's order does not matter. */
    static final String ID_MAP = "map_clsloc.txt";
    /** {@code wnid [description]} per line; when used for ids, line k is ILSVRC2012_ID k. */
    static final String KAGGLE_SYNSETS = "LOC_synset_mapping.txt";
    static final String SYNSETS = "synsets.txt";
    private static final String WNID = "n\\d{8}";

    private ImageNet() {}

    /** One synset file read: wnid by ILSVRC2012_ID (stated, or the line number), description by wnid. */
    private record Synsets(Path file, Map<Integer, String> wnidById, Map<String, String> nameByWnid) {}

    /** The validation images with their class indices, and the label files that gave them (for provenance). */
    private record Labelled(FileImageSplit split, String rule, List<Path> labelFiles) {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        Path dir = Path.of(argument);
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a folder (expected ILSVRC-2012 with train/<wnid>/*.JPEG and "
                    + "val/)");
        }
        Path images = Files.isDirectory(dir.resolve("train")) ? dir : dir.resolve(KAGGLE_IMAGES);
        Path trainDir = images.resolve("train");
        if (!Files.isDirectory(trainDir)) {
            throw new BadInputException(dir + ": no train/ folder (expected ILSVRC-2012's train/<wnid>/*.JPEG and "
                    + "val/, or Kaggle's folder with " + KAGGLE_IMAGES + "/train)");
        }
        List<String> wnids = FolderDataset.subfolders(trainDir);
        if (wnids.isEmpty()) {
            throw new BadInputException(trainDir + ": no class folders (expected one folder of JPEGs per wnid, "
                    + "e.g. train/n01440764/)");
        }
        Path valDir = images.resolve("val");
        if (!Files.isDirectory(valDir)) {
            throw new BadInputException(images + ": no val/ folder (the ILSVRC validation images are the test split: "
                    + "val/<wnid>/*.JPEG, or val/*.JPEG with " + KAGGLE_LABELS + " or " + DEVKIT_LABELS + ")");
        }
        List<Path> places = new ArrayList<>(List.of(dir));
        if (!images.equals(dir)) {
            places.add(images);
        }
        places.add(dir.resolve(DEVKIT_DATA));

        Map<String, Integer> classOf = new HashMap<>();
        for (int c = 0; c < wnids.size(); c++) {
            classOf.put(wnids.get(c), c);
        }
        FileImageSplit train = FolderDataset.listImages(trainDir, wnids, ImageFiles.Mode.RGB);
        Labelled test = FolderDataset.subfolders(valDir).isEmpty() ? flatVal(valDir, places, classOf)
                : sortedVal(valDir, wnids, classOf);
        if (test.split().size() == 0) {
            throw new BadInputException(valDir + ": no images (the ILSVRC validation images are the test split)");
        }
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        splits.putAll(FolderDataset.carveVal(train, new double[] {99, 1}, options.seed(), "imagenet:val", trainDir));
        splits.put(Split.TEST, test.split());

        Synsets names = firstSynsets(places, List.of(KAGGLE_SYNSETS, SYNSETS, ID_MAP));
        List<String> classNames = new ArrayList<>();
        for (String w : wnids) {
            classNames.add(names == null ? w : names.nameByWnid().getOrDefault(w, w));
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("path", images.toAbsolutePath().normalize().toString());
        identity.put("listing_sha256", FolderDataset.listingDigest(images, splits));
        identity.put("test_labels", test.labelFiles().stream().map(FileIdentity::of).toList());
        identity.put("split", "test = ILSVRC val (" + test.rule() + "); val = class-stratified 1% of train, seed "
                + options.seed());
        return new Dataset(spec, "imagenet", LabelSchema.classes(classNames), splits, identity, "multiclass");
    }

    /** {@code val/<wnid>/*.JPEG}: every folder must be a class of {@code train/}. */
    private static Labelled sortedVal(Path valDir, List<String> wnids, Map<String, Integer> classOf) {
        for (String w : FolderDataset.subfolders(valDir)) {
            if (!classOf.containsKey(w)) {
                throw new BadInputException(valDir.resolve(w) + ": no train/" + w + " folder (val/ class folders "
                        + "must be wnids of train/)");
            }
        }
        return new Labelled(FolderDataset.listImages(valDir, wnids, ImageFiles.Mode.RGB), "val/<wnid>/ folders",
                List.of());
    }

    /** {@code val/*.JPEG} labelled by Kaggle's solution CSV, else by the devkit's ground truth and a synset map. */
    private static Labelled flatVal(Path valDir, List<Path> places, Map<String, Integer> classOf) {
        Path csv = find(places, KAGGLE_LABELS);
        Path truth = find(places, DEVKIT_LABELS);
        Map<String, String> wnidOfImage = new LinkedHashMap<>();
        List<Path> sources = new ArrayList<>();
        if (csv != null) {
            sources.add(csv);
            try (CsvFile in = CsvFile.open(csv)) {
                int cImage = in.column("ImageId");
                int cPrediction = in.column("PredictionString");
                while (in.next()) {
                    String[] tokens = in.get(cPrediction).split("\\s+");
                    if (in.get(cImage).isEmpty() || !tokens[0].matches(WNID)) {
                        throw in.error("expected an ImageId and a PredictionString starting with a wnid (nNNNNNNNN), "
                                + "got '" + in.get(cImage) + "', '" + in.get(cPrediction) + "'");
                    }
                    wnidOfImage.put(in.get(cImage), tokens[0]);
                }
            }
        } else if (truth != null) {
            Synsets ids = idMap(places, truth);
            sources.add(truth);
            sources.add(ids.file());
            List<String> lines = readLines(truth);
            for (int i = 0; i < lines.size(); i++) {
                String id = lines.get(i).trim();
                String wnid = id.matches("\\d{1,4}") ? ids.wnidById().get(Integer.parseInt(id)) : null;
                if (wnid == null) {
                    throw new BadInputException(truth + " line " + (i + 1) + ": '" + id + "' is not an ILSVRC2012_ID "
                            + "listed in " + ids.file());
                }
                // Line i is the label of the i-th validation image, named by its 1-based number.
                wnidOfImage.put(String.format(Locale.ROOT, "ILSVRC2012_val_%08d", i + 1), wnid);
            }
        } else {
            throw new BadInputException(valDir + ": validation images without labels (put " + KAGGLE_LABELS + " or "
                    + DEVKIT_LABELS + " with " + ID_MAP + " in " + places.get(0) + ", or sort them into val/<wnid>/)");
        }
        Path labelFile = sources.get(0);
        if (wnidOfImage.isEmpty()) {
            throw new BadInputException(labelFile + ": lists no validation images");
        }
        ImageIndex index = new ImageIndex(List.of(valDir));
        List<Path> files = new ArrayList<>();
        Map<Path, Integer> classOfFile = new HashMap<>();
        for (Map.Entry<String, String> e : wnidOfImage.entrySet()) {
            Integer c = classOf.get(e.getValue());
            if (c == null) {
                throw new BadInputException(labelFile + ": image " + e.getKey() + " is labelled " + e.getValue()
                        + ", which has no train/" + e.getValue() + " folder");
            }
            Path f = index.byStem(e.getKey());
            if (f != null) {
                files.add(f);
                classOfFile.put(f, c);
            }
        }
        index.requireNoneMissing(labelFile, wnidOfImage.size());
        // File-name order, whatever the label file's row order, so the test split reads the same from either source.
        files.sort(Comparator.naturalOrder());
        float[][] labels = files.stream().map(f -> new float[] {classOfFile.get(f)}).toArray(float[][]::new);
        return new Labelled(new FileImageSplit(files.toArray(Path[]::new), labels, null, ImageFiles.Mode.RGB),
                "val/*.JPEG labelled by " + labelFile.getFileName(), sources);
    }

    /**
     * The map from the devkit's ILSVRC2012_IDs to wnids: {@code map_clsloc.txt}, else a synset list in id order.
     * A list whose wnids ascend is the sorted (ImageFolder/Kaggle) order, which the ids do not follow.
     */
    private static Synsets idMap(List<Path> places, Path truth) {
        // synsets.txt before Kaggle's list: the latter is always in sorted order, the former may be in id order.
        Synsets listed = firstSynsets(places, List.of(ID_MAP, SYNSETS, KAGGLE_SYNSETS));
        if (listed == null) {
            throw new BadInputException(truth + ": its ILSVRC2012_IDs need a map to wnids: put " + ID_MAP
                    + " (wnid id name) or synsets.txt (wnids in ILSVRC2012_ID order) beside it");
        }
        boolean idsByLine = !listed.file().getFileName().toString().equals(ID_MAP);
        List<String> order = List.copyOf(listed.wnidById().values());
        if (idsByLine && order.size() > 1 && order.equals(order.stream().sorted().toList())) {
            throw new BadInputException(listed.file() + ": lists wnids in sorted order, but " + truth.getFileName()
                    + " numbers classes by ILSVRC2012_ID (1 = n02119789); use " + ID_MAP + " or "
                    + KAGGLE_LABELS + " instead");
        }
        return listed;
    }

    /** The first of {@code names} found in {@code places}, read; null when none exists. */
    private static Synsets firstSynsets(List<Path> places, List<String> names) {
        for (String name : names) {
            Path f = find(places, name);
            if (f != null) {
                return readSynsets(f, name.equals(ID_MAP));
            }
        }
        return null;
    }

    /** {@code wnid id name} lines when {@code statedIds}, else {@code wnid [description]} lines numbered from 1. */
    private static Synsets readSynsets(Path file, boolean statedIds) {
        Map<Integer, String> wnidById = new LinkedHashMap<>();
        Map<String, String> nameByWnid = new HashMap<>();
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+", statedIds ? 3 : 2);
            boolean ok = f[0].matches(WNID) && (!statedIds || (f.length > 1 && f[1].matches("\\d{1,4}")));
            if (!ok) {
                throw new BadInputException(file + " line " + (i + 1) + ": '" + line + "', expected "
                        + (statedIds ? "'wnid id name'" : "'wnid description'") + " with a wnid like n01440764");
            }
            int id = statedIds ? Integer.parseInt(f[1]) : wnidById.size() + 1;
            wnidById.put(id, f[0]);
            String name = f.length > (statedIds ? 2 : 1) ? f[statedIds ? 2 : 1].trim() : f[0];
            nameByWnid.put(f[0], statedIds ? name.replace('_', ' ') : name);
        }
        return new Synsets(file, wnidById, nameByWnid);
    }

    private static Path find(List<Path> places, String name) {
        for (Path dir : places) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return null;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | UncheckedIOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
