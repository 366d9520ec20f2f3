package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * Labels are checked against what they can mean before anything is trained on them: a class index of a known
 * MedMNIST file within its classes, any class index a small non-negative integer (a label of 1e8 once asked for a
 * hundred million class names and ran out of memory), multi-label targets 0 or 1, and the grade tasks only on
 * at most five grades. Each refusal names the file, the array, the element and what was expected.
 */
class NpzLabelsTest {
    @TempDir Path dir;

    /** Three 2x2 grey images per split; train labels as given, val/test labels 0, 1, 0. */
    private Path npz(String name, long[] trainLabels) throws IOException {
        Fixtures.Array images = Fixtures.uint8(new byte[12], 3, 2, 2);
        Fixtures.Array other = Fixtures.int64(new long[] {0, 1, 0}, 3, 1);
        return Fixtures.npz(dir.resolve(name), Fixtures.arrays("train_images", images, "train_labels",
                Fixtures.int64(trainLabels, 3, 1), "val_images", images, "val_labels", other, "test_images", images,
                "test_labels", other));
    }

    @Test
    void aKnownFilesLabelsMustBeItsClasses() throws IOException {
        Path file = npz("retinamnist.npz", new long[] {0, 7, 2});
        assertThatThrownBy(() -> NpzDataset.read("npz:" + file, file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": train_labels[1] = 7.0, expected a class index 0..4 (retinamnist has 5 "
                        + "classes)");
    }

    @Test
    void negativeFractionalAndHugeLabelsAreRefused() throws IOException {
        Path negative = npz("a.npz", new long[] {0, -3, 1});
        assertThatThrownBy(() -> NpzDataset.read("npz:a", negative)).hasMessageContaining("train_labels[1] = -3.0, expected a class index 0..9999");
        Path huge = npz("b.npz", new long[] {0, 100_000_000, 1});
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> NpzDataset.read("npz:b", huge)).hasMessageContaining("train_labels[1] = 1.0E8, "
                + "expected a class index 0..9999");
        assertThat((System.nanoTime() - t0) / 1e9).as("refused before allocating anything per class").isLessThan(5);
        // issue 18: a label of 2^31 (2147483648) wrapped to a negative int and was reported as "0 classes"
        Path wrapped = npz("w.npz", new long[] {0, 1L << 31, 1});
        assertThatThrownBy(() -> NpzDataset.read("npz:w", wrapped)).hasMessageContaining("train_labels[1] = "
                + "2.147483648E9, expected a class index 0..9999");
        Path fractional = dir.resolve("c.npz");
        Fixtures.Array images = Fixtures.uint8(new byte[12], 3, 2, 2);
        Fixtures.Array labels = Fixtures.float32(new float[] {0, 1.5f, 1}, 3, 1);
        Fixtures.npz(fractional, Fixtures.arrays("train_images", images, "train_labels", labels, "val_images",
                images, "val_labels", labels, "test_images", images, "test_labels", labels));
        assertThatThrownBy(() -> NpzDataset.read("npz:c", fractional)).hasMessageContaining("train_labels[1] = 1.5, expected");
    }

    @Test
    void multiLabelTargetsAreZeroOrOne() throws IOException {
        Path file = dir.resolve("m.npz");
        Fixtures.Array images = Fixtures.uint8(new byte[12], 3, 2, 2);
        Fixtures.Array good = Fixtures.int64(new long[] {0, 1, 1, 0, 0, 0}, 3, 2);
        Fixtures.Array bad = Fixtures.int64(new long[] {0, 1, 5, 0, 0, -3}, 3, 2);
        Fixtures.npz(file, Fixtures.arrays("train_images", images, "train_labels", bad, "val_images", images,
                "val_labels", good, "test_images", images, "test_labels", good));
        assertThatThrownBy(() -> NpzDataset.read("npz:m", file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": train_labels[1, 0] = 5.0, expected 0 or 1 (a multi-label target)");
    }

    @Test
    void gradeTasksNeedGrades() throws IOException {
        Path file = npz("eight.npz", new long[] {0, 7, 2});
        Dataset d = NpzDataset.read("npz:eight", file);
        assertThat(d.labels().size()).isEqualTo(8);
        assertThat(Tasks.resolve("multiclass", d).outputs()).isEqualTo(8);
        for (String task : new String[] {"grade", "referable"}) {
            assertThatThrownBy(() -> Tasks.resolve(task, d)).isInstanceOf(BadInputException.class)
                    .hasMessage("task '" + task + "' is about the 5 diabetic retinopathy grades 0-4, but npz:eight "
                            + "has labels up to 7; use --task multiclass");
        }
    }
}
