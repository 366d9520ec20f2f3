package org.transfusion.engine.data;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.transfusion.error.BadInputException;

/**
 * {@code chexpert:PATH}: the CheXpert-v1.0 (or -small) folder with {@code train.csv} and {@code valid.csv}.
 * 14 findings in the CSV's column order; labels 1.0 positive, 0.0 or blank negative (the labeller leaves a
 * finding blank when the report does not mention it), -1.0 uncertain, mapped by {@link DataOptions#uncertainty()}:
 * {@code u-ones} to 1, {@code u-zeros} to 0, {@code u-ignore} to NaN (masked in the loss and the metric).
 *
 * <p>{@code valid.csv} (radiologist-labelled) is the test split; {@code train.csv} is split 90/10 into train and
 * val by patient, seeded. With {@link DataOptions#frontalOnly()} lateral views are dropped, as in the paper.
 * Paths in the CSVs start with the dataset folder's own name ({@code CheXpert-v1.0-small/train/...}), so
 * they resolve against its parent; a renamed folder still works because the first path component is then
 * resolved against the folder itself. Images are decoded lazily as grey.
 */
public final class CheXpert {
    /** The 14 CheXpert observations in the column order of the released CSVs (the order of the raw labels). */
    public static final List<String> FINDINGS = List.of("No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly",
            "Lung Opacity", "Lung Lesion", "Edema", "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax",
            "Pleural Effusion", "Pleural Other", "Fracture", "Support Devices");

    public static final List<String> POLICIES = List.of("u-ones", "u-zeros", "u-ignore");
    private static final Pattern PATIENT = Pattern.compile("(patient\\d+)");
    /** A label cell as the CheXpert labeller writes it: 1, 0 or -1, with or without ".0". */
    private static final Pattern LABEL = Pattern.compile("(1|0|-1)(\\.0+)?");

    private CheXpert() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        Path dir = Path.of(argument);
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a folder (expected the CheXpert-v1.0 or CheXpert-v1.0-small "
                    + "folder with train.csv and valid.csv)");
        }
        String policy = options.uncertainty() == null ? "u-ones" : options.uncertainty().toLowerCase(Locale.ROOT);
        if (!POLICIES.contains(policy)) {
            throw new BadInputException("uncertainty policy '" + options.uncertainty() + "' is unknown (expected one of "
                    + String.join(", ", POLICIES) + ")");
        }
        float uncertain = switch (policy) {
            case "u-ones" -> 1f;
            case "u-zeros" -> 0f;
            default -> Float.NaN;
        };
        Path trainCsv = dir.resolve("train.csv");
        Path validCsv = dir.resolve("valid.csv");
        for (Path f : List.of(trainCsv, validCsv)) {
            if (!Files.isRegularFile(f)) {
                throw new BadInputException(dir + ": no " + f.getFileName() + " (expected the CheXpert-v1.0 folder "
                        + "with train.csv and valid.csv)");
            }
        }
        Rows train = read(dir, trainCsv, uncertain, options.frontalOnly());
        Rows test = read(dir, validCsv, uncertain, options.frontalOnly());

        String[] pid = train.patients.toArray(String[]::new);
        int[] assign = SeededSplits.byGroup(pid, new double[] {0.9, 0.1}, options.seed(), "chexpert:patients");
        SeededSplits.requireEverySplit(assign, new String[] {"train", "val"}, trainCsv, "patients");
        FileImageSplit all = train.split();
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, all.subset(SeededSplits.indices(assign, 0)));
        splits.put(Split.VAL, all.subset(SeededSplits.indices(assign, 1)));
        splits.put(Split.TEST, test.split());

        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("train_csv", FileIdentity.of(trainCsv));
        identity.put("valid_csv", FileIdentity.of(validCsv));
        identity.put("uncertainty", policy);
        identity.put("frontal_only", options.frontalOnly());
        identity.put("split", "test = valid.csv; train.csv patient-level 90/10 train/val, seed " + options.seed());
        return new Dataset(spec, dir.getFileName().toString(), LabelSchema.multiLabel(FINDINGS), splits,
                identity, "chexpert5");
    }

    /** Rows of one CSV that passed the view filter. */
    private record Rows(List<Path> files, List<float[]> labels, List<String> patients) {
        FileImageSplit split() {
            return new FileImageSplit(files.toArray(Path[]::new), labels.toArray(float[][]::new),
                    patients.toArray(String[]::new), ImageFiles.Mode.GREY);
        }
    }

    private static Rows read(Path dir, Path csv, float uncertain, boolean frontalOnly) {
        Rows rows = new Rows(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        int missing = 0;
        String firstMissing = null;
        try (CsvFile in = CsvFile.open(csv)) {
            int cPath = in.column("Path");
            int cView = in.optionalColumn("Frontal/Lateral");
            // Looked up by name, so a file with permuted columns still fills the canonical order.
            List<Integer> columns = new ArrayList<>();
            for (String f : FINDINGS) {
                columns.add(in.column(f));
            }
            while (in.next()) {
                String rel = in.get(cPath);
                if (rel.isEmpty()) {
                    throw in.error("empty 'Path'");
                }
                boolean frontal = cView >= 0 ? in.get(cView).equalsIgnoreCase("Frontal")
                        : rel.toLowerCase(Locale.ROOT).contains("frontal");
                if (frontalOnly && !frontal) {
                    continue;
                }
                float[] v = new float[columns.size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = label(in, columns.get(k), uncertain);
                }
                Matcher m = PATIENT.matcher(rel);
                if (!m.find()) {
                    throw in.error("'Path' " + rel + " names no patient folder (expected .../patientNNNNN/...)");
                }
                Path file = resolve(in, dir, rel);
                if (file == null) {
                    if (missing++ == 0) {
                        firstMissing = rel;
                    }
                }
                rows.files.add(file);
                rows.labels.add(v);
                rows.patients.add(m.group(1));
            }
        }
        if (missing > 0) {
            throw new BadInputException(csv + ": " + missing + " of " + rows.files.size() + " listed images not found, "
                    + "first '" + firstMissing + "' (paths resolve against " + dir.toAbsolutePath().getParent() + ")");
        }
        if (rows.files.isEmpty()) {
            throw new BadInputException(csv + ": no " + (frontalOnly ? "frontal " : "") + "images listed");
        }
        return rows;
    }

    private static float label(CsvFile in, int column, float uncertain) {
        String t = in.get(column);
        if (t.isEmpty()) {
            return 0f;
        }
        // Only the labeller's forms (1, 0, -1, optionally with ".0"): Java would also read "-0", "1f" or "0x1p0".
        if (!LABEL.matcher(t).matches()) {
            throw in.error("'" + in.header().get(column) + "' is '" + t + "', expected 1.0, 0.0, -1.0 or blank");
        }
        double v = Double.parseDouble(t);
        if (v == 1) {
            return 1f;
        }
        if (v == 0) {
            return 0f;
        }
        if (v == -1) {
            return uncertain;
        }
        throw in.error("'" + in.header().get(column) + "' is '" + t + "', expected 1.0, 0.0, -1.0 or blank");
    }

    /**
     * The CSV path against the folder's parent, else (folder renamed) without its first component; only a
     * candidate inside the dataset folder is looked at, and a path with none ({@code ..} or an absolute path that
     * leaves it) is refused, not read.
     */
    private static Path resolve(CsvFile in, Path dir, String rel) {
        Path root = dir.toAbsolutePath().normalize();
        try {
            Path parent = root.getParent();
            Path direct = parent == null ? null : parent.resolve(rel).normalize();
            int slash = rel.indexOf('/');
            Path inside = slash > 0 ? root.resolve(rel.substring(slash + 1)).normalize() : null;
            boolean confined = false;
            for (Path candidate : new Path[] {direct, inside}) {
                if (candidate != null && candidate.startsWith(root)) {
                    confined = true;
                    if (Files.isRegularFile(candidate)) {
                        return candidate;
                    }
                }
            }
            if (!confined) {
                throw in.error("'Path' " + rel + " leaves the dataset folder " + root);
            }
            return null;
        } catch (InvalidPathException e) {
            throw in.error("'Path' " + rel + " is not a valid path (" + e.getReason() + ")");
        }
    }
}
