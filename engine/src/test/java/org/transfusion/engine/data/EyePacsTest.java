package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class EyePacsTest {

    @Test
    void levelsBecomeGradesAndBothEyesShareASplit(@TempDir Path dir) throws IOException {
        // 5 patients x 2 eyes; the left eye's level is p % 5, the right eye's (p + 1) % 5.
        List<String> rows = new ArrayList<>(List.of("image,level"));
        for (int p = 10; p < 15; p++) {
            rows.add(p + "_left," + (p % 5));
            rows.add(p + "_right," + ((p + 1) % 5));
            // Kaggle's archive unpacks into train/; the reader also looks in the folder itself.
            Path where = p % 2 == 0 ? dir.resolve("train") : dir;
            Fixtures.rgbImage(where.resolve(p + "_left.jpeg"), 16, 12, 0xC04020);
            Fixtures.rgbImage(where.resolve(p + "_right.jpeg"), 16, 12, 0xC04020);
        }
        Fixtures.lines(dir.resolve("trainLabels.csv"), rows);

        Dataset d = DatasetSpecs.open("eyepacs:" + dir, DataOptions.defaults().withSeed(3));
        assertThat(d.sizes().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
        assertThat(d.labels().names()).isEqualTo(Tasks.DR_GRADES);
        assertThat(d.defaultTask()).isEqualTo("grade");

        Map<String, Split> splitOfPatient = new HashMap<>();
        Map<String, Float> gradeOf = new HashMap<>();
        for (Split s : Split.values()) {
            FileImageSplit fs = (FileImageSplit) d.split(s);
            assertThat(fs.size()).isPositive();
            for (int i = 0; i < fs.size(); i++) {
                Split before = splitOfPatient.put(fs.patientId(i), s);
                assertThat(before == null || before == s).as("patient %s in one split", fs.patientId(i)).isTrue();
                gradeOf.put(fs.file(i).getFileName().toString(), fs.labels(i)[0]);
            }
        }
        assertThat(gradeOf).containsEntry("12_left.jpeg", 2f).containsEntry("12_right.jpeg", 3f)
                .containsEntry("14_right.jpeg", 0f);

        Task referable = Tasks.resolve("referable", d);
        assertThat(referable.target(new float[] {1})).containsExactly(0f);
        assertThat(referable.target(new float[] {2})).containsExactly(1f);
        Image img = d.split(Split.TRAIN).image(0);
        assertThat(img.channels()).isEqualTo(3);
        assertThat(img.width()).isEqualTo(16);
        // JPEG is lossy: a flat 0xC04020 comes back within a few levels.
        assertThat(img.pixel(5, 5, 0)).isBetween(0xC0 - 6, 0xC0 + 6);
        assertThat(img.pixel(5, 5, 1)).isBetween(0x40 - 6, 0x40 + 6);
    }

    @Test
    void aLevelOutsideZeroToFourNamesTheLine(@TempDir Path dir) throws IOException {
        Fixtures.lines(dir.resolve("trainLabels.csv"), List.of("image,level", "1_left,0", "1_right,7"));
        assertThatThrownBy(() -> DatasetSpecs.open("eyepacs:" + dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("trainLabels.csv") + " line 3: 'level' is '7', expected a DR grade 0-4");
    }

    @Test
    void aLevelWrittenAsAnotherNumberOrAnImageListedTwiceNamesTheLines(@TempDir Path dir) throws IOException {
        for (String level : new String[] {"-0", "+1", "01", "1.0", "NaN"}) {
            Fixtures.lines(dir.resolve("trainLabels.csv"), List.of("image,level", "1_left,0", "1_right," + level));
            assertThatThrownBy(() -> DatasetSpecs.open("eyepacs:" + dir)).as(level)
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(dir.resolve("trainLabels.csv") + " line 3: 'level' is '" + level
                            + "', expected a DR grade 0-4");
        }
        Fixtures.rgbImage(dir.resolve("1_left.jpeg"), 8, 8, 0x808080);
        Fixtures.lines(dir.resolve("trainLabels.csv"), List.of("image,level", "1_left,0", "1_left,3"));
        assertThatThrownBy(() -> DatasetSpecs.open("eyepacs:" + dir)).isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("trainLabels.csv") + " line 3: lists " + dir.resolve("1_left.jpeg")
                        + " again, as line 2 does (expected each image once)");
    }

    /** issue 18, found by fuzzing: a header field holding a line break is listed escaped, in one line. */
    @Test
    void aHeaderWithALineBreakIsListedOnOneLine(@TempDir Path dir) throws IOException {
        Fixtures.lines(dir.resolve("trainLabels.csv"), List.of("image,\"le\nvel\"", "1_left,0"));
        assertThatThrownBy(() -> DatasetSpecs.open("eyepacs:" + dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("trainLabels.csv") + ": no column 'level' (the header has image, le\\u000avel)");
    }

    @Test
    void patientIsTheNameWithoutTheEye() {
        assertThat(EyePacs.patientOf("10_left")).isEqualTo("10");
        assertThat(EyePacs.patientOf("10_right")).isEqualTo("10");
        assertThat(EyePacs.patientOf("scan_7")).isEqualTo("scan_7");
    }
}
