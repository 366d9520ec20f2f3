package org.transfusion.engine.data;

import java.util.List;
import org.transfusion.error.BadInputException;

/**
 * The front door of segmentation data: opens a {@link SegmentationDataset} from a spec {@code KIND:ARG[?OPTIONS]}
 * (docs/data.md, "Segmentation data"). Every file is checked here, before any training: each mask is read and
 * compared with its image's header size and the declared classes.
 *
 * <ul>
 *   <li>{@code drive:PATH[?val=4]}: DRIVE ({@code training/} and {@code test/}, each with {@code images/},
 *       {@code 1st_manual/}, {@code mask/}); the official 20/20 split, val drawn from training by the data seed.</li>
 *   <li>{@code chase-db1:PATH[?observer=1|2&val=4&train=20]}: CHASE_DB1 ({@code Image_NNX.jpg} with
 *       {@code _1stHO.png}/{@code _2ndHO.png}); sorted by name, the first 20 train, the rest (8) test, val drawn
 *       from train; the field of view derived from the image ({@link SegmentationFiles#deriveFov}).</li>
 *   <li>{@code masks:PATH}: {@code images/} and {@code masks/} matched by stem (optional {@code fov/}), split by
 *       {@code train/ val/ test/} folders, {@code split.csv}, or a seeded 70/10/20.</li>
 *   <li>{@code synthetic:retina-vessels[?n=60&size=64&seed=S]}: generated fundus images with vessel masks
 *       ({@link SyntheticVessels}).</li>
 * </ul>
 */
public final class SegmentationSpecs {
    /** The spec kinds read here, in documentation order. */
    public static final List<String> KINDS = List.of("drive", "chase-db1", "masks", "synthetic:" + SyntheticVessels.NAME);
    /** The most classes a mask may hold: class ids are stored as bytes. */
    public static final int MAX_CLASSES = 256;

    private SegmentationSpecs() {}

    /** Whether {@code spec} names segmentation data: {@code drive:}, {@code chase-db1:}, {@code masks:}, {@code synthetic:retina-vessels}. */
    public static boolean isSegmentation(String spec) {
        if (spec == null) {
            return false;
        }
        String s = spec.trim();
        if (s.startsWith("drive:") || s.startsWith("chase-db1:") || s.startsWith("masks:")) {
            return true;
        }
        if (!s.startsWith("synthetic:")) {
            return false;
        }
        String rest = s.substring("synthetic:".length());
        int q = rest.indexOf('?');
        return (q < 0 ? rest : rest.substring(0, q)).trim().equals(SyntheticVessels.NAME);
    }

    /**
     * Opens segmentation data.
     *
     * @param classes the declared number of classes, background included: 2 for binary, or {@code --classes N}
     */
    public static SegmentationDataset open(String spec, DataOptions options, int classes) {
        if (spec == null || spec.isBlank()) {
            throw new BadInputException("empty data spec (expected KIND:PATH with KIND one of "
                    + String.join(", ", KINDS) + ")");
        }
        if (classes < 2 || classes > MAX_CLASSES) {
            throw new BadInputException("--classes " + classes + " for '" + spec + "' is out of range (expected 2 to "
                    + MAX_CLASSES + ", background included; 2 for a binary mask)");
        }
        int colon = spec.indexOf(':');
        String kind = colon <= 0 ? "" : spec.substring(0, colon).trim();
        String arg = colon <= 0 ? "" : spec.substring(colon + 1).trim();
        if (!isSegmentation(spec)) {
            throw new BadInputException("data spec '" + BadInputException.printable(spec) + "' is not segmentation "
                    + "data (expected KIND:PATH with KIND one of " + String.join(", ", KINDS) + ")");
        }
        if (arg.isEmpty() || arg.startsWith("?")) {
            throw new BadInputException("data spec '" + spec + "' has no path after the colon");
        }
        if (arg.equals("~") || arg.startsWith("~/")) {
            // The shell expands ~ only at the start of a word, never after "KIND:".
            arg = System.getProperty("user.home") + arg.substring(1);
        }
        return switch (kind) {
            case "drive" -> SegmentationFolders.drive(spec, arg, options, classes);
            case "chase-db1" -> SegmentationFolders.chase(spec, arg, options, classes);
            case "masks" -> SegmentationFolders.masks(spec, arg, options, classes);
            default -> SyntheticVessels.open(spec, arg, options, classes);
        };
    }
}
