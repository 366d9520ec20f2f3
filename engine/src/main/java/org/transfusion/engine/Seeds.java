package org.transfusion.engine;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * One root seed fans out into named random streams (data split, shuffling, augmentation, each init scheme), so
 * changing how one part draws numbers never shifts another's.
 */
public final class Seeds {
    private Seeds() {}

    /** The seed of stream {@code name} under {@code root}: a 64-bit hash of both, well mixed. */
    public static long stream(long root, String name) {
        long h = root ^ 0x9E3779B97F4A7C15L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        h *= 0x94D049BB133111EBL;
        return h ^ (h >>> 29);
    }

    public static SplittableRandom random(long root, String name) {
        return new SplittableRandom(stream(root, name));
    }
}
