package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * An {@code npz:} file's arrays are checked for what a run needs when the file is opened, before any run folder is
 * started (issue 18): every split non-empty, images of at least 1 x 1 pixels, every split's labels shaped like the
 * train split's, numbers where numbers are expected. Each refusal names the file, the array and what was expected.
 */
class NpzShapesTest {
    @TempDir Path dir;

    /** Three 2x2 grey images. */
    private static final Fixtures.Array IMAGES = Fixtures.uint8(new byte[12], 3, 2, 2);
    private static final Fixtures.Array LABELS = Fixtures.int64(new long[] {0, 1, 0}, 3, 1);

    private Path npz(String name, Object... overrides) throws IOException {
        var arrays = Fixtures.arrays("train_images", IMAGES, "train_labels", LABELS, "val_images", IMAGES,
                "val_labels", LABELS, "test_images", IMAGES, "test_labels", LABELS);
        arrays.putAll(Fixtures.arrays(overrides));
        return Fixtures.npz(dir.resolve(name), arrays);
    }

    @Test
    void everySplitsLabelsHaveTheTrainSplitsColumns() throws IOException {
        // Three multi-label targets per image in train, one elsewhere: once read as a 3-output task whose val and
        // test rows had one value each.
        Fixtures.Array three = Fixtures.int64(new long[] {0, 1, 1, 1, 0, 0, 0, 0, 1}, 3, 3);
        Path file = npz("cols.npz", "train_labels", three);
        assertThatThrownBy(() -> NpzDataset.read("npz:cols", file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": val_labels has shape (3, 1), expected (3,3) like train_labels");
        Path single = npz("single.npz", "test_labels", three);
        assertThatThrownBy(() -> NpzDataset.read("npz:single", single)).isInstanceOf(BadInputException.class)
                .hasMessage(single + ": test_labels has shape (3, 3), expected (3,) or (3,1) like train_labels");
    }

    @Test
    void anEmptySplitIsRefusedWhenTheFileIsOpened() throws IOException {
        Path file = npz("empty.npz", "val_images", Fixtures.uint8(new byte[0], 0, 2, 2), "val_labels",
                Fixtures.int64(new long[0], 0, 1));
        assertThatThrownBy(() -> NpzDataset.read("npz:empty", file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": val_images has shape (0, 2, 2), expected at least one image (the train split "
                        + "trains, val picks the best weights, test scores them)");
    }

    @Test
    void zeroByZeroImagesAreRefusedWhenTheFileIsOpened() throws IOException {
        Path file = npz("flat.npz", "train_images", Fixtures.uint8(new byte[0], 3, 0, 0));
        assertThatThrownBy(() -> NpzDataset.read("npz:flat", file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": train_images has shape (3, 0, 0), images of 0 x 0 pixels; expected at least "
                        + "1 x 1");
    }

    @Test
    void stringArraysWhereImagesOrLabelsAreExpectedAreRefused() throws IOException {
        // '<U1' images: 12 one-character strings of 4 bytes each; '|S1' labels: the characters '0', '1', '0'
        Path images = npz("uimages.npz", "train_images", new Fixtures.Array("<U1", new long[] {3, 2, 2}, new byte[48]));
        assertThatThrownBy(() -> NpzDataset.read("npz:u", images)).isInstanceOf(BadInputException.class)
                .hasMessage(images + ": train_images has dtype <U1, expected uint8 pixels");
        Path labels = npz("slabels.npz", "test_labels", new Fixtures.Array("|S1", new long[] {3, 1},
                new byte[] {'0', '1', '0'}));
        assertThatThrownBy(() -> NpzDataset.read("npz:s", labels)).isInstanceOf(BadInputException.class)
                .hasMessage(labels + ": test_labels has shape (3, 1) and dtype |S1, expected numbers shaped (N,), "
                        + "(N,1) or (N,K)");
    }
}
