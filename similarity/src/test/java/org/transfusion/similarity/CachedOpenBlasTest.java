package org.transfusion.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenBLAS loaded straight from javacpp's cache (issue 33). Loading is once per process, so each case runs in a JVM
 * of its own ({@link CachedOpenBlasProbe}) with a cache directory of its own: the first start finds it empty and goes
 * through javacpp's loader, which extracts the libraries; the second loads them from there; a stale file sends the
 * third back to javacpp. Each reports the same CCA as the first, whose value is checked against a closed form.
 */
class CachedOpenBlasTest {

    @TempDir Path cache;

    private static List<String> probe(Path cacheDir) throws Exception {
        return probe(cacheDir, CachedOpenBlasProbe.class);
    }

    private static List<String> probe(Path cacheDir, Class<?> main) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Dorg.bytedeco.javacpp.cachedir=" + cacheDir, "-cp",
                System.getProperty("java.class.path"), main.getName())
                .redirectErrorStream(true).start();
        // the probes compute on a few hundred rows; only a deadlock in loading would come near this
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished (a hang is a deadlock in loading)").isTrue();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        return lines;
    }

    @Test
    void theSecondStartLoadsFromTheCacheTheFirstFilledAndAStaleFileIsLeftToJavacpp() throws Exception {
        List<String> first = probe(cache);
        assertThat(first).contains("from cache: false");
        List<String> second = probe(cache);
        assertThat(second).contains("from cache: true");
        assertThat(value(second)).isEqualTo(value(first));
        // y's first column is t + 0.5 u, a linear combination of x's columns (t, u): the first canonical
        // correlation is 1 (by hand)
        assertThat(Double.parseDouble(value(first).split(",")[0])).isCloseTo(1.0,
                org.assertj.core.api.Assertions.within(1e-9));

        // a cached file whose time is not its jar entry's: javacpp's loader again (it re-extracts the file)
        System.setProperty("org.bytedeco.javacpp.cachedir", cache.toString());
        List<File> files;
        try {
            files = CachedOpenBlas.cachedFiles();
        } finally {
            System.clearProperty("org.bytedeco.javacpp.cachedir");
        }
        assertThat(files).hasSize(8);
        Path gfortran = files.get(2).toPath();
        assertThat(gfortran.getFileName().toString()).isEqualTo("libgfortran.so.5");
        Files.setLastModifiedTime(gfortran, FileTime.fromMillis(Files.getLastModifiedTime(gfortran).toMillis() + 2000));
        List<String> third = probe(cache);
        assertThat(third).contains("from cache: false");
        assertThat(value(third)).isEqualTo(value(first));
        assertThat(probe(cache)).contains("from cache: true");
    }

    @Test
    void fourThreadsEnteringNativeCodeAtOnceOnAFreshStartAllFinish() throws Exception {
        for (int start = 0; start < 2; start++) { // javacpp's loader first, then the cache it filled
            List<String> lines = probe(cache, FirstUseProbe.class);
            assertThat(lines).contains("all done").anyMatch(l -> l.startsWith("similarity "))
                    .anyMatch(l -> l.startsWith("cca ")).anyMatch(l -> l.startsWith("rbf "))
                    .anyMatch(l -> l.startsWith("rank "));
        }
    }

    private static String value(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("cca: ")).findFirst().orElseThrow().substring(5);
    }
}
