package org.transfusion.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.transfusion.error.BadInputException;

/** The task names a user can give with {@code --task}, resolved against a dataset's labels. */
public final class Tasks {
    /** The paper's five chest findings, in CheXpert's canonical order. */
    public static final List<String> CHEXPERT5 =
            List.of("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion");

    /** NIH ChestX-ray14's findings in the order of its label files. */
    public static final List<String> NIH14 = List.of("Atelectasis", "Cardiomegaly", "Effusion", "Infiltration",
            "Mass", "Nodule", "Pneumonia", "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis",
            "Pleural_Thickening", "Hernia");

    /** Diabetic retinopathy grades (international clinical scale), as class names of grade datasets. */
    public static final List<String> DR_GRADES =
            List.of("0 no DR", "1 mild", "2 moderate", "3 severe", "4 proliferative");

    /** The task of masks per pixel: resolved by {@code run.RunSetup} against segmentation data, not here. */
    public static final String SEGMENTATION = "segmentation";

    public static final List<String> NAMES =
            List.of("grade", "referable", "binary", "multiclass", "chexpert5", "all14", "multilabel", SEGMENTATION);

    private Tasks() {}

    /** Resolves {@code name} (or the dataset's default task when null/blank) for {@code data}. */
    public static Task resolve(String name, Dataset data) {
        String task = name == null || name.isBlank() ? data.defaultTask() : name.trim().toLowerCase(Locale.ROOT);
        LabelSchema labels = data.labels();
        return switch (task) {
            case "grade", "multiclass" -> {
                requireClasses(task, data, 2);
                if (task.equals("grade")) {
                    requireGrades(task, data);
                }
                yield new Task(task, Task.Type.MULTICLASS, labels.names(), raw -> new float[] {raw[0]});
            }
            case "referable" -> {
                requireClasses(task, data, 3);
                requireGrades(task, data);
                yield new Task(task, Task.Type.BINARY, List.of("referable (grade >= 2)"),
                        raw -> new float[] {Float.isNaN(raw[0]) ? Float.NaN : raw[0] >= 2 ? 1f : 0f});
            }
            case "binary" -> {
                requireClasses(task, data, 2);
                if (labels.size() != 2) {
                    throw new BadInputException("task 'binary' needs 2 classes but " + data.spec() + " has "
                            + labels.size() + " (" + String.join(", ", labels.names()) + "); use --task multiclass"
                            + (labels.size() >= 3 ? " or referable" : ""));
                }
                yield new Task(task, Task.Type.BINARY, List.of(labels.names().get(1)), raw -> new float[] {raw[0]});
            }
            case SEGMENTATION -> throw new BadInputException("task '" + SEGMENTATION + "' needs data with masks "
                    + "(drive:PATH, chase-db1:PATH, masks:PATH, synthetic:retina-vessels), not " + data.spec());
            case "chexpert5" -> findings(task, data, CHEXPERT5);
            case "all14" -> findings(task, data, NIH14);
            case "multilabel" -> {
                requireMultiLabel(task, data);
                yield new Task(task, Task.Type.MULTILABEL, labels.names(), raw -> raw.clone());
            }
            default -> throw new BadInputException("unknown task '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        };
    }

    /** Tasks on diabetic-retinopathy grades need labels that are grades: at most the five of the clinical scale. */
    private static void requireGrades(String task, Dataset data) {
        int n = data.labels().size();
        if (n > DR_GRADES.size()) {
            throw new BadInputException("task '" + task + "' is about the " + DR_GRADES.size() + " diabetic "
                    + "retinopathy grades 0-4, but " + data.spec() + " has labels up to " + (n - 1)
                    + "; use --task multiclass");
        }
    }

    private static Task findings(String task, Dataset data, List<String> wanted) {
        requireMultiLabel(task, data);
        List<String> have = data.labels().names();
        int[] columns = new int[wanted.size()];
        List<String> missing = new ArrayList<>();
        for (int k = 0; k < wanted.size(); k++) {
            columns[k] = indexOfFinding(have, wanted.get(k));
            if (columns[k] < 0) {
                missing.add(wanted.get(k));
            }
        }
        if (!missing.isEmpty()) {
            throw new BadInputException("task '" + task + "' needs the findings " + String.join(", ", missing)
                    + " which " + data.spec() + " does not label (it has " + String.join(", ", have) + ")");
        }
        return new Task(task, Task.Type.MULTILABEL, wanted, raw -> {
            float[] t = new float[columns.length];
            for (int k = 0; k < columns.length; k++) {
                t[k] = raw[columns[k]];
            }
            return t;
        });
    }

    /** Finds a finding by name, accepting NIH's and CheXpert's spellings of the same finding. */
    static int indexOfFinding(List<String> names, String wanted) {
        String w = canonical(wanted);
        for (int i = 0; i < names.size(); i++) {
            if (canonical(names.get(i)).equals(w)) {
                return i;
            }
        }
        return -1;
    }

    private static String canonical(String finding) {
        String s = finding.toLowerCase(Locale.ROOT).replace('_', ' ').trim();
        return s.equals("effusion") ? "pleural effusion" : s;
    }

    private static void requireClasses(String task, Dataset data, int minClasses) {
        if (data.labels().kind() != LabelSchema.Kind.CLASS_INDEX) {
            throw new BadInputException("task '" + task + "' needs one class label per image but " + data.spec()
                    + " has multi-label findings; use --task chexpert5, all14 or multilabel");
        }
        if (data.labels().size() < minClasses) {
            throw new BadInputException("task '" + task + "' needs at least " + minClasses + " classes but "
                    + data.spec() + " has " + data.labels().size());
        }
    }

    private static void requireMultiLabel(String task, Dataset data) {
        if (data.labels().kind() != LabelSchema.Kind.MULTI_LABEL) {
            throw new BadInputException("task '" + task + "' needs multi-label findings but " + data.spec()
                    + " has one class per image; use --task " + data.defaultTask());
        }
    }
}
