package org.transfusion.engine.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.fuzz.FuzzBudget;

/**
 * Coverage-guided fuzz targets for the label CSVs of the folder datasets (issue 18): NIH ChestX-ray14's
 * {@code Data_Entry_2017.csv}, CheXpert's {@code train.csv}/{@code valid.csv} and EyePACS' {@code trainLabels.csv}.
 * The input is the CSV; it lies in a folder laid out as released, with a few (empty) image files its seeds name, so
 * rows that parse go on to the image lookup and the patient-level split. Images are decoded lazily and are not read
 * here ({@link ImageFilesFuzzTest} covers decoding). Seeds: {@code DatasetCsvFuzzTestInputs/<method>/}; regression
 * and fuzzing modes as in the README's "Fuzzing".
 */
class DatasetCsvFuzzTest {
    /** Image names the seed CSVs use; the NIH ones are real rows of ../shared/data/nih-cxr14. */
    private static final List<String> NIH_IMAGES = List.of("00000231_013.png", "00000234_000.png",
            "00000261_002.png", "00000001_000.png", "00000002_000.png");
    private static final List<String> CHEXPERT_IMAGES = List.of("train/patient00001/study1/view1_frontal.jpg",
            "train/patient00002/study1/view1_frontal.jpg", "train/patient00003/study1/view2_lateral.jpg",
            "valid/patient64541/study1/view1_frontal.jpg", "valid/patient64542/study1/view1_frontal.jpg");
    private static final List<String> EYEPACS_IMAGES = List.of("10_left.jpeg", "10_right.jpeg", "13_left.jpeg",
            "15_left.jpeg", "16_right.jpeg", "17_left.jpeg", "19_left.jpeg");
    private static final DataOptions OPTIONS = new DataOptions(null, 0L, "u-ones", false, false);

    @TempDir static Path tmp;
    private static Path nih;
    private static Path chexpert;
    private static Path eyepacs;

    @BeforeAll
    static void folders() throws IOException {
        nih = tmp.resolve("nih");
        for (String name : NIH_IMAGES) {
            touch(nih.resolve("images").resolve(name));
        }
        chexpert = tmp.resolve("CheXpert-v1.0-small");
        for (String name : CHEXPERT_IMAGES) {
            touch(chexpert.resolve(name));
        }
        eyepacs = tmp.resolve("eyepacs");
        for (String name : EYEPACS_IMAGES) {
            touch(eyepacs.resolve("train").resolve(name));
        }
    }

    private static void touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[0]);
    }

    @FuzzTest(maxDuration = "2m")
    void nihCsv(byte[] input) throws Exception {
        Files.write(nih.resolve(NihCxr14.ENTRY_CSV), input);
        FuzzBudget.check(input.length, () -> NihCxr14.open("nih-cxr14:fuzz", nih.toString(), OPTIONS));
    }

    /** The input is both {@code train.csv} and {@code valid.csv}. */
    @FuzzTest(maxDuration = "2m")
    void chexpertCsv(byte[] input) throws Exception {
        Files.write(chexpert.resolve("train.csv"), input);
        Files.write(chexpert.resolve("valid.csv"), input);
        FuzzBudget.check(input.length, () -> CheXpert.open("chexpert:fuzz", chexpert.toString(), OPTIONS));
    }

    @FuzzTest(maxDuration = "2m")
    void eyepacsCsv(byte[] input) throws Exception {
        Files.write(eyepacs.resolve(EyePacs.LABELS), input);
        FuzzBudget.check(input.length, () -> EyePacs.open("eyepacs:fuzz", eyepacs.toString(), OPTIONS));
    }
}
