package org.transfusion.engine.data;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the official MedMNIST v2 files' labels mean (class names from the MedMNIST INFO table) and the task
 * Transfusion uses by default for each.
 */
public record MedMnistInfo(String name, List<String> classNames, boolean multiLabel, String defaultTask) {

    /** The 11 organ classes shared by OrganA/C/SMNIST (axial, coronal, sagittal CT slices). */
    private static final List<String> ORGANS = List.of("bladder", "femur-left", "femur-right", "heart", "kidney-left",
            "kidney-right", "liver", "lung-left", "lung-right", "pancreas", "spleen");

    private static final Map<String, MedMnistInfo> KNOWN = Map.ofEntries(
            entry(new MedMnistInfo("retinamnist", Tasks.DR_GRADES, false, "grade")),
            entry(new MedMnistInfo("pneumoniamnist", List.of("normal", "pneumonia"), false, "binary")),
            entry(new MedMnistInfo("breastmnist", List.of("malignant", "normal, benign"), false, "binary")),
            entry(new MedMnistInfo("chestmnist", Tasks.NIH14, true, "all14")),
            entry(new MedMnistInfo("dermamnist", List.of("actinic keratoses and intraepithelial carcinoma",
                    "basal cell carcinoma", "benign keratosis-like lesions", "dermatofibroma", "melanoma",
                    "melanocytic nevi", "vascular lesions"), false, "multiclass")),
            entry(new MedMnistInfo("bloodmnist", List.of("basophil", "eosinophil", "erythroblast",
                    "immature granulocytes", "lymphocyte", "monocyte", "neutrophil", "platelet"), false, "multiclass")),
            entry(new MedMnistInfo("pathmnist", List.of("adipose", "background", "debris", "lymphocytes", "mucus",
                    "smooth muscle", "normal colon mucosa", "cancer-associated stroma",
                    "colorectal adenocarcinoma epithelium"), false, "multiclass")),
            entry(new MedMnistInfo("octmnist", List.of("choroidal neovascularization", "diabetic macular edema",
                    "drusen", "normal"), false, "multiclass")),
            entry(new MedMnistInfo("tissuemnist", List.of("Collecting Duct, Connecting Tubule",
                    "Distal Convoluted Tubule", "Glomerular endothelial cells", "Interstitial endothelial cells",
                    "Leukocytes", "Podocytes", "Proximal Tubule Segments", "Thick Ascending Limb"), false, "multiclass")),
            entry(new MedMnistInfo("organamnist", ORGANS, false, "multiclass")),
            entry(new MedMnistInfo("organcmnist", ORGANS, false, "multiclass")),
            entry(new MedMnistInfo("organsmnist", ORGANS, false, "multiclass")));

    private static Map.Entry<String, MedMnistInfo> entry(MedMnistInfo info) {
        return Map.entry(info.name(), info);
    }

    /** Info for an official MedMNIST name or file stem (e.g. {@code retinamnist_128}); null when unknown. */
    public static MedMnistInfo find(String nameOrStem) {
        String s = nameOrStem.toLowerCase(Locale.ROOT);
        for (MedMnistInfo info : KNOWN.values()) {
            if (s.equals(info.name) || s.startsWith(info.name + "_")) {
                return info;
            }
        }
        return null;
    }

    public static java.util.Set<String> names() {
        return new java.util.TreeSet<>(KNOWN.keySet());
    }
}
