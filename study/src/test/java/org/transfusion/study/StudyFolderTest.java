package org.transfusion.study;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/** A study folder holds one study: rerunning it resumes, whatever the device; another spec is refused. */
class StudyFolderTest {
    @TempDir Path dir;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    /** Stops the study where its runs would start: the folder's study.json has been written or checked by then. */
    private static final class Reached extends RuntimeException {}

    private static StudyRunner stopAtRuns() {
        return new StudyRunner(QUIET, (runs, started) -> {
            throw new Reached();
        });
    }

    private static StudySpec spec(List<Long> seeds, String device) {
        StudySpec s = SpecReader.parse("""
                name: folder
                data: synthetic:retina?n=80&size=16
                task: referable
                models: [cbr-tiny]
                seeds: [1]
                training: {epochs: 1, batch_size: 8, lr: 0.01, eval_every: 4}
                pretrain: {data: "synthetic:natural?n=80&size=16", task: multiclass, epochs: 1}
                experiments:
                  performance: {schemes: [random]}
                """, "folder.yaml");
        return new StudySpec(s.name(), s.data(), s.task(), s.imageSize(), s.models(), seeds, s.training(),
                s.pretrain(), s.experiments(), device == null ? null : org.transfusion.engine.Devices.parse(device));
    }

    @Test
    void theDeviceIsNotTheStudysIdentityButItsRunsAre() {
        Path out = dir.resolve("study");
        assertThatThrownBy(() -> Study.run(spec(List.of(1L), null), out, null, stopAtRuns(), QUIET))
                .isInstanceOf(Reached.class);
        assertThatThrownBy(() -> Study.run(spec(List.of(1L), "cuda:0"), out, null, stopAtRuns(), QUIET))
                .as("the same study on another device resumes").isInstanceOf(Reached.class);
        assertThatThrownBy(() -> Study.run(spec(List.of(1L, 2L), "cpu"), out, null, stopAtRuns(), QUIET))
                .isInstanceOf(BadInputException.class).hasMessageContaining("holds another study");
    }
}
