package org.transfusion.engine.io;

import java.nio.file.Path;

/**
 * Where downloaded public files live: {@code $TRANSFUSION_CACHE}, else {@code $XDG_CACHE_HOME/transfusion}, else
 * {@code ~/.cache/transfusion}. Each kind of file has its own sub-folder ({@code medmnist}, {@code cifar10},
 * {@code hub}, {@code crash}). A system property of the same name as the variable wins (tests set it).
 */
public final class CacheDir {
    private CacheDir() {}

    public static Path root() {
        String own = setting("TRANSFUSION_CACHE");
        if (own != null) {
            return Path.of(own);
        }
        String xdg = setting("XDG_CACHE_HOME");
        Path base = xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("transfusion");
    }

    public static Path of(String kind) {
        return root().resolve(kind);
    }

    /** A setting from a system property or else the environment variable of that name; null when unset or blank. */
    public static String setting(String name) {
        String v = System.getProperty(name, System.getenv(name));
        return v == null || v.isBlank() ? null : v;
    }
}
