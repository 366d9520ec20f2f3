package org.transfusion.cli;

import java.nio.file.Path;
import org.transfusion.engine.run.RunFolder;

/** Test helper process: takes a run folder's lock, says "locked", and holds it until its stdin closes. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (RunFolder.Lock lock = new RunFolder(Path.of(args[0])).lock()) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the test closes our stdin
            }
        }
    }
}
