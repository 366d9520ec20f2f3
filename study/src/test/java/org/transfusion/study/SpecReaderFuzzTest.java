package org.transfusion.study;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.transfusion.fuzz.FuzzBudget;

/**
 * A coverage-guided fuzz target for the YAML study spec reader (issue 18): {@link SpecReader#parse} on arbitrary
 * text (the input decoded as UTF-8, as {@code Files.readString} would), then the canonical JSON a rerun compares.
 * Seeds: {@code SpecReaderFuzzTestInputs/parse/} (valid specs, alias bombs, wrong types); regression and fuzzing
 * modes as in the README's "Fuzzing".
 */
class SpecReaderFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void parse(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        FuzzBudget.check(input.length, () -> SpecReader.parse(yaml, "fuzz.yaml"));
    }
}
