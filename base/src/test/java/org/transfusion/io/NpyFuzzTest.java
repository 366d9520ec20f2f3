package org.transfusion.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.fuzz.FuzzBudget;

/**
 * Coverage-guided fuzz targets for the {@code .npy}/{@code .npz} reader (issue 18). Without {@code JAZZER_FUZZ}
 * each target runs once per file of its seed corpus ({@code NpyFuzzTestInputs/<method>/} under the test resources:
 * crafted files, small arrays cut from ../shared/data and every crash found so far), as part of the ordinary test
 * run; with it, Jazzer mutates those seeds for the {@code maxDuration} (README, "Fuzzing"). Every input must read or
 * be refused with a {@link org.transfusion.error.BadInputException}, within
 * {@link FuzzBudget}'s time-out and allocation budget.
 */
class NpyFuzzTest {

    @TempDir static Path tmp;

    /** Reads everything the array holds, as a caller would: the strings, or every number widened. */
    private static void decode(NpyArray a) {
        if (a.dtype().isString()) {
            a.strings();
        } else {
            a.toDoubleArray();
        }
    }

    /** An {@code .npy} image from a stream of unknown length (the form an {@code .npz} member is read in). */
    @FuzzTest(maxDuration = "2m")
    void npyStream(byte[] input) throws Exception {
        FuzzBudget.check(input.length, () -> decode(Npy.read(new ByteArrayInputStream(input), "fuzz.npy")));
    }

    /** An {@code .npy} file, memory-mapped. */
    @FuzzTest(maxDuration = "2m")
    void npyFile(byte[] input) throws Exception {
        Path file = Files.write(tmp.resolve("fuzz.npy"), input);
        FuzzBudget.check(input.length, () -> decode(Npy.read(file)));
    }

    /** An {@code .npz} archive: its member list, then every member. */
    @FuzzTest(maxDuration = "2m")
    void npz(byte[] input) throws Exception {
        Path file = Files.write(tmp.resolve("fuzz.npz"), input);
        FuzzBudget.check(input.length, () -> {
            Npy.members(file);
            Map<String, NpyArray> arrays = Npy.readNpz(file, List.of());
            arrays.values().forEach(NpyFuzzTest::decode);
        });
    }
}
