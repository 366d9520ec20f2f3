package org.transfusion.engine.data;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds {@code ../shared/data} (the real data of the data README) through the system property Surefire sets.
 * A fresh clone without it skips the real-data tests; under CI its absence is a failure, so CI can never pass
 * by silently skipping them.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared data folder, or aborts/fails the calling test when it is absent. */
    public static Path require() {
        String prop = System.getProperty("transfusion.shared.data");
        Path dir = prop == null ? null : Path.of(prop).toAbsolutePath().normalize();
        if (dir != null && Files.isDirectory(dir)) {
            return dir;
        }
        String why = "../shared/data not found: " + (prop == null ? "system property transfusion.shared.data unset"
                : dir + " is not a directory");
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + " (CI=true: real-data tests must run)");
        }
        Assumptions.abort(why);
        return null; // unreachable: abort throws
    }

    /** A file under the shared data folder, which must exist once the folder does. */
    public static Path file(String relative) {
        Path f = require().resolve(relative);
        if (!Files.isRegularFile(f)) {
            fail("shared data is present but " + f + " is missing");
        }
        return f;
    }
}
