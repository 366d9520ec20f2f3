package org.transfusion.engine.data;

import java.nio.file.Path;

/**
 * Options that change how a dataset is read.
 *
 * @param dataDir     where {@code medmnist:NAME} files are looked up first (null: TRANSFUSION_DATA, then the cache)
 * @param seed        seed of the data-split stream (patient-level splits of datasets without official splits)
 * @param uncertainty CheXpert uncertain-label policy: {@code u-ones}, {@code u-zeros} or {@code u-ignore}
 * @param frontalOnly CheXpert: keep frontal views only
 * @param online      whether missing public datasets may be downloaded
 */
public record DataOptions(Path dataDir, long seed, String uncertainty, boolean frontalOnly, boolean online) {
    public static DataOptions defaults() {
        return new DataOptions(null, 0L, "u-ones", true, !Boolean.getBoolean("ai.djl.offline")
                && !"true".equalsIgnoreCase(System.getenv("TRANSFUSION_OFFLINE")));
    }

    public DataOptions withSeed(long newSeed) {
        return new DataOptions(dataDir, newSeed, uncertainty, frontalOnly, online);
    }

    public DataOptions withDataDir(Path dir) {
        return new DataOptions(dir, seed, uncertainty, frontalOnly, online);
    }
}
