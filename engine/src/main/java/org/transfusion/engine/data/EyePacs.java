package org.transfusion.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.error.BadInputException;

/**
 * {@code eyepacs:PATH}: the Kaggle diabetic retinopathy detection release, a folder with {@code trainLabels.csv}
 * ({@code image,level}, level = DR grade 0-4) and the photographs {@code NAME.jpeg} in the folder or in
 * {@code train/}. Kaggle's test labels were never part of that file, so all three splits come from it: a
 * seeded 70/10/20 split by patient (names are {@code PATIENT_left} / {@code PATIENT_right}; both eyes of a
 * patient share a split, since their grades are strongly correlated). Images are decoded lazily as RGB.
 */
public final class EyePacs {
    static final String LABELS = "trainLabels.csv";
    private static final String[] SPLIT_NAMES = {"train", "val", "test"};

    private EyePacs() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        Path dir = Path.of(argument);
        Path csv = dir.resolve(LABELS);
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a folder (expected the Kaggle DR folder with " + LABELS
                    + " and NAME.jpeg images)");
        }
        if (!Files.isRegularFile(csv)) {
            throw new BadInputException(dir + ": no " + LABELS + " (expected columns image,level)");
        }
        ImageIndex index = new ImageIndex(List.of(dir, dir.resolve("train")));
        List<Path> files = new ArrayList<>();
        List<float[]> labels = new ArrayList<>();
        List<String> patients = new ArrayList<>();
        try (CsvFile in = CsvFile.open(csv)) {
            int cImage = in.column("image");
            int cLevel = in.column("level");
            while (in.next()) {
                String name = in.get(cImage);
                if (name.isEmpty()) {
                    throw in.error("empty 'image'");
                }
                String level = in.get(cLevel);
                long grade = ClassLabel.id(level); // "0" to "4" as written: no "-0", "+1" or "01"
                if (grade < 0 || grade >= Tasks.DR_GRADES.size()) {
                    throw in.error("'level' is '" + level + "', expected a DR grade 0-4");
                }
                files.add(index.byStem(name, in));
                labels.add(new float[] {grade});
                patients.add(patientOf(name));
            }
        }
        if (files.isEmpty()) {
            throw new BadInputException(csv + ": no rows after the header");
        }
        index.requireNoneMissing(csv, files.size());

        String[] pid = patients.toArray(String[]::new);
        int[] assign = SeededSplits.byGroup(pid, SeededSplits.TRAIN_VAL_TEST, options.seed(), "eyepacs:patients");
        SeededSplits.requireEverySplit(assign, SPLIT_NAMES, csv, "patients");
        FileImageSplit all = new FileImageSplit(files.toArray(Path[]::new), labels.toArray(float[][]::new), pid,
                ImageFiles.Mode.RGB);
        Map<Split, ImageSplit> splits = all.splitBy(assign);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("labels", FileIdentity.of(csv));
        identity.put("images", index.folders().stream().map(Path::toString).toList());
        identity.put("split", "patient-level 70/10/20, seed " + options.seed());
        identity.put("patients", NihCxr14.patientCounts(pid, assign));
        return new Dataset(spec, dir.getFileName().toString(), LabelSchema.classes(Tasks.DR_GRADES), splits,
                identity, "grade");
    }

    /** {@code 10_left} and {@code 10_right} belong to patient {@code 10}; other names are their own patient. */
    static String patientOf(String image) {
        return image.replaceFirst("_(left|right)$", "");
    }
}
