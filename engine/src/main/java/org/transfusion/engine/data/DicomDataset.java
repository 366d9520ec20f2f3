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

    /** The data spec's options: {@code frames=first|all}, {@code unreadable=refuse|skip}. */
    static final List<String> OPTIONS = List.of("frames", "unreadable");

    /**
     * How a DICOM dataset treats its files: every frame of multi-frame files as its own image, or the first; and
     * files the header scan finds undecodable refused (listing them) or left out and counted.
     */
    record Policy(boolean allFrames, boolean skipUnreadable) {
        static final Policy DEFAULT = new Policy(false, false);

        static Policy of(SpecQuery q) {
            return new Policy(q.choice("frames", "first", List.of("first", "all")).equals("all"),
                    q.choice("unreadable", "refuse", List.of("refuse", "skip")).equals("skip"));
        }

        /**
         * The provenance of what the scan did, for the dataset's identity (and so run.json), when the policy is not
         * the default (whose identity stays as before, so earlier runs resume).
         */
        void record(Map<String, Object> identity, List<DicomHeader> headers, long images) {
            if (this.equals(DEFAULT)) {
                return;
            }
            List<DicomHeader> bad = DicomScan.unreadable(headers);
            identity.put("dicom_files", headers.size());
            identity.put("frames", allFrames ? "all" : "first");
            identity.put("images", images);
            identity.put("unreadable_skipped", bad.size());
            if (!bad.isEmpty()) {
                identity.put("unreadable_first", bad.stream().limit(DicomScan.LISTED)
                        .map(h -> h.file().getFileName().toString()).toList());
            }
        }
    }

    public static Dataset open(String spec, String argument, DataOptions options) {
        SpecQuery q = SpecQuery.parse(spec, argument, OPTIONS, "dicom:DIR?frames=all&unreadable=skip");
        Policy policy = Policy.of(q);
        Path arg = Path.of(q.head());
        Path csv = Files.isDirectory(arg) ? arg.resolve(LABELS) : arg;
        if (Files.isDirectory(arg) && !Files.exists(csv)) {
            return FolderDataset.open(spec, q.head(), options, policy);
        }
        if (!Files.isRegularFile(csv)) {
            throw new BadInputException(arg + ": not found (expected a folder of .dcm files with " + LABELS
                    + " or one folder per class, or a labels CSV)");
        }
        Path dir = csv.toAbsolutePath().normalize().getParent();
        Rows rows = readLabels(csv, dir);
        List<DicomHeader> headers = DicomScan.scan(rows.files);
        if (!policy.skipUnreadable()) {
            DicomScan.refuseUnreadable(csv, headers);
        }
        Items items = Items.of(rows, headers, policy.allFrames());
        if (items.size() == 0) {
            throw new BadInputException(csv + ": none of the " + rows.size() + " files can be decoded");
        }
        List<String> classes = classes(items.labels, csv);
        float[][] labels = new float[items.size()][];
        int[] classOf = new int[items.size()];
        for (int i = 0; i < labels.length; i++) {
            classOf[i] = classes.indexOf(items.labels.get(i));
            labels[i] = new float[] {classOf[i]};
        }
        String[] patients = items.patients.stream().allMatch(p -> p == null) ? null
                : items.patients.toArray(String[]::new);
        FileImageSplit all = new FileImageSplit(items.files.toArray(Path[]::new),
                policy.allFrames() ? items.frames.stream().mapToInt(Integer::intValue).toArray() : null, labels,
                patients, ImageFiles.Mode.AS_STORED);
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        String rule = split(all, items, classOf, options.seed(), csv, splits);
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
        policy.record(identity, headers, items.size());
        String task = classes.size() == 2 ? "binary" : "multiclass";
        return new Dataset(spec, dir.getFileName().toString(), LabelSchema.classes(classes), splits, identity, task);
    }

    /**
     * The images: each readable file's first frame, or every frame; with its label, split (when the CSV has the
     * column), patient (the CSV's column) and group: the patient, else the file's own Patient ID when frames are
     * split apart, else the file, so that frames of one patient (or of one file) never straddle splits.
     */
    private record Items(List<Path> files, List<Integer> frames, List<String> labels, List<Split> splits,
                         List<String> patients, List<String> groups) {
        int size() {
            return files.size();
        }

        static Items of(Rows rows, List<DicomHeader> headers, boolean allFrames) {
            Items out = new Items(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < rows.size(); i++) {
                DicomHeader h = headers.get(i);
                if (!h.readable()) {
                    continue;
                }
                String patient = rows.patients.isEmpty() ? null : rows.patients.get(i);
                String group = patient != null ? patient
                        : h.group();
                long n = allFrames ? h.frames() : 1;
                for (int k = 0; k < n; k++) {
                    out.files.add(rows.files.get(i));
                    out.frames.add(k);
                    out.labels.add(rows.labels.get(i));
                    if (!rows.splits.isEmpty()) {
                        out.splits.add(rows.splits.get(i));
                    }
                    out.patients.add(patient);
                    out.groups.add(group);
                }
            }
            return out;
        }
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

    /**
     * Fills {@code splits} by the split column, the patients (or, with every frame read, the groups of
     * {@link Items}) or class strata; returns the rule for provenance.
     */
    private static String split(FileImageSplit all, Items items, int[] classOf, long seed, Path csv,
                                Map<Split, ImageSplit> splits) {
        String[] names = {"train", "val", "test"};
        if (!items.splits.isEmpty()) {
            int[] assign = items.splits.stream().mapToInt(Split::ordinal).toArray();
            if (items.splits.contains(Split.VAL)) {
                splits.putAll(all.splitBy(assign));
                return "split column";
            }
            FileImageSplit train = all.subset(SeededSplits.indices(assign, Split.TRAIN.ordinal()));
            splits.putAll(FolderDataset.carveVal(train, new double[] {7, 1}, seed, "dicom:val", csv));
            splits.put(Split.TEST, all.subset(SeededSplits.indices(assign, Split.TEST.ordinal())));
            return "split column; val = stratified 1/8 of train, seed " + seed;
        }
        boolean byPatient = items.patients.stream().anyMatch(p -> p != null);
        boolean byGroup = byPatient || items.frames.stream().anyMatch(k -> k > 0);
        int[] assign = byGroup
                ? SeededSplits.byGroup(items.groups.toArray(String[]::new), SeededSplits.TRAIN_VAL_TEST, seed,
                "dicom:patients")
                : SeededSplits.stratified(classOf, SeededSplits.TRAIN_VAL_TEST, seed, "dicom:split");
        SeededSplits.requireEverySplit(assign, names, csv, byPatient ? "patients" : byGroup ? "patients or files"
                : "images");
        splits.putAll(all.splitBy(assign));
        return (byPatient ? "patient-level" : byGroup ? "by patient (Patient ID, else file), every frame"
                : "stratified") + " 70/10/20, seed " + seed;
    }
}
