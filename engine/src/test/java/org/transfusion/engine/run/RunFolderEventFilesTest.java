package org.transfusion.engine.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event file names sort in the order the sessions wrote them, whatever the clock says. */
class RunFolderEventFilesTest {
    @TempDir Path dir;

    @Test
    void aNewSessionsFileSortsAfterEveryEarlierOne() throws Exception {
        RunFolder run = new RunFolder(dir);
        assertThat(run.eventFiles()).isEmpty();
        Path first = run.newEventFile(1_700_000_000L, "node-1.example.org");
        assertThat(first).isEqualTo(dir.resolve("tb/events.out.tfevents.1700000000.node-1.example.org"));
        Files.createDirectories(first.getParent());
        Files.writeString(first, "");
        // the same second (a quick resume), then a clock set back by an hour
        Path second = run.newEventFile(1_700_000_000L, "node 2/x");
        assertThat(second.getFileName().toString()).isEqualTo("events.out.tfevents.1700000001.node_2_x");
        Files.writeString(second, "");
        Path third = run.newEventFile(1_699_996_400L, "a");
        assertThat(third.getFileName().toString()).isEqualTo("events.out.tfevents.1700000002.a");
        Files.writeString(third, "");
        Files.writeString(dir.resolve("tb/notes.txt"), "");
        assertThat(run.eventFiles()).containsExactly(first, second, third);
        // a later clock wins again
        assertThat(run.newEventFile(1_800_000_000L, "").getFileName().toString())
                .isEqualTo("events.out.tfevents.1800000000.localhost");
    }
}
