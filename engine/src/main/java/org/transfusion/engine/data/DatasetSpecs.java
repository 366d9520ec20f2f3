package org.transfusion.engine.data;

import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.error.BadInputException;

/**
 * The front door of the data layer: opens a dataset from a spec string {@code KIND:ARG} (docs/data.md lists the
 * kinds). Unknown kinds and malformed specs are user errors.
 */
public final class DatasetSpecs {
    private static final Map<String, DatasetKind> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("medmnist", MedMnist::open);
        KINDS.put("npz", NpzDataset::open);
        KINDS.put("nih-cxr14", NihCxr14::open);
        KINDS.put("chexpert", CheXpert::open);
        KINDS.put("eyepacs", EyePacs::open);
        KINDS.put("cifar10", Cifar10::open);
        KINDS.put("imagenet", ImageNet::open);
        KINDS.put("folder", FolderDataset::open);
        KINDS.put("dicom", DicomDataset::open);
        KINDS.put("synthetic", Synthetic::open);
    }

    private DatasetSpecs() {}

    /**
     * {@code spec} with {@code unreadable=skip} (the {@code --skip-unreadable} flag): DICOM files the header scan
     * cannot decode are left out and counted rather than refused. Only {@code dicom:} and {@code folder:} data has
     * such files.
     */
    public static String skipUnreadable(String spec) {
        String kind = spec == null ? "" : spec.substring(0, Math.max(0, spec.indexOf(':')));
        if (!kind.equals("dicom") && !kind.equals("folder")) {
            throw new BadInputException("--skip-unreadable applies to dicom: and folder: data (DICOM files), not '"
                    + BadInputException.printable(spec) + "'");
        }
        if (spec.matches(".*[?&]unreadable=.*")) {
            return spec;
        }
        return spec + (spec.contains("?") ? "&" : "?") + "unreadable=skip";
    }

    public static Dataset open(String spec) {
        return open(spec, DataOptions.defaults());
    }

    public static Dataset open(String spec, DataOptions options) {
        if (spec == null || spec.isBlank()) {
            throw new BadInputException("empty data spec (expected KIND:ARG, e.g. medmnist:retinamnist)");
        }
        // ?relabel=RULES, any kind: the data's labels mapped onto another dataset's classes (Relabel)
        String[] relabel = Relabel.split(spec);
        if (relabel[1] != null) {
            return Relabel.apply(open(relabel[0], options), relabel[1], spec);
        }
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new BadInputException("data spec '" + spec + "' has no kind (expected KIND:ARG with KIND one of "
                    + String.join(", ", KINDS.keySet()) + ")");
        }
        String kind = spec.substring(0, colon).trim();
        String arg = spec.substring(colon + 1).trim();
        DatasetKind opener = KINDS.get(kind);
        if (opener == null) {
            throw new BadInputException("unknown data spec kind '" + kind + "' in '" + spec + "' (expected one of "
                    + String.join(", ", KINDS.keySet()) + ")");
        }
        if (arg.isEmpty()) {
            throw new BadInputException("data spec '" + spec + "' has nothing after the colon");
        }
        if (arg.equals("~") || arg.startsWith("~/")) {
            // The shell expands ~ only at the start of a word, never after "KIND:".
            arg = System.getProperty("user.home") + arg.substring(1);
        }
        return opener.open(spec, arg, options);
    }

    /** The spec kinds this build understands, in documentation order. */
    public static Iterable<String> kinds() {
        return KINDS.keySet();
    }
}
