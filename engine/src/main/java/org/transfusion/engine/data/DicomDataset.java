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
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.transfusion.error.BadInputException;

/**
 * {@code dicom:PATH}: DICOM files ({@code .dcm}, decoded by {@link DicomFile}) with their labels in a CSV, or in
 * one folder per class. PATH is a folder holding {@value #LABELS}, or the CSV itself; the {@code .dcm} files are
 * anywhere below the CSV's folder. The CSV names each file by a {@code file} column (its path relative to that
 * folder, with or without {@code .dcm}) or by a {@code SOPInstanceUID} column (read from every file's header),
 * and gives its class in a {@code label} column: the classes are the distinct labels, in numeric order when all
 * are class ids, else alphabetical ({@link ClassLabel}: a number that is not a plain class id, such as NaN, -0 or
 * 1e400, is refused). Each file is listed once (a second row naming it is refused, naming both lines). An optional {@code split} column (train, val, test) fixes the splits, val
 * carved from train as for folders when no row has it; otherwise an optional {@code patient} column gives a
 * seeded 70/10/20 split by patient, and without it the split is stratified by class as for folders. A folder
 * without {@value #LABELS} is read as {@code folder:PATH} ({@link FolderDataset}), class folders of {@code .dcm}.
 * Images are decoded as stored: grey x-rays one channel, colour photographs three.
 */
public final class DicomDataset {
    static final String LABELS = "labels.csv";
    private static final String FILE = "file";
    private static final String UID = "SOPInstanceUID";

    private DicomDataset() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        Path arg = Path.of(argument);
        Path csv = Files.isDirectory(arg) ? arg.resolve(LABELS) : arg;
        if (Files.isDirectory(arg) && !Files.exists(csv)) {
            return FolderDataset.open(spec, argument, options);
        }
        if (!Files.isRegularFile(csv)) {
            throw new BadInputException(arg + ": not found (expected a folder of .dcm files with " + LABELS
                    + " or one folder per class, or a labels CSV)");
        }
        Path dir = csv.toAbsolutePath().normalize().getParent();
        Rows rows = readLabels(csv, dir);
        List<String> classes = classes(rows.labels, csv);
        float[][] labels = new float[rows.size()][];
        int[] classOf = new int[rows.size()];
        for (int i = 0; i < labels.length; i++) {
            classOf[i] = classes.indexOf(rows.labels.get(i));
            labels[i] = new float[] {classOf[i]};
        }
        String[] patients = rows.patients.isEmpty() ? null : rows.patients.toArray(String[]::new);
        FileImageSplit all = new FileImageSplit(rows.files.toArray(Path[]::new), labels, patients,
                ImageFiles.Mode.AS_STORED);
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        String rule = split(all, rows, classOf, patients, options.seed(), csv, splits);
        for (Split s : Split.values()) {
            if (splits.get(s).size() == 0) {
                throw new BadInputException(csv + ": the " + s.id() + " split has no images");
            }
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("labels", FileIdentity.of(csv));
        identity.put("key", rows.key);
        identity.put("listing_sha256", FolderDataset.listingDigest(dir, splits));
        identity.put("split", rule);
        String task = classes.size() == 2 ? "binary" : "multiclass";
        return new Dataset(spec, dir.getFileName().toString(), LabelSchema.classes(classes), splits, identity, task);
    }

    /** The CSV's rows: each one's file, label, and split and patient where those columns exist. */
    private record Rows(String key, List<Path> files, List<String> labels, List<Split> splits, List<String> patients) {
        int size() {
            return files.size();
        }
    }

    private static Rows readLabels(Path csv, Path dir) {
        try (CsvFile in = CsvFile.open(csv)) {
            int cFile = in.optionalColumn(FILE);
            int cUid = in.optionalColumn(UID);
            if ((cFile < 0) == (cUid < 0)) {
                throw new BadInputException(csv + ": expected one key column, '" + FILE + "' or '" + UID
                        + "' (the header has " + String.join(", ", in.header()) + ")");
            }
            int cLabel = in.column("label");
            int cSplit = in.optionalColumn("split");
            int cPatient = in.optionalColumn("patient");
            String key = cFile >= 0 ? FILE : UID;
            ImageIndex index = new ImageIndex(dir, cFile >= 0 ? byPath(dir) : byUid(dir));
            Rows rows = new Rows(key, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            while (in.next()) {
                String name = in.get(cFile >= 0 ? cFile : cUid);
                String label = in.get(cLabel);
                if (name.isEmpty() || label.isEmpty()) {
                    throw in.error("empty '" + (name.isEmpty() ? key : "label") + "'");
                }
                if (ClassLabel.malformedId(label)) {
                    throw in.error("'label' is '" + label + "', expected a class id written plainly (0, 1, 2, ...) "
                            + "or a class name");
                }
                rows.files.add(index.byName(cFile >= 0 ? name.replace('\\', '/') : name, in));
                rows.labels.add(label);
                if (cSplit >= 0) {
                    rows.splits.add(parseSplit(in, in.get(cSplit)));
                }
                if (cPatient >= 0) {
                    rows.patients.add(in.get(cPatient));
                }
            }
            if (rows.size() == 0) {
                throw new BadInputException(csv + ": no rows after the header");
            }
            index.requireNoneMissing(csv, rows.size());
            return rows;
        }
    }

    private static Split parseSplit(CsvFile in, String text) {
        try {
            return Split.parse(text);
        } catch (BadInputException e) {
            throw in.error("'split' is '" + text + "', expected train, val or test");
        }
    }

    /** The {@code .dcm} files below {@code dir} by relative path ({@code a/b.dcm}), and by it without {@code .dcm}. */
    private static Map<String, Path> byPath(Path dir) {
        Map<String, Path> out = new HashMap<>();
        for (Path f : dicomFiles(dir)) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            out.put(rel, f);
            out.putIfAbsent(rel.substring(0, rel.length() - ".dcm".length()), f);
        }
        return out;
    }

    /** The {@code .dcm} files below {@code dir} by the SOP Instance UID in their headers; a UID twice is an error. */
    private static Map<String, Path> byUid(Path dir) {
        Map<String, Path> out = new HashMap<>();
        for (Path f : dicomFiles(dir)) {
            String uid = DicomFile.sopInstanceUid(f);
            if (uid == null || uid.isEmpty()) {
                throw new BadInputException(f + ": no " + DicomAttributes.describe(DicomAttributes.SOP_INSTANCE_UID)
                        + ", which the labels' '" + UID + "' column needs");
            }
            Path before = out.putIfAbsent(uid, f);
            if (before != null) {
                throw new BadInputException(f + ": SOP Instance UID " + uid + " is also that of " + before
                        + " (expected one file per UID)");
            }
        }
        return out;
    }

    /** Every non-hidden {@code .dcm} file below {@code dir}, sorted. */
    private static List<Path> dicomFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFiles::isDicom)
                    .filter(p -> !FolderDataset.hidden(dir, p)).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new BadInputException(dir + ": cannot list folder (" + e.getMessage() + ")");
        }
    }

    /** The distinct labels: in numeric order when all are integers ("2" before "10"), else alphabetical. */
    static List<String> classes(List<String> labels, Path csv) {
        boolean numeric = labels.stream().allMatch(l -> ClassLabel.id(l) >= 0);
        TreeSet<String> set = new TreeSet<>(numeric ? Comparator.comparingLong(Long::parseLong)
                : Comparator.<String>naturalOrder());
        set.addAll(labels);
        if (set.size() < 2) {
            throw new BadInputException(csv + ": every row has label '" + labels.get(0)
                    + "' (expected at least two classes)");
        }
        return List.copyOf(set);
    }

    /** Fills {@code splits} by the split column, the patients or class strata; returns the rule for provenance. */
    private static String split(FileImageSplit all, Rows rows, int[] classOf, String[] patients, long seed, Path csv,
                                Map<Split, ImageSplit> splits) {
        String[] names = {"train", "val", "test"};
        if (!rows.splits.isEmpty()) {
            int[] assign = rows.splits.stream().mapToInt(Split::ordinal).toArray();
            if (rows.splits.contains(Split.VAL)) {
                splits.putAll(all.splitBy(assign));
                return "split column";
            }
            FileImageSplit train = all.subset(SeededSplits.indices(assign, Split.TRAIN.ordinal()));
            splits.putAll(FolderDataset.carveVal(train, new double[] {7, 1}, seed, "dicom:val", csv));
            splits.put(Split.TEST, all.subset(SeededSplits.indices(assign, Split.TEST.ordinal())));
            return "split column; val = stratified 1/8 of train, seed " + seed;
        }
        int[] assign = patients != null
                ? SeededSplits.byGroup(patients, SeededSplits.TRAIN_VAL_TEST, seed, "dicom:patients")
                : SeededSplits.stratified(classOf, SeededSplits.TRAIN_VAL_TEST, seed, "dicom:split");
        SeededSplits.requireEverySplit(assign, names, csv, patients != null ? "patients" : "images");
        splits.putAll(all.splitBy(assign));
        return (patients != null ? "patient-level" : "stratified") + " 70/10/20, seed " + seed;
    }
}
