package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

class NihCxr14Test {
    private static final String HEADER = "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,"
            + "Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],";

    @Test
    void sharedNpzSplitsByPatientWithNoPatientInTwoSplits() {
        Path npz = SharedData.file("nih-cxr14/nih1000_cxr14_64.npz");
        Dataset d = DatasetSpecs.open("nih-cxr14:" + npz, DataOptions.defaults().withSeed(7));

        // 1,000 images and 264 distinct patients: counted with python3 + numpy
        // (len(z['images']), len(np.unique(z['patient_id']))).
        assertThat(d.sizes().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1000);
        List<Set<String>> patients = new ArrayList<>();
        for (Split s : Split.values()) {
            Set<String> ids = new HashSet<>();
            ImageSplit split = d.split(s);
            for (int i = 0; i < split.size(); i++) {
                ids.add(split.patientId(i));
            }
            patients.add(ids);
        }
        assertThat(patients.get(0)).doesNotContainAnyElementsOf(patients.get(1))
                .doesNotContainAnyElementsOf(patients.get(2));
        assertThat(patients.get(1)).doesNotContainAnyElementsOf(patients.get(2));
        assertThat(patients.stream().mapToInt(Set::size).sum()).isEqualTo(264);

        // 70/10/20 of 1,000 images, each split within one patient's worth of images (the largest patient has 66
        // images, python3: np.bincount(np.unique(p, return_inverse=True)[1]).max()).
        assertThat(d.sizes().get("train")).isBetween(700 - 66, 700 + 66);
        assertThat(d.sizes().get("val")).isBetween(100 - 66, 100 + 66);
        assertThat(d.sizes().get("test")).isBetween(200 - 66, 200 + 66);

        // Positives per finding over all splits equal the file's column sums (python3: z['labels'].sum(0)).
        int[] expected = {95, 83, 170, 162, 35, 39, 9, 40, 42, 31, 37, 32, 29, 9};
        int[] got = new int[14];
        for (Split s : Split.values()) {
            for (int i = 0; i < d.split(s).size(); i++) {
                float[] l = d.split(s).labels(i);
                for (int k = 0; k < 14; k++) {
                    got[k] += (int) l[k];
                }
            }
        }
        assertThat(got).containsExactly(expected);
        assertThat(d.labels().names()).isEqualTo(Tasks.NIH14);
        assertThat(d.defaultTask()).isEqualTo("all14");
        assertThat(Tasks.resolve(null, d).outputs()).isEqualTo(14);
        assertThat(d.split(Split.TRAIN).image(0).height()).isEqualTo(64);
        assertThat(d.split(Split.TRAIN).image(0).channels()).isEqualTo(1);
    }

    @Test
    void sharedNpzHasTheDtypesTheReaderExpects() {
        // dtypes checked with python3 + numpy on ../shared/data: images uint8 (1000,64,64), labels uint8 (1000,14),
        // patient_id int32 (1000,).
        Path f = SharedData.file("nih-cxr14/nih1000_cxr14_64.npz");
        Map<String, NpyArray> a = Npy.readNpz(f, List.of("images", "labels", "patient_id"));
        assertThat(a.get("images").shape()).containsExactly(1000, 64, 64);
        assertThat(a.get("images").isUnsignedBytes()).isTrue();
        assertThat(a.get("labels").shape()).containsExactly(1000, 14);
        assertThat(a.get("patient_id").descr()).isEqualTo("<i4");
    }

    @Test
    void sharedNpzSplitDependsOnlyOnTheSeed() {
        Path npz = SharedData.file("nih-cxr14/nih1000_cxr14_64.npz");
        Dataset a = DatasetSpecs.open("nih-cxr14:" + npz, DataOptions.defaults().withSeed(1));
        Dataset b = DatasetSpecs.open("nih-cxr14:" + npz, DataOptions.defaults().withSeed(1));
        Dataset c = DatasetSpecs.open("nih-cxr14:" + npz, DataOptions.defaults().withSeed(2));
        assertThat(patientsOf(a.split(Split.TEST))).isEqualTo(patientsOf(b.split(Split.TEST)));
        assertThat(patientsOf(a.split(Split.TEST))).isNotEqualTo(patientsOf(c.split(Split.TEST)));
    }

    @Test
    void npzWithUnicodePatientIdsGroupsByThem(@TempDir Path dir) throws IOException {
        // 6 images of 3 patients (2 each): a 70/10/20 split by patient puts each patient in its own split.
        Path f = Fixtures.npz(dir.resolve("tiny.npz"), Fixtures.arrays(
                "images", Fixtures.uint8(new byte[6 * 4 * 4], 6, 4, 4),
                "labels", Fixtures.float32(new float[6 * 14], 6, 14),
                "patient_id", Fixtures.unicode("pA", "pB", "pC", "pA", "pB", "pC")));
        Dataset d = DatasetSpecs.open("nih-cxr14:" + f);
        for (Split s : Split.values()) {
            assertThat(d.split(s).size()).isEqualTo(2);
            assertThat(d.split(s).patientId(0)).isEqualTo(d.split(s).patientId(1)).startsWith("p");
        }
    }

    @Test
    void npzWithLabelRowsNotMatchingImagesIsAnError(@TempDir Path dir) throws IOException {
        Path f = Fixtures.npz(dir.resolve("bad.npz"), Fixtures.arrays(
                "images", Fixtures.uint8(new byte[3 * 4], 3, 2, 2),
                "labels", Fixtures.float32(new float[2 * 14], 2, 14),
                "patient_id", Fixtures.int64(new long[] {1, 2, 3}, 3)));
        assertThatThrownBy(() -> DatasetSpecs.open("nih-cxr14:" + f))
                .isInstanceOf(BadInputException.class)
                .hasMessage(f + ": labels has 2 rows but images has 3");
    }

    @Test
    void folderLayoutParsesPipeSeparatedFindings(@TempDir Path dir) throws IOException {
        writeFolder(dir, List.of(
                "a_000.png,No Finding,0,1,50,M,PA,1024,1024,0.14,0.14",
                "a_001.png,Effusion|Pleural_Thickening,1,1,50,M,PA,1024,1024,0.14,0.14",
                "b_000.png,Hernia,0,2,60,F,AP,1024,1024,0.14,0.14",
                "c_000.png,Cardiomegaly|Edema|Effusion,0,3,70,F,PA,1024,1024,0.14,0.14",
                "d_000.png,No Finding,0,4,70,F,PA,1024,1024,0.14,0.14"));
        Dataset d = DatasetSpecs.open("nih-cxr14:" + dir);
        assertThat(d.sizes().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(5);
        Map<String, float[]> byPatient = new java.util.HashMap<>();
        for (Split s : Split.values()) {
            for (int i = 0; i < d.split(s).size(); i++) {
                FileImageSplit fs = (FileImageSplit) d.split(s);
                byPatient.put(fs.file(i).getFileName().toString(), fs.labels(i));
                assertThat(fs.image(i).channels()).isEqualTo(1);
                assertThat(fs.image(i).width()).isEqualTo(8);
            }
        }
        // Column order of Tasks.NIH14: Effusion = 2, Pleural_Thickening = 12, Cardiomegaly = 1, Edema = 9, Hernia = 13.
        assertThat(byPatient.get("a_000.png")).containsOnly(0f);
        assertThat(onesAt(byPatient.get("a_001.png"))).containsExactly(2, 12);
        assertThat(onesAt(byPatient.get("b_000.png"))).containsExactly(13);
        assertThat(onesAt(byPatient.get("c_000.png"))).containsExactly(1, 2, 9);
        assertThat(Tasks.resolve("chexpert5", d).outputs()).isEqualTo(5);
    }

    @Test
    void folderLayoutUsesTheOfficialTestList(@TempDir Path dir) throws IOException {
        writeFolder(dir, List.of(
                "a_000.png,No Finding,0,1,50,M,PA,1,1,1,1",
                "b_000.png,Mass,0,2,50,M,PA,1,1,1,1",
                "c_000.png,Nodule,0,3,50,M,PA,1,1,1,1",
                "d_000.png,No Finding,0,4,50,M,PA,1,1,1,1",
                "e_000.png,No Finding,0,5,50,M,PA,1,1,1,1"));
        Fixtures.lines(dir.resolve("train_val_list.txt"), List.of("a_000.png", "b_000.png", "c_000.png"));
        Fixtures.lines(dir.resolve("test_list.txt"), List.of("d_000.png", "e_000.png"));
        Dataset d = DatasetSpecs.open("nih-cxr14:" + dir);
        FileImageSplit test = (FileImageSplit) d.split(Split.TEST);
        assertThat(List.of(test.file(0).getFileName().toString(), test.file(1).getFileName().toString()))
                .containsExactlyInAnyOrder("d_000.png", "e_000.png");
        assertThat(d.sizes()).containsEntry("train", 2).containsEntry("val", 1);
    }

    @Test
    void unknownFindingNamesTheLine(@TempDir Path dir) throws IOException {
        writeFolder(dir, List.of("a_000.png,No Finding,0,1,50,M,PA,1,1,1,1", "b_000.png,Effusion|Flu,0,2,5,M,PA,1,1,1,1"));
        assertThatThrownBy(() -> DatasetSpecs.open("nih-cxr14:" + dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(dir.resolve("Data_Entry_2017.csv") + " line 3: unknown finding 'Flu'");
    }

    /** issue 18, found by fuzzing: a quoted field holding a line break is quoted back escaped, in one line. */
    @Test
    void aFindingWithALineBreakIsQuotedOnOneLine(@TempDir Path dir) throws IOException {
        writeFolder(dir, List.of("a_000.png,No Finding,0,1,50,M,PA,1,1,1,1", "b_000.png,\"Flu\nMass\",0,2,5,M,PA,1,1,1,1"));
        assertThatThrownBy(() -> DatasetSpecs.open("nih-cxr14:" + dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(dir.resolve("Data_Entry_2017.csv") + " line 3: unknown finding 'Flu\\u000aMass'")
                .satisfies(e -> assertThat(e.getMessage()).hasLineCount(1));
    }

    @Test
    void missingImagesAreCountedInOneLine(@TempDir Path dir) throws IOException {
        writeFolder(dir, List.of("a_000.png,No Finding,0,1,50,M,PA,1,1,1,1"));
        Files.writeString(dir.resolve("Data_Entry_2017.csv"), "x_000.png,Mass,0,9,1,M,PA,1,1,1,1\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> DatasetSpecs.open("nih-cxr14:" + dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("1 of 2 listed images not found, first 'x_000.png'");
    }

    /** Writes Data_Entry_2017.csv with the real header and an 8x8 grey PNG per row under images/. */
    private static void writeFolder(Path dir, List<String> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(rows);
        Fixtures.lines(dir.resolve("Data_Entry_2017.csv"), lines);
        int v = 10;
        for (String row : rows) {
            Fixtures.greyImage(dir.resolve("images").resolve(row.substring(0, row.indexOf(','))), 8, 8, v += 20);
        }
    }

    private static List<Integer> onesAt(float[] v) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < v.length; k++) {
            if (v[k] == 1f) {
                out.add(k);
            }
        }
        return out;
    }

    private static Set<String> patientsOf(ImageSplit s) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < s.size(); i++) {
            out.add(s.patientId(i));
        }
        return out;
    }
}
