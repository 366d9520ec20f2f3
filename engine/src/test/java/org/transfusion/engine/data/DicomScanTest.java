package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.run.RunFolder;
import org.transfusion.engine.run.RunSpec;
import org.transfusion.engine.train.Progress;
import org.transfusion.engine.train.Trainer;
import org.transfusion.error.BadInputException;

/**
 * The header scan before training (issue 32): a DICOM dataset with files its pixels cannot be decoded from is
 * refused when it is opened, listing them (ten, then a count), or with {@code unreadable=skip} opened without them
 * and their count recorded; {@code frames=all} reads each frame of multi-frame files as its own image, keeping a
 * patient's frames in one split.
 */
class DicomScanTest {
    @TempDir Path dir;

    /**
     * A 16 x 16 8-bit grey file of {@code frames} frames: pixel j of frame k is {@code base + j % 7}, except pixel 0,
     * {@code base + 2k}; so every frame spans base..base+6, and its min-max stretch maps pixel 0 to 255 * 2k / 6 =
     * 85k. Patient ID {@code patient} when not null. A {@code marked} file has its top half 100 brighter (a class
     * a network can tell).
     */
    static void grey(Path file, int base, String patient, int frames, boolean marked) throws IOException {
        byte[] px = new byte[16 * 16 * frames];
        for (int i = 0; i < px.length; i++) {
            int j = i % (16 * 16);
            px[i] = (byte) (base + (j == 0 ? 2 * (i / (16 * 16)) : j % 7) + (marked && j < 128 ? 100 : 0));
        }
        DicomWriter w = new DicomWriter(DicomSyntax.EXPLICIT_LITTLE).text(DicomAttributes.MODALITY, "CS", "CR")
                .text(DicomAttributes.PATIENT_ID, "LO", patient).grey("MONOCHROME2", 16, 16, 8, 8, false);
        if (frames > 1) {
            w.text(DicomAttributes.NUMBER_OF_FRAMES, "IS", String.valueOf(frames));
        }
        w.pixels(px, false).write(file);
    }

    /** A file of a syntax we do not decode (JPEG-LS): its header is read, its pixels never. */
    static void jpegLs(Path file) throws IOException {
        new DicomWriter(DicomSyntax.EXPLICIT_LITTLE).transferSyntax("1.2.840.10008.1.2.4.80")
                .text(DicomAttributes.MODALITY, "CS", "MR").grey("MONOCHROME2", 16, 16, 16, 12, false)
                .fragment(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xF7}).write(file);
    }

    /** {@code good} readable files and {@code bad} JPEG-LS ones with a labels CSV; returns the folder. */
    private Path dataset(int good, int bad) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        StringBuilder csv = new StringBuilder("file,label\n");
        for (int i = 0; i < good; i++) {
            grey(data.resolve("g" + i + ".dcm"), 20, null, 1, i % 2 == 1);
            csv.append("g").append(i).append(".dcm,").append(i % 2).append('\n');
        }
        for (int i = 0; i < bad; i++) {
            jpegLs(data.resolve("bad" + i + ".dcm"));
            csv.append("bad").append(i).append(".dcm,").append(i % 2).append('\n');
        }
        Files.writeString(data.resolve("labels.csv"), csv);
        return data;
    }

    @Test
    void oneUndecodableFileAmongManyRefusesTheDatasetBeforeAnyImageIsRead() throws IOException {
        Path data = dataset(40, 1);
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + data)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(data.resolve("labels.csv") + ": 1 of 41 DICOM files cannot be decoded "
                        + "(found by the header scan, before training):\n  " + data.resolve("bad0.dcm")
                        + ": JPEG-LS Lossless Image Compression (1.2.840.10008.1.2.4.80) is not supported (no "
                        + "maintained Java JPEG-LS decoder is on Maven Central); supported: ")
                .hasMessageEndingWith("or leave them out with --skip-unreadable (the data spec option "
                        + "unreadable=skip), which counts them in run.json");
    }

    @Test
    void aRefusalListsTenFilesThenCountsTheRest() throws IOException {
        Path data = dataset(20, 13);
        assertThatThrownBy(() -> DatasetSpecs.open("dicom:" + data)).isInstanceOf(BadInputException.class)
                .satisfies(e -> {
                    List<String> lines = e.getMessage().lines().toList();
                    // the summary, ten files, "... and 3 more", what to do
                    assertThat(lines).hasSize(13);
                    assertThat(lines.get(0)).endsWith("13 of 33 DICOM files cannot be decoded (found by the header "
                            + "scan, before training):");
                    assertThat(lines.subList(1, 11)).allMatch(l -> l.startsWith("  " + data.resolve("bad")));
                    assertThat(lines.get(11)).isEqualTo("  ... and 3 more");
                });
    }

    @Test
    void skippingLeavesThemOutAndTrainingRecordsTheCount() throws IOException {
        Path data = dataset(40, 2);
        Dataset d = DatasetSpecs.open("dicom:" + data + "?unreadable=skip");
        long images = 0;
        for (Split s : Split.values()) {
            images += d.split(s).size();
        }
        assertThat(images).isEqualTo(40);
        assertThat(d.identity()).containsEntry("unreadable_skipped", 2).containsEntry("dicom_files", 42)
                .containsEntry("unreadable_first", List.of("bad0.dcm", "bad1.dcm"));

        RunSpec spec = RunSpec.builder(DatasetSpecs.skipUnreadable("dicom:" + data), "cbr-tiny").length(2L, null)
                .batchSize(8).evalEvery(2).imageSize(16).seed(1).threads(1).build();
        RunFolder run = new RunFolder(dir.resolve("run"));
        Trainer.run(spec, run, false, Progress.SILENT);
        assertThat(run.isComplete()).isTrue();
        JsonNode recorded = Json.parse(Files.readString(run.runJson()));
        assertThat(recorded.findValue("unreadable_skipped").asInt()).isEqualTo(2);
        assertThat(recorded.toString()).contains("dicom:" + data + "?unreadable=skip");
    }

    @Test
    void theSkipFlagAppliesToDicomAndFolderDataOnly() {
        assertThat(DatasetSpecs.skipUnreadable("dicom:/d")).isEqualTo("dicom:/d?unreadable=skip");
        assertThat(DatasetSpecs.skipUnreadable("folder:/d?frames=all")).isEqualTo("folder:/d?frames=all&unreadable=skip");
        assertThat(DatasetSpecs.skipUnreadable("dicom:/d?unreadable=skip")).isEqualTo("dicom:/d?unreadable=skip");
        assertThatThrownBy(() -> DatasetSpecs.skipUnreadable("npz:x.npz")).isInstanceOf(BadInputException.class)
                .hasMessage("--skip-unreadable applies to dicom: and folder: data (DICOM files), not 'npz:x.npz'");
    }

    @Test
    void everyFrameIsAnImageAndAPatientsFramesShareASplit() throws IOException {
        // 30 patients, each one file of 3 frames (frame k has pixels around 20 + 40k, so frames differ).
        Path data = Files.createDirectories(dir.resolve("frames"));
        StringBuilder csv = new StringBuilder("file,label\n");
        for (int i = 0; i < 30; i++) {
            grey(data.resolve("p" + i + ".dcm"), 20, "P" + i, 3, false);
            csv.append("p").append(i).append(".dcm,").append(i % 2).append('\n');
        }
        Files.writeString(data.resolve("labels.csv"), csv);

        Dataset first = DatasetSpecs.open("dicom:" + data);
        Dataset all = DatasetSpecs.open("dicom:" + data + "?frames=all");
        assertThat(size(first)).isEqualTo(30);
        assertThat(size(all)).isEqualTo(90);
        assertThat(all.identity()).containsEntry("frames", "all").containsEntry("images", 90L);
        Map<Path, Split> splitOf = new HashMap<>();
        for (Split s : Split.values()) {
            FileImageSplit f = (FileImageSplit) all.split(s);
            for (int i = 0; i < f.size(); i++) {
                Split before = splitOf.put(f.file(i), s);
                assertThat(before == null || before == s).as(f.file(i) + " in one split").isTrue();
                assertThat(f.patientId(i)).isNull(); // no patient column: the file's Patient ID only groups
                // the decoded frame is that frame: pixel (0,0) of frame k stretches to 85k (see grey)
                assertThat(f.image(i).pixel(0, 0, 0)).isEqualTo(85 * f.frame(i));
            }
        }
        assertThat(splitOf).hasSize(30);
    }

    @Test
    void aFolderOfClassFoldersIsScannedToo() throws IOException {
        Path data = dir.resolve("classes");
        for (int i = 0; i < 20; i++) {
            grey(Files.createDirectories(data.resolve(i % 2 == 0 ? "a" : "b")).resolve("f" + i + ".dcm"), 20, null, 1, i % 2 == 1);
        }
        jpegLs(data.resolve("a").resolve("z.dcm"));
        assertThatThrownBy(() -> DatasetSpecs.open("folder:" + data)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(data + ": 1 of 21 DICOM files cannot be decoded");
        Dataset d = DatasetSpecs.open("dicom:" + data + "?unreadable=skip");
        assertThat(size(d)).isEqualTo(20);
        assertThat(d.identity()).containsEntry("unreadable_skipped", 1);
    }

    @Test
    void theScanReportsSyntaxModalityAndFramesWithoutDecoding() throws IOException {
        grey(dir.resolve("a.dcm"), 20, "P1", 2, false);
        jpegLs(dir.resolve("b.dcm"));
        List<DicomHeader> h = DicomScan.scan(List.of(dir.resolve("a.dcm"), dir.resolve("b.dcm")));
        assertThat(h.get(0).readable()).isTrue();
        assertThat(h.get(0).frames()).isEqualTo(2);
        assertThat(h.get(0).patientId()).isEqualTo("P1");
        assertThat(h.get(0).syntaxTitle()).isEqualTo("Explicit VR Little Endian");
        assertThat(h.get(1).readable()).isFalse();
        assertThat(h.get(1).modality()).isEqualTo("MR");
        assertThat(h.get(1).bitsAllocated()).isEqualTo(16);
        assertThat(h.get(1).syntaxTitle()).isEqualTo("JPEG-LS Lossless Image Compression");
        assertThat(DicomScan.count(h, DicomHeader::modality)).containsExactly(Map.entry("CR", 1L), Map.entry("MR", 1L));
    }

    private static long size(Dataset d) {
        long n = 0;
        for (Split s : Split.values()) {
            n += d.split(s).size();
        }
        return n;
    }
}
