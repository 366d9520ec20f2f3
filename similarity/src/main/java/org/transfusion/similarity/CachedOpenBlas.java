package org.transfusion.similarity;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Loads OpenBLAS and its JNI glue straight from the files javacpp extracted into its cache on an earlier start,
 * instead of through javacpp's loader.
 *
 * <p>javacpp's loader looks every library up under many candidate names in every jar of the class path (33 jars for
 * the CLI) before it loads the file it extracted last time: about 0.1 s of the 0.2 s it took here, on every start of
 * {@code transfusion similarity} (issue 33). This class checks, as javacpp itself does before reusing a cached file,
 * that each cached file has the size and time of its jar entry, loads the files in the order javacpp loads them (the
 * GCC runtime, OpenBLAS, each JNI library), and then initialises javacpp's classes with javacpp's library loading
 * switched off ({@code org.bytedeco.javacpp.loadLibraries=false}, for the rest of the process), since everything
 * they would load is loaded. Anything else (another platform, a cache that is
 * missing, stale or configured otherwise, a load that fails) returns false and leaves it to javacpp's loader, which
 * extracts the files, so the next start finds them.
 *
 * <p>Like {@link Lapack#startLoading}, this must not run while another thread uses javacpp.
 */
final class CachedOpenBlas {

    private static final String PLATFORM = "linux-x86_64";
    private static final String LOAD_LIBRARIES = "org.bytedeco.javacpp.loadLibraries";

    /** A library file: the javacpp package directory it lives under, and its name there. */
    private record Library(String pkg, String name) {}

    /**
     * In javacpp's order for {@code openblas} (debug log of its loader): the preloads, then each class's JNI library.
     * {@code libopenblas_nolapack.so.0} is not in the jar: javacpp links it to {@code libopenblas.so.0} when it
     * extracts (the preset's "openblas@.0#openblas_nolapack@.0").
     */
    private static final List<Library> ORDER = List.of(
            new Library("openblas", "libgcc_s.so.1"),
            new Library("openblas", "libquadmath.so.0"),
            new Library("openblas", "libgfortran.so.5"),
            new Library("openblas", "libopenblas_nolapack.so.0"),
            new Library("openblas", "libjniopenblas_nolapack.so"),
            new Library("javacpp", "libjnijavacpp.so"),
            new Library("openblas", "libopenblas.so.0"),
            new Library("openblas", "libjniopenblas.so"));

    private static final String NOLAPACK_LINK = "libopenblas_nolapack.so.0";
    private static final String NOLAPACK_TARGET = "libopenblas.so.0";

    private CachedOpenBlas() {}

    /** Loads OpenBLAS from javacpp's cache and initialises its classes; false (nothing done) when it cannot. */
    static boolean load() {
        if (System.getProperty(LOAD_LIBRARIES) != null) {
            return false; // the user's (or an earlier load's) setting of javacpp's loader: leave it to javacpp
        }
        List<File> files = cachedFiles();
        if (files == null) {
            return false;
        }
        boolean loaded = false;
        try {
            for (File f : files) {
                System.load(f.getPath());
            }
            System.setProperty(LOAD_LIBRARIES, "false");
            Class.forName("org.bytedeco.openblas.global.openblas", true, CachedOpenBlas.class.getClassLoader());
            loaded = true;
            return true;
        } catch (UnsatisfiedLinkError | ClassNotFoundException | SecurityException e) {
            return false;
        } finally {
            // Once loaded, javacpp's loader stays off in this process: every library its classes name is loaded, and
            // its wrappers call it again before each use (blas_set_num_threads: Loader.load, which, not knowing these
            // files, would search the class path again, 30 ms a call). OpenBLAS is the only javacpp library here.
            if (!loaded) {
                System.clearProperty(LOAD_LIBRARIES);
            }
        }
    }

    /** The cached files in load order, each checked against its jar entry, or null when any does not match. */
    static List<File> cachedFiles() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))
                || System.getProperty("org.bytedeco.javacpp.cachedir.nosubdir") != null
                || System.getProperty("org.bytedeco.javacpp.platform") != null) {
            return null;
        }
        // the native jars by name on the class path (java expands a wildcard entry before the program starts)
        Map<String, File> jars = new HashMap<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            String name = new File(entry).getName();
            for (String pkg : new String[] {"openblas", "javacpp"}) {
                if (name.startsWith(pkg + "-") && name.endsWith("-" + PLATFORM + ".jar")
                        && jars.putIfAbsent(pkg, new File(entry)) != null) {
                    return null; // two versions on the class path: leave the choice to javacpp
                }
            }
        }
        File cache = cacheDir();
        List<File> files = new ArrayList<>();
        Map<String, ZipFile> open = new HashMap<>();
        try {
            for (Library library : ORDER) {
                File jar = jars.get(library.pkg());
                if (jar == null) {
                    return null;
                }
                ZipFile zip = open.get(library.pkg());
                if (zip == null) {
                    zip = new ZipFile(jar);
                    open.put(library.pkg(), zip);
                }
                String dir = "org/bytedeco/" + library.pkg() + "/" + PLATFORM + "/";
                ZipEntry entry = zip.getEntry(dir + (library.name().equals(NOLAPACK_LINK) ? NOLAPACK_TARGET
                        : library.name()));
                File file = new File(new File(cache, jar.getName()), dir + library.name());
                // javacpp reuses a cached file when its size and time are the entry's; so does this
                if (entry == null || !file.isFile() || file.length() != entry.getSize()
                        || file.lastModified() != entry.getTime()) {
                    return null;
                }
                files.add(file);
            }
        } catch (IOException | SecurityException e) {
            return null;
        } finally {
            for (ZipFile zip : open.values()) {
                try {
                    zip.close();
                } catch (IOException e) {
                    // only read from
                }
            }
        }
        return files;
    }

    /** javacpp's cache directory as its loader chooses it first (its fallbacks mean a cache this does not use). */
    private static File cacheDir() {
        for (String property : new String[] {"org.bytedeco.javacpp.cachedir", "org.bytedeco.javacpp.cacheDir"}) {
            String dir = System.getProperty(property);
            if (dir != null) {
                return new File(dir);
            }
        }
        return new File(System.getProperty("user.home"), ".javacpp/cache");
    }
}
