package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compressed DICOM pixels equal pydicom's, frame by frame. {@code src/test/resources/dicom/reference.tsv} holds,
 * per frame, the shape, min, max, sum and the SHA-256 of the values as little-endian int32 that pydicom 2.3.1 with
 * GDCM 3.0.21 decodes (Debian python3-pydicom, python3-gdcm), made once by {@code scripts/dicom-reference.py}
 * (the command is in its docstring); this test computes the same from {@link DicomImage#stored}, so equal digests
 * mean every sample is equal. The files: pydicom's test files in {@code ../shared/data/dicom/pydicom_test_files}
 * (JPEG baseline YBR_FULL, JPEG lossless RGB, JPEG 2000 lossless and lossy, RLE one- and two-frame), and three
 * made here from them with GDCM's {@code gdcmconv} and committed beside the table (resources/dicom/README.md):
 * JPEG lossless 16-bit grey and two-frame JPEG lossless and JPEG 2000 RGB.
 *
 * <p>Lossy JPEG 2000 (the irreversible 9/7 wavelet, computed in floating point) is decoded by jai-imageio here and
 * by OpenJPEG in GDCM, which may round a sample differently; for those frames the script also wrote pydicom's
 * values, and the test asks every sample to be within 1 of them and at most 0.1% to differ at all (measured: 20 of
 * 262,144 samples of JPEG2000.dcm differ, each by 1).
 */
class DicomCompressedTest {
    record Row(String file, int frame, String syntax, String shape, long min, long max, long sum,
                       String sha256) {}

    @Test
    void everyFrameEqualsPydicomsDecoding() throws IOException {
        List<Row> rows = reference();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(14);
        Path shared = null;
        for (Row r : rows) {
            Path f = resource(r.file());
            if (f == null) {
                shared = shared != null ? shared : SharedData.require().resolve("dicom/pydicom_test_files");
                f = shared.resolve(r.file());
            }
            DicomImage d = DicomFile.read(f, r.frame());
            DicomImage.Format fmt = d.format();
            String shape = fmt.rows() + "x" + fmt.columns() + (fmt.samples() == 3 ? "x3" : "");
            String what = r.file() + " frame " + r.frame();
            assertThat(shape).as(what).isEqualTo(r.shape());
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            long sum = 0;
            MessageDigest md = sha256();
            byte[] le = new byte[4];
            for (int i = 0; i < fmt.pixels(); i++) {
                for (int s = 0; s < fmt.samples(); s++) {
                    int v = d.stored(i, s);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    sum += v;
                    le[0] = (byte) v;
                    le[1] = (byte) (v >> 8);
                    le[2] = (byte) (v >> 16);
                    le[3] = (byte) (v >> 24);
                    md.update(le);
                }
            }
            if (r.syntax().equals(DicomSyntax.JPEG2000.uid)) {
                withinTolerance(d, r, what);
                continue;
            }
            assertThat(new long[] {min, max, sum}).as(what + " min, max, sum")
                    .containsExactly(r.min(), r.max(), r.sum());
            assertThat(HexFormat.of().formatHex(md.digest())).as(what + " every sample").isEqualTo(r.sha256());
        }
    }

    /** A lossy JPEG 2000 frame against pydicom's values: every sample within 1, at most 0.1% not equal. */
    private static void withinTolerance(DicomImage d, Row r, String what) throws IOException {
        int[] want;
        try (InputStream in = new java.util.zip.GZIPInputStream(DicomCompressedTest.class.getResourceAsStream(
                "/dicom/" + r.file() + "." + r.frame() + ".le32.gz"))) {
            java.nio.IntBuffer b = java.nio.ByteBuffer.wrap(in.readAllBytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .asIntBuffer();
            want = new int[b.remaining()];
            b.get(want);
        }
        DicomImage.Format fmt = d.format();
        assertThat(want).as(what).hasSize(fmt.pixels() * fmt.samples());
        int differ = 0;
        int worst = 0;
        for (int i = 0; i < fmt.pixels(); i++) {
            for (int s = 0; s < fmt.samples(); s++) {
                int diff = Math.abs(d.stored(i, s) - want[i * fmt.samples() + s]);
                differ += diff == 0 ? 0 : 1;
                worst = Math.max(worst, diff);
            }
        }
        assertThat(worst).as(what + ": largest difference from pydicom").isLessThanOrEqualTo(1);
        assertThat(differ).as(what + ": samples not equal to pydicom's").isLessThanOrEqualTo(want.length / 1000);
    }

    /** The syntaxes the table covers: each compressed family the reader claims is tested against pydicom. */
    @Test
    void theReferenceCoversEveryDecodedFamily() throws IOException {
        List<String> syntaxes = reference().stream().map(Row::syntax).distinct().toList();
        assertThat(syntaxes).contains(DicomSyntax.JPEG_BASELINE.uid, DicomSyntax.JPEG_LOSSLESS_SV1.uid,
                DicomSyntax.JPEG2000_LOSSLESS.uid, DicomSyntax.JPEG2000.uid, DicomSyntax.RLE.uid);
        assertThat(reference().stream().filter(r -> r.frame() > 0).map(Row::syntax).distinct())
                .as("multi-frame files of each family")
                .contains(DicomSyntax.RLE.uid, DicomSyntax.JPEG_LOSSLESS_SV1.uid, DicomSyntax.JPEG2000_LOSSLESS.uid);
    }

    static List<Row> reference() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = DicomCompressedTest.class.getResourceAsStream("/dicom/reference.tsv")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] c = lines[i].split("\t");
                rows.add(new Row(c[0], Integer.parseInt(c[1]), c[2], c[3], Long.parseLong(c[4]), Long.parseLong(c[5]),
                        Long.parseLong(c[6]), c[7]));
            }
        }
        return rows;
    }

    /** A file committed in test resources, or null when it is one of the shared pydicom files. */
    static Path resource(String name) {
        var url = DicomCompressedTest.class.getResource("/dicom/" + name);
        try {
            return url == null ? null : Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
