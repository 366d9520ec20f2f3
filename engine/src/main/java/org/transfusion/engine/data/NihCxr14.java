package org.transfusion.engine.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * {@code nih-cxr14:PATH}: NIH ChestX-ray14, 14 findings per image (multi-label, {@link Tasks#NIH14} order).
 *
 * <ul>
 *   <li>A folder as released: {@code Data_Entry_2017.csv} ({@code Image Index}, pipe-separated
 *       {@code Finding Labels} with {@code No Finding} for none, {@code Patient ID}) and the PNGs in
 *       {@code images/} or {@code images_001..012/images/}, decoded lazily as grey. With the official
 *       {@code train_val_list.txt} and {@code test_list.txt} next to the CSV, the test split is the official one
 *       and train/val is a seeded patient-level 7:1 split of the rest; without them, a seeded patient-level
 *       70/10/20 split.</li>
 *   <li>An {@code .npz} with {@code images (N,H,W) uint8}, {@code labels (N,14)} and {@code patient_id (N,)}
 *       (integers or strings), held in memory, split 70/10/20 by patient.</li>
 * </ul>
 * Patient-level splits matter here: NIH patients have up to hundreds of follow-up images.
 */
public final class NihCxr14 {
    static final String ENTRY_CSV = "Data_Entry_2017.csv";
    private static final String[] SPLIT_NAMES = {"train", "val", "test"};

    private NihCxr14() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        Path path = Path.of(argument);
        if (Files.isDirectory(path)) {
            return openFolder(spec, path, options);
        }
        if (Files.isRegularFile(path)) {
            return openNpz(spec, path, options);
        }
        throw new BadInputException(path + ": not found (expected a folder with " + ENTRY_CSV
                + " and images/, or an .npz with images, labels, patient_id)");
    }

    static Dataset openNpz(String spec, Path file, DataOptions options) {
        Map<String, NpyArray> a = Npy.readNpz(file, List.of("images", "labels", "patient_id"));
        NpyArray images = a.get("images");
        NpyArray labels = a.get("labels");
        NpyArray patients = a.get("patient_id");
        if (!images.isUnsignedBytes() || (images.ndim() != 3 && !(images.ndim() == 4 && images.dim(3) == 1))) {
            throw new BadInputException(file + ": images has dtype " + images.descr() + " and shape "
                    + shape(images) + ", expected uint8 (N,H,W) grey x-rays");
        }
        int n = (int) images.dim(0);
        int k = Tasks.NIH14.size();
        if (!labels.isNumeric() || labels.ndim() != 2 || labels.dim(1) != k) {
            throw new BadInputException(file + ": labels has shape " + shape(labels) + " and dtype " + labels.descr()
                    + ", expected numbers shaped (N," + k + ") in the order " + String.join(", ", Tasks.NIH14));
        }
        if (labels.dim(0) != n) {
            throw new BadInputException(file + ": labels has " + labels.dim(0) + " rows but images has " + n);
        }
        if (patients.ndim() != 1 || patients.dim(0) != n) {
            throw new BadInputException(file + ": patient_id has shape " + shape(patients) + ", expected (" + n
                    + ",) like images");
        }
        float[][] raw = new float[n][k];
        String[] pid = new String[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double v = labels.getDouble((long) i * k + j);
                if (!(v == 0 || v == 1 || Double.isNaN(v))) {
                    throw new BadInputException(file + ": labels[" + i + "," + j + "] (" + Tasks.NIH14.get(j) + ") = "
                            + v + ", expected 1, 0 or NaN (unknown)");
                }
                raw[i][j] = (float) v;
            }
            pid[i] = patients.getString(i);
        }
        int[] assign = SeededSplits.byGroup(pid, SeededSplits.TRAIN_VAL_TEST, options.seed(), "nih-cxr14:patients");
        SeededSplits.requireEverySplit(assign, SPLIT_NAMES, file, "patients");
        int h = (int) images.dim(1);
        int w = (int) images.dim(2);
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            splits.put(s, InMemorySplit.subset(images.bytes(), h, w, 1, SeededSplits.indices(assign, s.ordinal()),
                    raw, pid));
        }
        Map<String, Object> identity = new LinkedHashMap<>(FileIdentity.of(file));
        identity.put("split", "patient-level 70/10/20, seed " + options.seed());
        identity.put("patients", patientCounts(pid, assign));
        return new Dataset(spec, stem(file), LabelSchema.multiLabel(Tasks.NIH14), splits, identity, "all14");
    }

    static Dataset openFolder(String spec, Path dir, DataOptions options) {
        Path csv = dir.resolve(ENTRY_CSV);
        if (!Files.isRegularFile(csv)) {
            throw new BadInputException(dir + ": no " + ENTRY_CSV + " (expected the NIH ChestX-ray14 folder with "
                    + ENTRY_CSV + " and images/, or pass the .npz)");
        }
        ImageIndex index = new ImageIndex(imageFolders(dir));
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<float[]> labels = new ArrayList<>();
        List<String> patients = new ArrayList<>();
        try (CsvFile in = CsvFile.open(csv)) {
            int cImage = in.column("Image Index");
            int cFindings = in.column("Finding Labels");
            int cPatient = in.column("Patient ID");
            while (in.next()) {
                String name = in.get(cImage);
                names.add(name);
                files.add(index.byName(name, in));
                labels.add(findings(in, in.get(cFindings)));
                String patient = in.get(cPatient);
                if (patient.isEmpty()) {
                    throw in.error("empty 'Patient ID'");
                }
                patients.add(patient);
            }
        }
        if (files.isEmpty()) {
            throw new BadInputException(csv + ": no rows after the header");
        }
        index.requireNoneMissing(csv, files.size());

        String[] pid = patients.toArray(String[]::new);
        int[] assign = officialOrSeeded(dir, names, pid, options);
        FileImageSplit all = new FileImageSplit(files.toArray(Path[]::new), labels.toArray(float[][]::new), pid,
                ImageFiles.Mode.GREY);
        Map<Split, ImageSplit> splits = all.splitBy(assign);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("labels", FileIdentity.of(csv));
        identity.put("images", index.folders().stream().map(Path::toString).toList());
        Path official = dir.resolve("test_list.txt");
        if (Files.isRegularFile(official)) {
            identity.put("test_list", FileIdentity.of(official));
            identity.put("split", "official test list; train/val patient-level 7:1, seed " + options.seed());
        } else {
            identity.put("split", "patient-level 70/10/20, seed " + options.seed());
        }
        identity.put("patients", patientCounts(pid, assign));
        return new Dataset(spec, dir.getFileName().toString(), LabelSchema.multiLabel(Tasks.NIH14), splits,
                identity, "all14");
    }

    /** One row's {@code Finding Labels} (e.g. {@code Effusion|Infiltration}) as a 0/1 vector. */
    private static float[] findings(CsvFile in, String text) {
        float[] v = new float[Tasks.NIH14.size()];
        if (text.isEmpty()) {
            throw in.error("empty 'Finding Labels' (expected findings separated by | or 'No Finding')");
        }
        for (String part : text.split("\\|")) {
            String f = part.trim();
            if (f.equalsIgnoreCase("No Finding")) {
                continue;
            }
            int k = Tasks.indexOfFinding(Tasks.NIH14, f);
            if (k < 0) {
                throw in.error("unknown finding '" + f + "' in 'Finding Labels' (expected 'No Finding' or "
                        + String.join(", ", Tasks.NIH14) + ")");
            }
            v[k] = 1f;
        }
        return v;
    }

    /** Official test list when present (train/val split by patient from the rest), else 70/10/20 by patient. */
    private static int[] officialOrSeeded(Path dir, List<String> names, String[] pid, DataOptions options) {
        Path trainVal = dir.resolve("train_val_list.txt");
        Path test = dir.resolve("test_list.txt");
        if (!Files.isRegularFile(trainVal) && !Files.isRegularFile(test)) {
            int[] assign = SeededSplits.byGroup(pid, SeededSplits.TRAIN_VAL_TEST, options.seed(), "nih-cxr14:patients");
            SeededSplits.requireEverySplit(assign, SPLIT_NAMES, dir.resolve(ENTRY_CSV), "patients");
            return assign;
        }
        if (!Files.isRegularFile(trainVal) || !Files.isRegularFile(test)) {
            Path missing = Files.isRegularFile(test) ? trainVal : test;
            throw new BadInputException(missing + ": not found (the official split needs both train_val_list.txt "
                    + "and test_list.txt; remove the other to use a seeded patient-level split)");
        }
        Map<String, Boolean> isTest = new HashMap<>();
        readList(trainVal, isTest, false);
        readList(test, isTest, true);
        int n = names.size();
        List<Integer> pool = new ArrayList<>();
        int[] assign = new int[n];
        for (int i = 0; i < n; i++) {
            Boolean t = isTest.get(names.get(i));
            if (t == null) {
                throw new BadInputException(dir.resolve(ENTRY_CSV) + ": image '" + names.get(i) + "' is in neither "
                        + "train_val_list.txt nor test_list.txt");
            }
            if (t) {
                assign[i] = Split.TEST.ordinal();
            } else {
                pool.add(i);
            }
        }
        String[] poolPid = pool.stream().map(i -> pid[i]).toArray(String[]::new);
        int[] sub = SeededSplits.byGroup(poolPid, new double[] {7, 1}, options.seed(), "nih-cxr14:patients");
        for (int k = 0; k < sub.length; k++) {
            assign[pool.get(k)] = sub[k];
        }
        SeededSplits.requireEverySplit(assign, SPLIT_NAMES, dir.resolve(ENTRY_CSV), "patients");
        return assign;
    }

    private static void readList(Path file, Map<String, Boolean> into, boolean test) {
        try (Stream<String> lines = Files.lines(file)) {
            lines.map(String::trim).filter(l -> !l.isEmpty()).forEach(name -> {
                Boolean before = into.put(name, test);
                if (before != null && before != test) {
                    throw new BadInputException(file + ": image '" + name + "' is also in the other split list");
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static List<Path> imageFolders(Path dir) {
        List<Path> out = new ArrayList<>();
        out.add(dir.resolve("images"));
        try (Stream<Path> children = Files.list(dir)) {
            children.filter(p -> p.getFileName().toString().matches("images_\\d+") && Files.isDirectory(p))
                    .sorted()
                    .forEach(p -> {
                        out.add(p.resolve("images"));
                        out.add(p);
                    });
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot list folder (" + e.getMessage() + ")");
        }
        return out;
    }

    static Map<String, Integer> patientCounts(String[] pid, int[] assign) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            out.put(s.id(), SeededSplits.distinct(pid, SeededSplits.indices(assign, s.ordinal())));
        }
        return out;
    }

    private static String stem(Path file) {
        return file.getFileName().toString().replaceFirst("\\.npz$", "");
    }

    private static String shape(NpyArray a) {
        return java.util.Arrays.toString(a.shape()).replace('[', '(').replace(']', ')');
    }
}
