package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class FolderDatasetTest {

    @Test
    void classFoldersAreSortedAndSplitStratified(@TempDir Path dir) throws IOException {
        // 10 images in each of three classes, written in unsorted order; 'normal' as grey PNG, the others RGB JPEG.
        for (String c : new String[] {"normal", "drusen", "cnv"}) {
            for (int i = 0; i < 10; i++) {
                if (c.equals("normal")) {
                    Fixtures.greyImage(dir.resolve(c).resolve("img" + i + ".png"), 6, 5, 200);
                } else {
                    Fixtures.rgbImage(dir.resolve(c).resolve("img" + i + ".jpg"), 6, 5, 0x3366CC);
                }
            }
        }
        Files.writeString(dir.resolve("normal").resolve("notes.txt"), "not an image");
        Fixtures.greyImage(dir.resolve("normal").resolve(".thumbs").resolve("x.png"), 2, 2, 0);

        Dataset d = DatasetSpecs.open("folder:" + dir, DataOptions.defaults());
        assertThat(d.labels().names()).containsExactly("cnv", "drusen", "normal");
        assertThat(d.defaultTask()).isEqualTo("multiclass");
        // 70/10/20 of 10 images per class = 7/1/2, times 3 classes.
        assertThat(d.sizes()).containsEntry("train", 21).containsEntry("val", 3).containsEntry("test", 6);
        for (Split s : Split.values()) {
            ImageSplit split = d.split(s);
            for (int i = 0; i < split.size(); i++) {
                int c = (int) split.labels(i)[0];
                assertThat(split.image(i).channels()).isEqualTo(c == 2 ? 1 : 3);
            }
        }
    }

    @Test
    void trainAndTestFoldersAreUsedAndValIsCarvedFromTrain(@TempDir Path dir) throws IOException {
        for (String c : new String[] {"a", "b"}) {
            for (int i = 0; i < 8; i++) {
                Fixtures.greyImage(dir.resolve("train").resolve(c).resolve(i + ".png"), 4, 4, 10 * i);
            }
            for (int i = 0; i < 3; i++) {
                Fixtures.greyImage(dir.resolve("test").resolve(c).resolve(i + ".png"), 4, 4, 10 * i);
            }
        }
        Dataset d = DatasetSpecs.open("folder:" + dir, DataOptions.defaults());
        // val = 1/8 of each class's 8 train images.
        assertThat(d.sizes()).containsEntry("train", 14).containsEntry("val", 2).containsEntry("test", 6);
        assertThat(d.defaultTask()).isEqualTo("binary");
        assertThat(d.identity()).containsKey("listing_sha256");
    }

    @Test
    void aFolderWithoutClassFoldersIsAnError(@TempDir Path dir) throws IOException {
        Fixtures.greyImage(dir.resolve("loose.png"), 4, 4, 0);
        assertThatThrownBy(() -> DatasetSpecs.open("folder:" + dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir + ": no class sub-folders (expected one folder of images per class)");
    }
}
