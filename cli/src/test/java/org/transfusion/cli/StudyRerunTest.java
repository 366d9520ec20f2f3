package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * issue 18: an unchanged {@code study} command is accepted when it is run again, in a fresh JVM each time. The
 * defect this guards against was JVM-dependent: the spec's maps were built with {@code Map.of}, whose iteration
 * order is salted per JVM, and {@code study.json} was compared as text, so a rerun was refused "most of the time"
 * (21 of 21 and 32 of 34 attempts). Only separate JVMs can show it, hence 20 of them. Each stops at the
 * {@code study-recorded} fault point, right after {@code study.json} has been checked against the command's spec
 * and before any run would start, so the test costs JVM starts, not training.
 */
@Tag("process") // starts, kills or races other JVMs: left out of the fast loop (-Pfast), run by ./mvnw verify
class StudyRerunTest {
    @TempDir Path dir;

    private static final String REFUSED = "holds another study";

    /** The {@code all} preset (every experiment's keys in the spec) with tiny synthetic data and two CBRs. */
    private static List<String> study(Path out, String models) {
        return new ArrayList<>(List.of("study", "all", "--scale", "quick",
                "--data", "synthetic:retina?n=64&size=16", "--pretrain-data", "synthetic:natural?n=64&size=16",
                "--models", models, "--out", out.toString()));
    }

    @Test
    void theUnchangedStudyCommandIsAcceptedTwentyTimesInFreshJvmsAndAChangedOneIsRefused() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Path cache = dir.resolve("cache");
        Path out = dir.resolve("study");
        String stop = "-Dtransfusion.fault=study-recorded:0:halt";

        ChildCli.Proc first = ChildCli.run(cwd, cache, stop, study(out, "cbr-small,cbr-tiny"));
        assertThat(first.code()).as(first.err()).isEqualTo(137);
        assertThat(out.resolve("study.json")).isRegularFile();
        byte[] recorded = Files.readAllBytes(out.resolve("study.json"));

        for (int i = 0; i < 20; i++) {
            ChildCli.Proc again = ChildCli.run(cwd, cache, stop, study(out, "cbr-small,cbr-tiny"));
            assertThat(again.err()).as("rerun %d", i + 1).doesNotContain(REFUSED);
            assertThat(again.code()).as("rerun %d reached the point after the check: %s", i + 1, again.err())
                    .isEqualTo(137);
        }
        assertThat(Files.readAllBytes(out.resolve("study.json"))).as("a rerun does not rewrite study.json")
                .isEqualTo(recorded);

        // The check can fail: another model list is another study, refused in one line with exit 2.
        ChildCli.Proc other = ChildCli.run(cwd, cache, stop, study(out, "cbr-small"));
        assertThat(other.code()).as(other.err()).isEqualTo(2);
        assertThat(other.err()).contains(REFUSED);
    }
}
