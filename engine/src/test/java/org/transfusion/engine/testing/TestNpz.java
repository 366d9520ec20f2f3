package org.transfusion.engine.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.transfusion.engine.data.Fixtures;

/** A small MedMNIST-layout .npz that a CNN learns in a few steps, for training tests. */
public final class TestNpz {
    private TestNpz() {}

    /**
     * Two classes: class 1 images are brighter in a centre square. {@code train} training images, {@code eval}
     * each for val and test, {@code size x size} grey pixels with seeded noise.
     */
    public static Path brightSquares(Path dir, int train, int eval, int size, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        var arrays = new java.util.LinkedHashMap<String, Fixtures.Array>();
        for (String split : new String[] {"train", "val", "test"}) {
            int n = split.equals("train") ? train : eval;
            byte[] images = new byte[n * size * size];
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % 2;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        boolean centre = Math.abs(y - size / 2) < size / 4 && Math.abs(x - size / 2) < size / 4;
                        images[(i * size + y) * size + x] =
                                (byte) (60 + rng.nextInt(60) + (centre && labels[i] == 1 ? 80 : 0));
                    }
                }
            }
            arrays.put(split + "_images", Fixtures.uint8(images, n, size, size));
            arrays.put(split + "_labels", Fixtures.int64(labels, n, 1));
        }
        return Fixtures.npz(dir.resolve("squares.npz"), arrays);
    }
}
