package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/** {@code dicom:PATH} on small folders of DICOM files written here by {@link DicomWriter}. */
class DicomDatasetTest {
    @TempDir Path dir;

    /** A 4 x 4 8-bit grey DICOM file with this SOP Instance UID, its pixels a ramp from {@code base}. */
    static Path dicom(Path file, String uid, int base) throws IOException {
        byte[] px = new byte[16];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (base + i);
        }
        return new DicomWriter(DicomSyntax.EXPLICIT_LITTLE)
                .text(DicomAttributes.SOP_INSTANCE_UID, "UI", uid)
                .grey("MONOCHROME2", 4, 4, 8, 8, false)
                .pixels(px, false)
                .write(file);
    }

    @Test
    void aCsvKeyedByFileGivesNumericClassesAndAStratifiedSplit() throws IOException {
        // 10 images of label 2 and 10 of label 10, some in a sub-folder, some named without .dcm in the CSV.
        StringBuilder csv = new StringBuilder("file,label\n");
        for (int i = 0; i < 20; i++) {
            String name = (i % 3 == 0 ? "sub/" : "") + "img" + i + ".dcm";
            dicom(dir.resolve(name), "1.2.3." + i, i);
            csv.append(i % 2 == 0 ? name.replace(".dcm", "") : name).append(',').append(i % 2 == 0 ? 2 : 10)
                    .append('\n');
        }
        Files.writeString(dir.resolve("labels.csv"), csv);
        Dataset d = DatasetSpecs.open("dicom:" + dir, DataOptions.defaults());
        assertThat(d.labels().names()).containsExactly("2", "10"); // numeric order, not "10" < "2"
        assertThat(d.defaultTask()).isEqualTo("binary");
        // 70/10/20 of 10 images per class = 7/1/2, times 2 classes (as for folder:).
        assertThat(d.sizes()).containsEntry("train", 14).containsEntry("val", 2).containsEntry("test", 4);
        assertThat(d.identity()).containsEntry("key", "file").containsKey("listing_sha256");
        FileImageSplit test = (FileImageSplit) d.split(Split.TEST);
        for (int k = 0; k < test.size(); k++) {
            int i = Integer.parseInt(test.file(k).getFileName().toString().replaceAll("\\D", ""));
            assertThat(test.labels(k)[0]).isEqualTo(i % 2 == 0 ? 0f : 1f);
            Image img = test.image(k);
            assertThat(img.channels()).isEqualTo(1);
            assertThat(img.height()).isEqualTo(4);
            // The ramp base..base+15 stretched to its own range: the first pixel 0, the last 255.
            assertThat(img.pixel(0, 0, 0)).isZero();
            assertThat(img.pixel(3, 3, 0)).isEqualTo(255);
        }
    }

    @Test
    void aCsvKeyedBySopInstanceUidWithASplitColumnKeepsThatSplit() throws IOException {
        // The files are named arbitrarily; the CSV knows them by UID. No 'val' rows: val is carved from train.
        StringBuilder csv = new StringBuilder("SOPInstanceUID,label,split\n");
        Map<String, String> splitOf = new HashMap<>();
        for (int i = 0; i < 24; i++) {
            String uid = "1.2.826.0.1." + (100 + i);
            dicom(dir.resolve("series" + (i % 2)).resolve("x" + (i * 7 % 24) + ".dcm"), uid, i);
            String split = i < 16 ? "train" : "test";
            splitOf.put(uid, split);
            csv.append(uid).append(',').append(i % 2 == 0 ? "normal" : "effusion").append(',').append(split)
                    .append('\n');
        }
        Path labels = Files.writeString(dir.resolve("my-labels.csv"), csv);
        Dataset d = DatasetSpecs.open("dicom:" + labels, DataOptions.defaults());
        assertThat(d.labels().names()).containsExactly("effusion", "normal");
        // test: rows 16..23; train rows 0..15, 8 per class, val a stratified 1/8 of them: 1 per class.
        assertThat(d.sizes()).containsEntry("train", 14).containsEntry("val", 2).containsEntry("test", 8);
        FileImageSplit test = (FileImageSplit) d.split(Split.TEST);
        for (int k = 0; k < test.size(); k++) {
            assertThat(splitOf.get(DicomFile.sopInstanceUid(test.file(k)))).isEqualTo("test");
        }
    }

    @Test
    void aPatientColumnKeepsEachPatientInOneSplit() throws IOException {
        StringBuilder csv = new StringBuilder("file,label,patient\n");
        for (int i = 0; i < 60; i++) {
            dicom(dir.resolve(i + ".dcm"), "1.2." + i, i);
            csv.append(i).append(".dcm,").append(i % 2).append(",p").append(i / 3).append('\n');
        }
        Files.writeString(dir.resolve("labels.csv"), csv);
        Dataset d = DatasetSpecs.open("dicom:" + dir, DataOptions.defaults());
        Map<String, Set<Split>> splitsOfPatient = new HashMap<>();
        for (Split s : Split.values()) {
            ImageSplit split = d.split(s);
            for (int k = 0; k < split.size(); k++) {
                splitsOfPatient.computeIfAbsent(split.patientId(k), p -> new HashSet<>()).add(s);
            }
        }
        assertThat(splitsOfPatient).hasSize(20).allSatisfy((p, s) -> assertThat(s).as(p).hasSize(1));
        assertThat(d.identity().get("split")).isEqualTo("patient-level 70/10/20, seed 0");
    }

    @Test
    void aFolderWithoutLabelsIsOneFolderPerClass() throws IOException {
        for (String c : new String[] {"normal", "pneumonia"}) {
            for (int i = 0; i < 10; i++) {
                dicom(dir.resolve(c).resolve(i + ".dcm"), "1." + c.length() + "." + i, i);
            }
        }
        Dataset d = DatasetSpecs.open("dicom:" + dir, DataOptions.defaults());
        assertThat(d.labels().names()).containsExactly("normal", "pneumonia");
        assertThat(d.sizes()).containsEntry("train", 14).containsEntry("val", 2).containsEntry("test", 4);
        assertThat(d.split(Split.TRAIN).image(0).channels()).isEqualTo(1);
    }

    @Test
    void labelMistakesAreOneLineNamingTheFile() throws IOException {
        for (int i = 0; i < 4; i++) {
            dicom(dir.resolve(i + ".dcm"), "1.2.3", i); // the same UID in every file
        }
        Path csv = dir.resolve("labels.csv");
        Files.writeString(csv, "file,label\n0.dcm,a\n1.dcm,b\nmissing.dcm,a\ngone,b\n");
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessage(csv + ": 2 of 4 listed images not found, first 'missing.dcm' (looked in "
                        + dir.toAbsolutePath().normalize() + ")");
        Files.writeString(csv, "SOPInstanceUID,label\n1.2.3,a\n");
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("1.dcm") + ": SOP Instance UID 1.2.3 is also that of " + dir.resolve("0.dcm")
                        + " (expected one file per UID)");
        Files.writeString(csv, "name,label\n0.dcm,a\n");
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessage(csv + ": expected one key column, 'file' or 'SOPInstanceUID' (the header has name, label)");
        Files.writeString(csv, "file,label\n0.dcm,a\n1.dcm,a\n");
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessage(csv + ": every row has label 'a' (expected at least two classes)");
        Files.writeString(csv, "file,label,split\n0.dcm,a,train\n1.dcm,b,holdout\n");
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessage(csv + " line 3: 'split' is 'holdout', expected train, val or test");
    }

    @Test
    void aFileListedTwiceIsRefusedNamingBothLines() throws IOException {
        for (int i = 0; i < 4; i++) {
            dicom(dir.resolve(i + ".dcm"), "1.2.3." + i, i);
        }
        Path csv = dir.resolve("labels.csv");
        // The same image with labels 0 and 1, the second time spelt without .dcm.
        Files.writeString(csv, "file,label\n0.dcm,0\n1.dcm,1\n2.dcm,0\n3.dcm,1\n0,1\n");
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessage(csv + " line 6: lists " + dir.toAbsolutePath().normalize().resolve("0.dcm")
                        + " again, as line 2 does (expected each image once)");
        // By SOP Instance UID alike.
        Files.writeString(csv, "SOPInstanceUID,label\n1.2.3.0,0\n1.2.3.1,1\n1.2.3.1,0\n");
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(csv + " line 4: lists ").hasMessageEndingWith(" again, as line 3 does (expected "
                        + "each image once)");
    }

    @Test
    void aHugeListOfFourFilesStopsAtTheFirstRepeat() throws IOException {
        for (int i = 0; i < 4; i++) {
            dicom(dir.resolve(i + ".dcm"), "1.2.3." + i, i);
        }
        StringBuilder rows = new StringBuilder("file,label\n");
        for (int r = 0; r < 200_000; r++) {
            rows.append(r % 4).append(".dcm,").append(r % 2).append('\n');
        }
        Path csv = Files.writeString(dir.resolve("labels.csv"), rows);
        // Refused at line 6 (the fifth row), the first to name an image again: nothing after it was built.
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(csv + " line 6: lists ").hasMessageContaining("as line 2 does");
    }

    @Test
    void labelsThatAreNumbersButNotClassIdsAreRefused() throws IOException {
        for (int i = 0; i < 2; i++) {
            dicom(dir.resolve(i + ".dcm"), "1.2.3." + i, i);
        }
        Path csv = dir.resolve("labels.csv");
        // -0 would merge with 0 read as a number and be a class of its own read as text: neither is how a class id
        // is written, so it is refused like NaN and 1e400.
        for (String label : new String[] {"NaN", "1e400", "-0", "1.5", "inf", "-Infinity", "01", "+1", "-1", "0x1p0"}) {
            Files.writeString(csv, "file,label\n0.dcm,0\n1.dcm," + label + "\n");
            assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + dir)).as(label).isInstanceOf(BadInputException.class)
                    .hasMessage(csv + " line 3: 'label' is '" + label + "', expected a class id written plainly "
                            + "(0, 1, 2, ...) or a class name");
        }
        // Class ids and class names still read.
        Files.writeString(csv, "file,label\n0.dcm,0\n1.dcm,1\n");
        assertThat(ClassLabel.id("10")).isEqualTo(10);
        assertThat(DicomDataset.classes(java.util.List.of("10", "2"), csv)).containsExactly("2", "10");
        assertThat(DicomDataset.classes(java.util.List.of("normal", "effusion"), csv))
                .containsExactly("effusion", "normal");
    }
}
