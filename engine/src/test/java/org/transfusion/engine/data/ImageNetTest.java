package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * {@code imagenet:PATH} on tiny ILSVRC-layout folders written here: three fake wnids with 4, 5 and 6 training
 * images (class index = sorted wnid position), and six validation images, sorted into folders or flat with each
 * label source. Flat validation image {@code ILSVRC2012_val_0000000k} belongs to {@link #VAL_WNIDS}[k-1].
 */
class ImageNetTest {
    /** Written in this (unsorted) order; sorted they are classes 0, 1, 2. */
    private static final List<String> WNIDS = List.of("n01000003", "n01000001", "n01000002");
    private static final List<String> SORTED = List.of("n01000001", "n01000002", "n01000003");
    private static final List<String> VAL_WNIDS = List.of("n01000003", "n01000001", "n01000002", "n01000002",
            "n01000001", "n01000003");
    private static final DataOptions OPTIONS = DataOptions.defaults();

    @TempDir Path dir;

    @Test
    void sortedValidationFoldersAreTheTestSplitAndValIsOnePercentOfTrain() throws IOException {
        Path root = trainFolders(dir);
        for (int k = 0; k < VAL_WNIDS.size(); k++) {
            Fixtures.rgbImage(root.resolve("val").resolve(VAL_WNIDS.get(k)).resolve("v" + k + ".JPEG"), 8, 6, 0x808080);
        }
        Dataset d = DatasetSpecs.open("imagenet:" + root, OPTIONS);
        assertThat(d.labels().names()).containsExactlyElementsOf(SORTED);
        assertThat(d.defaultTask()).isEqualTo("multiclass");
        // 1% of 4, 5 and 6 images: SeededSplits.stratified gives each class floor(0.99 n) to train; of the three
        // left-over images the first goes to val (it is furthest below its 0.15-image target), the rest to train.
        assertThat(d.sizes()).containsEntry("train", 14).containsEntry("val", 1).containsEntry("test", 6);
        assertLabelledByFolder(d.split(Split.TRAIN));
        assertLabelledByFolder(d.split(Split.VAL));
        assertLabelledByFolder(d.split(Split.TEST));
        // The grey training JPEG is decoded as RGB like the rest.
        FileImageSplit train = (FileImageSplit) d.split(Split.TRAIN);
        for (int i = 0; i < train.size(); i++) {
            assertThat(train.image(i).channels()).isEqualTo(3);
        }
        assertThat(d.identity()).containsKeys("listing_sha256", "split");
    }

    @Test
    void kaggleLayoutWithTheSolutionCsvAndSynsetNames() throws IOException {
        Path images = trainFolders(dir.resolve("ILSVRC/Data/CLS-LOC"));
        flatVal(images);
        List<String> rows = new ArrayList<>(List.of("ImageId,PredictionString"));
        for (int k = VAL_WNIDS.size(); k >= 1; k--) { // any row order
            String w = VAL_WNIDS.get(k - 1);
            rows.add(valName(k) + "," + w + " 1 2 30 40 " + w + " 5 6 70 80 ");
        }
        Fixtures.lines(dir.resolve("LOC_val_solution.csv"), rows);
        Fixtures.lines(dir.resolve("LOC_synset_mapping.txt"), List.of("n01000001 tench, Tinca tinca",
                "n01000002 goldfish, Carassius auratus", "n01000003 great white shark"));
        Dataset d = DatasetSpecs.open("imagenet:" + dir, OPTIONS);
        assertThat(d.labels().names()).containsExactly("tench, Tinca tinca", "goldfish, Carassius auratus",
                "great white shark");
        assertFlatTestLabels(d);
    }

    @Test
    void devkitGroundTruthWithSynsetsInIlsvrcIdOrder() throws IOException {
        Path root = trainFolders(dir);
        flatVal(root);
        // ILSVRC2012_ID k = line k: 1 -> n01000003, 2 -> n01000001, 3 -> n01000002 (the devkit's order is not sorted).
        Fixtures.lines(root.resolve("synsets.txt"), WNIDS);
        Fixtures.lines(root.resolve("ILSVRC2012_validation_ground_truth.txt"), ids(WNIDS));
        Dataset d = DatasetSpecs.open("imagenet:" + root, OPTIONS);
        assertThat(d.labels().names()).containsExactlyElementsOf(SORTED);
        assertFlatTestLabels(d);
    }

    @Test
    void devkitGroundTruthWithMapClslocInTheExtractedDevkit() throws IOException {
        Path root = trainFolders(dir);
        flatVal(root);
        Path devkit = root.resolve("ILSVRC2012_devkit_t12/data");
        // Stated ids, listed in any order.
        List<String> map = List.of("n01000002 3 fake_two", "n01000003 1 fake_three", "n01000001 2 fake_one");
        Fixtures.lines(devkit.resolve("map_clsloc.txt"), map);
        Fixtures.lines(devkit.resolve("ILSVRC2012_validation_ground_truth.txt"), ids(List.of("n01000003", "n01000001",
                "n01000002")));
        Dataset d = DatasetSpecs.open("imagenet:" + root, OPTIONS);
        assertThat(d.labels().names()).containsExactly("fake one", "fake two", "fake three");
        assertFlatTestLabels(d);
    }

    @Test
    void whatIsMissingIsSaidInOneLine() throws IOException {
        Path root = dir.resolve("imagenet");
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(root + ": not a folder (expected ILSVRC-2012 with train/<wnid>/*.JPEG and val/)");
        Files.createDirectories(root);
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(root + ": no train/ folder (expected ILSVRC-2012's train/<wnid>/*.JPEG and val/, or "
                        + "Kaggle's folder with ILSVRC/Data/CLS-LOC/train)");
        Files.createDirectories(root.resolve("train"));
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(root.resolve("train") + ": no class folders (expected one folder of JPEGs per wnid, "
                        + "e.g. train/n01440764/)");
        trainFolders(root);
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(root + ": no val/ folder (the ILSVRC validation images are the test split: "
                        + "val/<wnid>/*.JPEG, or val/*.JPEG with LOC_val_solution.csv or "
                        + "ILSVRC2012_validation_ground_truth.txt)");
        flatVal(root);
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(root.resolve("val") + ": validation images without labels (put LOC_val_solution.csv or "
                        + "ILSVRC2012_validation_ground_truth.txt with map_clsloc.txt in " + root + ", or sort them "
                        + "into val/<wnid>/)");
        Path truth = Fixtures.lines(root.resolve("ILSVRC2012_validation_ground_truth.txt"), ids(WNIDS));
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(truth + ": its ILSVRC2012_IDs need a map to wnids: put map_clsloc.txt (wnid id name) or "
                        + "synsets.txt (wnids in ILSVRC2012_ID order) beside it");
        // Kaggle's list is in sorted order; taking its line numbers for ILSVRC2012_IDs would mislabel every image.
        Path kaggle = Fixtures.lines(root.resolve("LOC_synset_mapping.txt"),
                SORTED.stream().map(w -> w + " x").toList());
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(kaggle + ": lists wnids in sorted order, but ILSVRC2012_validation_ground_truth.txt "
                        + "numbers classes by ILSVRC2012_ID (1 = n02119789); use map_clsloc.txt or "
                        + "LOC_val_solution.csv instead");
    }

    @Test
    void labelsThatDoNotMatchTheImagesAreErrors() throws IOException {
        Path root = trainFolders(dir);
        flatVal(root);
        Path csv = Fixtures.lines(root.resolve("LOC_val_solution.csv"), List.of("ImageId,PredictionString",
                valName(1) + ",n01000001 1 2 3 4", valName(9) + ",n01000002 1 2 3 4"));
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .isInstanceOf(BadInputException.class)
                .hasMessage(csv + ": 1 of 2 listed images not found, first '" + valName(9) + "' (looked in "
                        + root.resolve("val") + ")");
        Fixtures.lines(csv, List.of("ImageId,PredictionString", valName(1) + ",n09999999 1 2 3 4"));
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(csv + ": image " + valName(1) + " is labelled n09999999, which has no train/n09999999 "
                        + "folder");
        Fixtures.lines(csv, List.of("ImageId,PredictionString", valName(1) + ",cat 1 2 3 4"));
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(csv + " line 2: expected an ImageId and a PredictionString starting with a wnid "
                        + "(nNNNNNNNN), got '" + valName(1) + "', 'cat 1 2 3 4'");
        Files.delete(csv);
        Fixtures.rgbImage(root.resolve("val/n05555555/x.JPEG"), 4, 4, 0);
        assertThatThrownBy(() -> DatasetSpecs.open("imagenet:" + root, OPTIONS))
                .hasMessage(root.resolve("val/n05555555") + ": no train/n05555555 folder (val/ class folders must be "
                        + "wnids of train/)");
    }

    /** {@code train/<wnid>/} with 4, 5 and 6 JPEGs for classes 0, 1, 2, one of them grey; returns {@code root}. */
    private static Path trainFolders(Path root) throws IOException {
        for (String w : WNIDS) {
            int n = 4 + SORTED.indexOf(w);
            for (int i = 0; i < n; i++) {
                Path f = root.resolve("train").resolve(w).resolve(w + "_" + i + ".JPEG");
                if (i == 0 && w.equals(SORTED.get(0))) {
                    Fixtures.greyImage(f, 7, 5, 90);
                } else {
                    Fixtures.rgbImage(f, 7, 5, 0x336699);
                }
            }
        }
        return root;
    }

    /** {@code val/ILSVRC2012_val_0000000k.JPEG}, k = 1..6, with no labels. */
    private static void flatVal(Path images) throws IOException {
        for (int k = 1; k <= VAL_WNIDS.size(); k++) {
            Fixtures.rgbImage(images.resolve("val").resolve(valName(k) + ".JPEG"), 6, 4, 0x102030);
        }
    }

    private static String valName(int k) {
        return String.format("ILSVRC2012_val_%08d", k);
    }

    /** The ground truth: for each validation image, the 1-based position of its wnid in {@code idOrder}. */
    private static List<String> ids(List<String> idOrder) {
        return VAL_WNIDS.stream().map(w -> String.valueOf(idOrder.indexOf(w) + 1)).toList();
    }

    /** The flat test split is in file-name order, each image labelled with its wnid's sorted index. */
    private static void assertFlatTestLabels(Dataset d) {
        FileImageSplit test = (FileImageSplit) d.split(Split.TEST);
        assertThat(test.size()).isEqualTo(VAL_WNIDS.size());
        for (int i = 0; i < test.size(); i++) {
            assertThat(test.file(i).getFileName().toString()).isEqualTo(valName(i + 1) + ".JPEG");
            assertThat(test.labels(i)).containsExactly(SORTED.indexOf(VAL_WNIDS.get(i)));
        }
        assertThat(d.sizes()).containsEntry("train", 14).containsEntry("val", 1);
    }

    /** Each image's label is the sorted index of the wnid folder it lies in. */
    private static void assertLabelledByFolder(ImageSplit split) {
        FileImageSplit s = (FileImageSplit) split;
        for (int i = 0; i < s.size(); i++) {
            String wnid = s.file(i).getParent().getFileName().toString();
            assertThat(s.labels(i)).containsExactly(SORTED.indexOf(wnid));
        }
    }
}
