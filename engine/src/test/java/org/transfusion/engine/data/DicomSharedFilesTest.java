package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

/**
 * Every file in {@code ../shared/data/dicom} (two real chest x-rays and pydicom's small test files) decodes to the
 * statistics pydicom gives, or is refused in one line. The expected values come from pydicom 2.3.1 + numpy
 * (Debian python3-pydicom), by this script, run as {@code python3 ref.py FILE...}:
 *
 * <pre>
 * ds = pydicom.dcmread(f); a = ds.pixel_array
 * print('stored min %d max %d mean %.10f' % (a.min(), a.max(), a.astype(np.float64).mean()))
 * if ds.SamplesPerPixel == 1:
 *     m = apply_modality_lut(a, ds).astype(np.float64)          # pydicom.pixel_data_handlers.util
 *     if 'WindowCenter' in ds and 'WindowWidth' in ds:
 *         y = apply_windowing(m, ds)                             # pydicom's PS3.3 C.11.2 windowing,
 *         bs = ds.BitsStored                                     # onto the stored range [lo, hi] ...
 *         lo, hi = (0, 2**bs - 1) if ds.PixelRepresentation == 0 else (-2**(bs-1), 2**(bs-1) - 1)
 *         if 'RescaleSlope' in ds and 'RescaleIntercept' in ds:
 *             lo, hi = lo * slope + intercept, hi * slope + intercept
 *         y = (y - lo) / (hi - lo) * 255                         # ... rescaled to 0..255
 *     else:
 *         y = (m - m.min()) * 255 / (m.max() - m.min())
 *     out = np.clip(np.floor(y + 0.5), 0, 255)
 *     if ds.PhotometricInterpretation == 'MONOCHROME1': out = 255 - out
 *     print('uint8 mean %.10f' % out.mean())
 * else:
 *     lum = (299 * a[..., 0] + 587 * a[..., 1] + 114 * a[..., 2] + 500) // 1000
 *     print('channel means', a.mean(axis=(0, 1)), 'grey mean', lum.mean())
 * </pre>
 *
 * pydicom computes the window's line in another order than we do, so a pixel exactly between two levels could
 * round the other way; none of these files has one (for MR_small, numpy finds 0 pixels where the two orders give
 * different levels), so every comparison is exact up to the printed digits.
 */
class DicomSharedFilesTest {
    private static final String SUPPORTED = "supported: Implicit VR Little Endian (1.2.840.10008.1.2), Explicit VR "
            + "Little Endian (1.2.840.10008.1.2.1), Deflated Explicit VR Little Endian (1.2.840.10008.1.2.1.99), "
            + "Explicit VR Big Endian (1.2.840.10008.1.2.2), RLE Lossless (1.2.840.10008.1.2.5), JPEG Baseline "
            + "(Process 1) (1.2.840.10008.1.2.4.50), JPEG Extended (Process 2 and 4), 8-bit (1.2.840.10008.1.2.4.51), "
            + "JPEG Lossless, Non-Hierarchical (Process 14) (1.2.840.10008.1.2.4.57), JPEG Lossless, Non-Hierarchical, "
            + "First-Order Prediction (1.2.840.10008.1.2.4.70), JPEG 2000 Image Compression (Lossless Only) "
            + "(1.2.840.10008.1.2.4.90), JPEG 2000 Image Compression (1.2.840.10008.1.2.4.91)";

    /** Grey: shape, stored min/max/mean, uint8 mean; from the script above. */
    private record Grey(int rows, int columns, int min, int max, double storedMean, double uint8Mean) {}

    private static final Map<String, Grey> GREY = Map.of(
            // nccid_dicomlibrary_sample.dcm Implicit VR Little Endian (512, 512) MONOCHROME2, 8 bit, no window:
            // stored min 0 max 255 mean 92.0559425354; uint8 mean 92.0559425354 (min-max of 0..255 is identity)
            "nccid_dicomlibrary_sample.dcm", new Grey(512, 512, 0, 255, 92.0559425354, 92.0559425354),
            // nih_cxr_gcp_sample.dcm Implicit VR Little Endian (1024, 1024) MONOCHROME2, 8 bit, no window:
            // stored min 0 max 252 mean 180.0586576462; uint8 mean 182.2165355682 (stretched by 255/252)
            "nih_cxr_gcp_sample.dcm", new Grey(1024, 1024, 0, 252, 180.0586576462, 182.2165355682),
            // CT_small.dcm Explicit VR Little Endian (128, 128), signed 16 bit, slope 1 intercept -1024, no window:
            // stored min 128 max 2191 mean 904.9261474609; modality -896..1167; uint8 mean 96.0371704102
            "pydicom_test_files/CT_small.dcm", new Grey(128, 128, 128, 2191, 904.9261474609, 96.0371704102),
            // MR_small.dcm Explicit VR Little Endian (64, 64), signed 16 bit, window 600/1600 (LINEAR):
            // stored min 127 max 2145 mean 518.8813476562; uint8 mean 113.0664062500
            "pydicom_test_files/MR_small.dcm", new Grey(64, 64, 127, 2145, 518.8813476562, 113.0664062500),
            // the same data set as Explicit VR Big Endian, Implicit VR Little Endian and RLE Lossless: same values
            "pydicom_test_files/MR_small_bigendian.dcm", new Grey(64, 64, 127, 2145, 518.8813476562, 113.0664062500),
            "pydicom_test_files/MR_small_implicit.dcm", new Grey(64, 64, 127, 2145, 518.8813476562, 113.0664062500),
            "pydicom_test_files/MR_small_RLE.dcm", new Grey(64, 64, 127, 2145, 518.8813476562, 113.0664062500));

    /** Colour: shape, channel means, Rec. 601 grey mean and the first pixel; from the script above. */
    private record Colour(int rows, int columns, double[] channelMeans, double greyMean, int[] firstPixel) {}

    private static final Map<String, Colour> COLOUR = Map.of(
            // SC_rgb_rle_2frame.dcm RLE Lossless, 2 frames of (100, 100, 3) RGB 8 bit; the first frame is read:
            // channel means [127.7, 127.7, 127.7], grey 127.7, pixel (0,0) [255, 0, 0]
            "pydicom_test_files/SC_rgb_rle_2frame.dcm",
            new Colour(100, 100, new double[] {127.7, 127.7, 127.7}, 127.7, new int[] {255, 0, 0}),
            // SC_rgb_rle_16bit_2frame.dcm RLE Lossless, 2 frames of (100, 100, 3) RGB 16 bit; first frame: channel
            // means [32818.9] x 3, pixel (0,0) [65535, 0, 0]; every value is 0, 65535 or a multiple of 257, so the
            // 8-bit image (v / 257) has channel means 32818.9 / 257 = 127.7 and pixel (0,0) [255, 0, 0]
            "pydicom_test_files/SC_rgb_rle_16bit_2frame.dcm",
            new Colour(100, 100, new double[] {127.7, 127.7, 127.7}, 127.7, new int[] {255, 0, 0}),
            // SC_rgb_rle.dcm RLE Lossless (100, 100, 3) RGB: channel means [127.7, 127.7, 127.7], grey 127.7,
            // pixel (0,0) [255, 0, 0]
            "pydicom_test_files/SC_rgb_rle.dcm",
            new Colour(100, 100, new double[] {127.7, 127.7, 127.7}, 127.7, new int[] {255, 0, 0}),
            // SC_rgb_small_odd.dcm Explicit VR Little Endian (3, 3, 3) RGB, 27 bytes of pixels padded to 28:
            // channel means [129.0, 128.6666666667, 128.6666666667], grey 128.6666666667, pixel (0,0) [166, 141, 52]
            "pydicom_test_files/SC_rgb_small_odd.dcm",
            new Colour(3, 3, new double[] {129.0, 128.6666666667, 128.6666666667}, 128.6666666667,
                    new int[] {166, 141, 52}));

    /** Files refused in one line, with what the line says. */
    private static final Map<String, String> REFUSED = Map.of(
            // pydicom: TransferSyntaxUID 1.2.840.10008.1.2.4.80 (MONOCHROME2, 16 bit)
            "pydicom_test_files/MR_small_jpeg_ls_lossless.dcm",
            "JPEG-LS Lossless Image Compression (1.2.840.10008.1.2.4.80) is not supported (no maintained Java JPEG-LS "
                    + "decoder is on Maven Central); " + SUPPORTED,
            // pydicom: TransferSyntaxUID 1.2.840.10008.1.2.4.91, 1024 x 256, 4 bytes of the codestream replaced
            // (pydicom's README: "almost certainly not a valid JPEG anymore"; GDCM fails on it too): the bytes
            // replaced are in SIZ's image width, which the header check reads before any decoder sees the bytes
            "pydicom_test_files/JPEG2000-embedded-sequence-delimiter.dcm",
            "frame 1: the JPEG 2000 codestream declares 3722445056 x 1024 pixels, expected at most 67108864 "
                    + "(8192 x 8192)",
            // pydicom: TransferSyntaxUID 1.2.840.10008.1.2.4.51, SOF1 with 12-bit samples
            "pydicom_test_files/JPEG-lossy.dcm",
            "frame 1: JPEG extended with 12-bit samples is not supported (TwelveMonkeys hands DCT JPEG to the JDK's "
                    + "libjpeg, which decodes 8-bit samples only; 12-bit lossy JPEG needs a re-export)",
            // CT_small.dcm's data set from its second byte on (cmp: its last 38870 bytes are CT_small's), so it
            // starts mid-element; pydicom.dcmread(force=True) reads one bogus element (0820,0500) and no pixels.
            "pydicom_test_files/no_meta.dcm",
            "not a DICOM file (no 'DICM' at byte 128, and it does not start with a group 0002 or 0008 element)");

    /** Compressed files whose every sample {@link DicomCompressedTest} compares with pydicom's. */
    private static List<String> compressed() throws IOException {
        return DicomCompressedTest.reference().stream()
                .filter(r -> DicomCompressedTest.resource(r.file()) == null)
                .map(r -> "pydicom_test_files/" + r.file()).distinct().toList();
    }

    @Test
    void everySharedDicomFileDecodesAsPydicomSaysOrIsRefusedByName() throws IOException {
        Path root = SharedData.require().resolve("dicom");
        List<String> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".dcm"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
        List<String> compressed = compressed();
        Map<String, String> unexpected = new TreeMap<>();
        for (String name : files) {
            if (!GREY.containsKey(name) && !COLOUR.containsKey(name) && !REFUSED.containsKey(name)
                    && !compressed.contains(name)) {
                unexpected.put(name, "no expectation in this test: add pydicom's values");
            }
        }
        assertThat(unexpected).as("every shared .dcm file is covered").isEmpty();
        // RLE files are both here (as images) and in the compressed table (sample by sample)
        assertThat(files).hasSize(GREY.size() + COLOUR.size() + REFUSED.size()
                + (int) compressed.stream().filter(n -> !GREY.containsKey(n) && !COLOUR.containsKey(n)).count());
        for (String name : compressed) {
            Path f = root.resolve(name);
            assertThat(DicomFile.scan(f).problem()).as(name).isNull();
            assertThat(ImageFiles.read(f, ImageFiles.Mode.RGB).channels()).as(name).isEqualTo(3);
        }

        GREY.forEach((name, want) -> checkGrey(root.resolve(name), want));
        COLOUR.forEach((name, want) -> checkColour(root.resolve(name), want));
        REFUSED.forEach((name, message) -> {
            Path f = root.resolve(name);
            assertThatThrownBy(() -> ImageFiles.read(f, ImageFiles.Mode.AS_STORED)).as(name)
                    .isInstanceOf(BadInputException.class).hasMessage(f + ": " + message);
        });
    }

    private static void checkGrey(Path f, Grey want) {
        DicomImage d = DicomFile.read(f);
        assertThat(d.format().rows()).as(f.toString()).isEqualTo(want.rows());
        assertThat(d.format().columns()).isEqualTo(want.columns());
        int n = want.rows() * want.columns();
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int v = d.stored(i, 0);
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertThat(min).as(f + " stored min").isEqualTo(want.min());
        assertThat(max).as(f + " stored max").isEqualTo(want.max());
        assertThat(sum / n).as(f + " stored mean").isCloseTo(want.storedMean(), within(1e-9));
        Image img = ImageFiles.read(f, ImageFiles.Mode.AS_STORED);
        assertThat(img.channels()).isEqualTo(1);
        assertThat(mean(img, 0)).as(f + " uint8 mean").isCloseTo(want.uint8Mean(), within(1e-9));
        Image rgb = ImageFiles.read(f, ImageFiles.Mode.RGB);
        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(mean(rgb, 2)).as(f + " grey as RGB").isCloseTo(mean(img, 0), within(1e-12));
    }

    private static void checkColour(Path f, Colour want) {
        Image img = ImageFiles.read(f, ImageFiles.Mode.AS_STORED);
        assertThat(img.height()).as(f.toString()).isEqualTo(want.rows());
        assertThat(img.width()).isEqualTo(want.columns());
        assertThat(img.channels()).isEqualTo(3);
        for (int c = 0; c < 3; c++) {
            assertThat(mean(img, c)).as(f + " channel " + c).isCloseTo(want.channelMeans()[c], within(1e-9));
            assertThat(img.pixel(0, 0, c)).isEqualTo(want.firstPixel()[c]);
        }
        Image grey = ImageFiles.read(f, ImageFiles.Mode.GREY);
        assertThat(grey.channels()).isEqualTo(1);
        assertThat(mean(grey, 0)).as(f + " grey").isCloseTo(want.greyMean(), within(1e-9));
    }

    private static double mean(Image img, int channel) {
        double sum = 0;
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                sum += img.pixel(y, x, channel);
            }
        }
        return sum / ((double) img.height() * img.width());
    }
}
