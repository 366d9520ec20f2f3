package org.transfusion.engine.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.fuzz.FuzzBudget;

/**
 * A coverage-guided fuzz target for image decoding (issue 18): {@link ImageFiles#read} on arbitrary bytes, as grey
 * and as RGB. An image within {@link ImageFiles#MAX_PIXELS} may legitimately be decoded from a few hundred bytes, so
 * the budget is per allowed pixel (an ARGB raster plus the uint8 result) rather than per input byte. Seeds:
 * {@code ImageFilesFuzzTestInputs/decode/}; regression and fuzzing modes as in the README's "Fuzzing".
 */
class ImageFilesFuzzTest {
    /** An ARGB int raster, the RGB and grey bytes made from it, and slack for the decoder's own buffers. */
    private static final long BUDGET = FuzzBudget.BASE_BYTES + ImageFiles.MAX_PIXELS * 12;

    @TempDir static Path tmp;

    @FuzzTest(maxDuration = "2m")
    void decode(byte[] input) throws Exception {
        Path file = Files.write(tmp.resolve("fuzz.png"), input);
        FuzzBudget.check(BUDGET + FuzzBudget.BYTES_PER_INPUT_BYTE * input.length, () -> {
            ImageFiles.read(file, ImageFiles.Mode.GREY);
            ImageFiles.read(file, ImageFiles.Mode.RGB);
        }, " (" + ImageFiles.MAX_PIXELS + " pixels at 12 bytes each, plus the default)");
    }
}
