package org.transfusion.engine.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.transfusion.fuzz.FuzzBudget;
import org.transfusion.io.Npy;

/**
 * A coverage-guided fuzz target for the Keras key map (issue 18): {@link KerasMobileNetV2#convert}, which turns a
 * Keras array into the torchvision tensor its key maps to, on an arbitrary {@code .npy} array. The input's first
 * byte picks the Keras name from {@link KerasMobileNetV2#keyMap()} (a kernel, a depthwise kernel or a BN vector:
 * each takes another branch), the rest is the {@code .npy} image. Seeds: {@code KerasMobileNetV2FuzzTestInputs/
 * convert/}, arrays cut from the real backbone in ../shared/data; regression and fuzzing modes as in the README's
 * "Fuzzing".
 */
class KerasMobileNetV2FuzzTest {
    private static final List<String> NAMES = new ArrayList<>(KerasMobileNetV2.keyMap().keySet());
    private static final Path NPZ = Path.of("fuzz.npz");

    @FuzzTest(maxDuration = "2m")
    void convert(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        String name = NAMES.get((input[0] & 0xff) % NAMES.size());
        FuzzBudget.check(input.length, () -> KerasMobileNetV2.convert(NPZ, name,
                Npy.read(new ByteArrayInputStream(input, 1, input.length - 1), NPZ + ":" + name)));
    }
}
