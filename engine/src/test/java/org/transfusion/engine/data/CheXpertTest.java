package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class CheXpertTest {
    /** The header of the released CheXpert-v1.0-small CSVs. */
    private static final String HEADER = "Path,Sex,Age,Frontal/Lateral,AP/PA," + String.join(",", CheXpert.FINDINGS);

    @TempDir Path root;

    @Test
    void uncertainLabelsFollowThePolicyAndBlankIsNegative() throws IOException {
        Path dir = writeDataset("CheXpert-v1.0-small");
        // patient00001's frontal image: Atelectasis -1.0 (uncertain), Cardiomegaly 1.0, Consolidation blank,
        // Edema 0.0, Pleural Effusion -1.0 (see trainRows).
        assertThat(chexpert5(dir, "u-ones", "patient00001")).containsExactly(1f, 1f, 0f, 0f, 1f);
        assertThat(chexpert5(dir, "u-zeros", "patient00001")).containsExactly(0f, 1f, 0f, 0f, 0f);
        float[] ignore = chexpert5(dir, "u-ignore", "patient00001");
        assertThat(ignore[0]).isNaN();
        assertThat(ignore[4]).isNaN();
        assertThat(new float[] {ignore[1], ignore[2], ignore[3]}).containsExactly(1f, 0f, 0f);
    }

    @Test
    void validCsvIsTheTestSplitAndTrainIsSplitByPatient() throws IOException {
        Path dir = writeDataset("CheXpert-v1.0-small");
        Dataset d = DatasetSpecs.open("chexpert:" + dir, DataOptions.defaults());
        // 5 patients in train.csv with one frontal image each (laterals dropped by default), 2 in valid.csv.
        assertThat(d.sizes()).containsEntry("test", 2);
        assertThat(d.split(Split.TRAIN).size() + d.split(Split.VAL).size()).isEqualTo(5);
        assertThat(d.split(Split.VAL).size()).isPositive();
        assertThat(d.labels().names()).isEqualTo(CheXpert.FINDINGS);
        assertThat(d.defaultTask()).isEqualTo("chexpert5");
        Image img = d.split(Split.TEST).image(0);
        assertThat(img.channels()).isEqualTo(1);
        assertThat(img.width()).isEqualTo(12);
        assertThat(img.height()).isEqualTo(10);
    }

    @Test
    void lateralViewsAreKeptWhenAsked() throws IOException {
        Path dir = writeDataset("CheXpert-v1.0-small");
        DataOptions all = new DataOptions(null, 0, "u-ones", false, false);
        Dataset d = DatasetSpecs.open("chexpert:" + dir, all);
        // 5 frontal + 5 lateral train images.
        assertThat(d.split(Split.TRAIN).size() + d.split(Split.VAL).size()).isEqualTo(10);
    }

    @Test
    void aRenamedFolderStillFindsItsImages() throws IOException {
        Path dir = writeDataset("CheXpert-v1.0-small");
        Path renamed = Files.move(dir, root.resolve("my-chexpert"));
        Dataset d = DatasetSpecs.open("chexpert:" + renamed, DataOptions.defaults());
        assertThat(d.split(Split.TEST).image(1).width()).isEqualTo(12);
    }

    @Test
    void unknownPolicyAndBadValuesAreOneLineErrors() throws IOException {
        Path dir = writeDataset("CheXpert-v1.0-small");
        assertThatThrownBy(() -> DatasetSpecs.open("chexpert:" + dir, new DataOptions(null, 0, "u-maybe", true, false)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("uncertainty policy 'u-maybe' is unknown");
        Files.writeString(dir.resolve("valid.csv"), HEADER + "\n" + row("patient00009", "Frontal",
                Map.of("Edema", "maybe")) + "\n");
        assertThatThrownBy(() -> DatasetSpecs.open("chexpert:" + dir, DataOptions.defaults()))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("valid.csv") + " line 2: 'Edema' is 'maybe', expected 1.0, 0.0, -1.0 or blank");
        // Numbers Java reads but the labeller never writes: not silently 0 or 1.
        for (String odd : new String[] {"-0", "1f", "0x1p0", "1e0", "NaN", "1.5"}) {
            Files.writeString(dir.resolve("valid.csv"), HEADER + "\n" + row("patient00009", "Frontal",
                    Map.of("Edema", odd)) + "\n");
            assertThatThrownBy(() -> DatasetSpecs.open("chexpert:" + dir, DataOptions.defaults())).as(odd)
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(dir.resolve("valid.csv") + " line 2: 'Edema' is '" + odd
                            + "', expected 1.0, 0.0, -1.0 or blank");
        }
    }

    /**
     * issue 18 (paths confined to their folder; fuzzing found the NUL case): a CSV path that leaves the dataset folder
     * is refused even when the file it names exists, and a path the file system cannot hold is a one-line error, not
     * an InvalidPathException.
     */
    @Test
    void csvPathsOutsideTheFolderOrUnrepresentableAreRefusedInOneLine() throws IOException {
        Path dir = writeDataset("CheXpert-v1.0-small");
        Fixtures.greyImage(root.resolve("outside/patient00042/view1_frontal.jpg"), 12, 10, 128);
        String escape = "CheXpert-v1.0-small/../outside/patient00042/view1_frontal.jpg";
        Files.writeString(dir.resolve("valid.csv"), HEADER + "\n" + escape + ",Female,68,Frontal,AP"
                + ",".repeat(CheXpert.FINDINGS.size()) + "\n");
        assertThatThrownBy(() -> DatasetSpecs.open("chexpert:" + dir, DataOptions.defaults()))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("valid.csv") + " line 2: 'Path' " + escape + " leaves the dataset folder "
                        + dir.toAbsolutePath().normalize());
        String nul = "CheXpert-v1.0-small/valid/patient00042/\u0000view1_frontal.jpg";
        Files.writeString(dir.resolve("valid.csv"), HEADER + "\n" + nul + ",Female,68,Frontal,AP"
                + ",".repeat(CheXpert.FINDINGS.size()) + "\n");
        assertThatThrownBy(() -> DatasetSpecs.open("chexpert:" + dir, DataOptions.defaults()))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(dir.resolve("valid.csv") + " line 2: 'Path' CheXpert-v1.0-small/valid/"
                        + "patient00042/\\u0000view1_frontal.jpg is not a valid path (")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u0000").hasLineCount(1));
    }

    private float[] chexpert5(Path dir, String policy, String patient) {
        Dataset d = DatasetSpecs.open("chexpert:" + dir, new DataOptions(null, 0, policy, true, false));
        Task t = Tasks.resolve("chexpert5", d);
        for (Split s : Split.values()) {
            for (int i = 0; i < d.split(s).size(); i++) {
                if (d.split(s).patientId(i).equals(patient)) {
                    return t.target(d.split(s).labels(i));
                }
            }
        }
        throw new AssertionError(patient + " not found");
    }

    /**
     * A CheXpert-shaped folder under {@link #root}: 5 train patients (frontal + lateral), 2 valid patients. CSV
     * paths start with CheXpert-v1.0-small/ whatever {@code name} is, as in the released files.
     */
    private Path writeDataset(String name) throws IOException {
        Path dir = root.resolve(name);
        List<String> train = new ArrayList<>(List.of(HEADER));
        train.add(row("patient00001", "Frontal", Map.of("Atelectasis", "-1.0", "Cardiomegaly", "1.0",
                "Consolidation", "", "Edema", "0.0", "Pleural Effusion", "-1.0")));
        for (int p = 1; p <= 5; p++) {
            String id = String.format("patient%05d", p);
            if (p > 1) {
                train.add(row(id, "Frontal", Map.of("No Finding", "1.0")));
            }
            train.add(row(id, "Lateral", Map.of("Edema", "1.0")));
        }
        List<String> valid = new ArrayList<>(List.of(HEADER));
        valid.add(row("patient64541", "Frontal", Map.of("Edema", "1.0")));
        valid.add(row("patient64542", "Frontal", Map.of("Cardiomegaly", "1.0")));
        Fixtures.lines(dir.resolve("train.csv"), train);
        Fixtures.lines(dir.resolve("valid.csv"), valid);
        for (List<String> rows : List.of(train, valid)) {
            for (String r : rows.subList(1, rows.size())) {
                String rel = r.substring(0, r.indexOf(','));
                Fixtures.greyImage(root.resolve(rel), 12, 10, 128);
            }
        }
        return dir;
    }

    private static String row(String patient, String view, Map<String, String> values) {
        String split = patient.compareTo("patient64540") > 0 ? "valid" : "train";
        String path = "CheXpert-v1.0-small/" + split + "/" + patient + "/study1/view"
                + (view.equals("Frontal") ? "1_frontal" : "2_lateral") + ".jpg";
        Map<String, String> v = new HashMap<>(values);
        StringBuilder sb = new StringBuilder(path + ",Female,68," + view + "," + (view.equals("Frontal") ? "AP" : ""));
        for (String f : CheXpert.FINDINGS) {
            sb.append(',').append(v.getOrDefault(f, ""));
        }
        return sb.toString();
    }
}
