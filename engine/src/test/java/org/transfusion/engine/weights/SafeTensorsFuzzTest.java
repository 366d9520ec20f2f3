package org.transfusion.engine.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.fuzz.FuzzBudget;

/**
 * A coverage-guided fuzz target for the safetensors reader (issue 18): the header alone ({@link SafeTensors#shapes}),
 * then every tensor with the metadata. Seeds: {@code SafeTensorsFuzzTestInputs/read/}; regression and fuzzing modes
 * as in the README's "Fuzzing".
 */
class SafeTensorsFuzzTest {

    @TempDir static Path tmp;

    @FuzzTest(maxDuration = "2m")
    void read(byte[] input) throws Exception {
        Path file = Files.write(tmp.resolve("fuzz.safetensors"), input);
        FuzzBudget.check(input.length, () -> {
            SafeTensors.shapes(file);
            SafeTensors.readWithMetadata(file);
        });
    }
}
