package org.transfusion.engine.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.fuzz.FuzzBudget;

/**
 * A coverage-guided fuzz target for the DICOM reader (issue 20): {@link ImageFiles#read} of a {@code .dcm} as grey
 * and as RGB, and the header-only {@link DicomFile#sopInstanceUid}. A deflated or RLE file may legitimately expand
 * a few bytes into a full frame, so the budget is per allowed pixel, as for {@link ImageFilesFuzzTest}: the frame's
 * samples (at most 6 bytes a pixel), an RLE fragment of about as much, and the 3-byte RGB result, rounded up to 16.
 * Seeds: {@code DicomFuzzTestInputs/decode/} (written by {@link DicomWriter}: every native transfer syntax,
 * MONOCHROME1, a VOI window, planar RGB, RLE, nested and UN sequences, a bare data set; and, by GDCM's
 * {@code gdcmconv} from a 2 x 3 and two 16 x 16 files: JPEG lossless 12-bit, JPEG baseline RGB, JPEG 2000 lossless
 * grey and lossy RGB, whose codestreams the fuzzer mutates into the JPEG and JPEG 2000 decoders). The header scan
 * ({@link DicomFile#scan}) runs on every input too: it never throws, whatever the bytes.
 */
class DicomFuzzTest {
    private static final long BUDGET = FuzzBudget.BASE_BYTES + ImageFiles.MAX_PIXELS * 16;

    @TempDir static Path tmp;

    @FuzzTest(maxDuration = "2m")
    void decode(byte[] input) throws Exception {
        Path file = Files.write(tmp.resolve("fuzz.dcm"), input);
        FuzzBudget.check(BUDGET + FuzzBudget.BYTES_PER_INPUT_BYTE * input.length, () -> {
            ImageFiles.read(file, ImageFiles.Mode.GREY);
            ImageFiles.read(file, ImageFiles.Mode.RGB);
        }, " (" + ImageFiles.MAX_PIXELS + " pixels at 16 bytes each, plus the default)");
        FuzzBudget.check(FuzzBudget.BYTES_PER_INPUT_BYTE * input.length + FuzzBudget.BASE_BYTES,
                () -> DicomFile.sopInstanceUid(file), "");
        FuzzBudget.check(FuzzBudget.BYTES_PER_INPUT_BYTE * input.length + FuzzBudget.BASE_BYTES,
                () -> DicomFile.scan(file), "");
    }
}
