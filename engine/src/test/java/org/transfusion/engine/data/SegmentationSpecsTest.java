package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

/**
 * The segmentation layouts on small files written here: DRIVE (TIFF images, GIF masks), CHASE_DB1 (JPEG images,
 * 1-bit PNG masks of two observers), the generic {@code masks:} folders, and every refusal, each naming its file.
 * Each expected number follows from what the test wrote.
 */
class SegmentationSpecsTest {
    private static final DataOptions SEED_0 = DataOptions.defaults().withSeed(0);

    @TempDir
    Path dir;

    // ---- file writers ----

    /** A mask of {@code width x height} whose pixel (x, y) holds {@code value(x, y)}, as 8-bit grey. */
    interface Pixels {
        int at(int x, int y);
    }

    static Path grey(Path file, int width, int height, Pixels value) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                r.setSample(x, y, 0, value.at(x, y));
            }
        }
        return write(img, file);
    }

    /** A 1-bit image (PNG: 1-bit grey; GIF: a two-colour palette), 1 where {@code on(x, y)} is nonzero. */
    static Path binary(Path file, int width, int height, Pixels on) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                r.setSample(x, y, 0, on.at(x, y) != 0 ? 1 : 0);
            }
        }
        return write(img, file);
    }

    static Path rgb(Path file, int width, int height, Pixels colour) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, colour.at(x, y));
            }
        }
        return write(img, file);
    }

    private static Path write(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString();
        String format = name.substring(name.lastIndexOf('.') + 1);
        if (!ImageIO.write(img, format.equals("tif") ? "tiff" : format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return file;
    }

    /** The vessel pattern of fixture image {@code k}: a vertical line at column k % width. */
    static Pixels vessel(int k, int width) {
        return (x, y) -> x == k % width ? 1 : 0;
    }

    static int ones(byte[] values) {
        int n = 0;
        for (byte b : values) {
            n += b == 1 ? 1 : 0;
        }
        return n;
    }

    static Set<String> names(SegmentationSplit split) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < split.size(); i++) {
            out.add(split.name(i));
        }
        return out;
    }

    static void refused(Runnable open, String... parts) {
        assertThatThrownBy(open::run).isInstanceOf(BadInputException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(parts));
    }

    // ---- drive: ----

    /** DRIVE with {@code train} training and {@code test} test images of 12 x 10 px; FOV = all but column 0. */
    Path drive(int train, int test) throws IOException {
        Path root = dir.resolve("DRIVE");
        for (int k = 0; k < train + test; k++) {
            boolean isTrain = k < train;
            String part = isTrain ? "training" : "test";
            String nn = String.format("%02d", isTrain ? 21 + k : 1 + k - train);
            Path p = root.resolve(part);
            int kk = k;
            rgb(p.resolve("images/" + nn + "_" + part + ".tif"), 12, 10, (x, y) -> 0x803020 + kk);
            binary(p.resolve("1st_manual/" + nn + "_manual1.gif"), 12, 10, vessel(k, 12));
            binary(p.resolve("mask/" + nn + "_" + part + "_mask.gif"), 12, 10, (x, y) -> x == 0 ? 0 : 1);
        }
        return root;
    }

    @Test
    void driveKeepsTheOfficialSplitAndDrawsValidationFromTraining() throws IOException {
        Path root = drive(6, 3);
        SegmentationDataset d = SegmentationSpecs.open("drive:" + root + "?val=2", SEED_0, 2);

        assertThat(d.sizes()).containsEntry("train", 4).containsEntry("val", 2).containsEntry("test", 3);
        assertThat(d.classes()).containsExactly("background", "vessel");
        assertThat(d.classCount()).isEqualTo(2);
        assertThat(names(d.split(Split.TEST))).containsExactlyInAnyOrder("01_test", "02_test", "03_test");
        Set<String> trainVal = names(d.split(Split.TRAIN));
        trainVal.addAll(names(d.split(Split.VAL)));
        assertThat(trainVal).hasSize(6).allMatch(n -> n.endsWith("_training"));
        assertThat(d.fovRule()).isEqualTo("given: mask/ files");
        assertThat(d.identity()).containsEntry("files", 27).containsKey("sha256")
                .containsEntry("split", "official training/ and test/; val = 2 of 6 training images, seed 0");

        // 03_test is fixture image k = 8: its vessel is column 8, its FOV every column but 0.
        SegmentationSplit test = d.split(Split.TEST);
        int i = List.of(test.name(0), test.name(1), test.name(2)).indexOf("03_test");
        SegmentationSample s = test.sample(i);
        assertThat(s.image().width()).isEqualTo(12);
        assertThat(s.image().height()).isEqualTo(10);
        assertThat(s.image().channels()).isEqualTo(3);
        assertThat(s.image().pixel(0, 0, 2)).isEqualTo(0x20 + 8);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 12; x++) {
                assertThat(s.mask()[y * 12 + x]).as("mask at %d,%d", x, y).isEqualTo((byte) (x == 8 ? 1 : 0));
                assertThat(s.fov()[y * 12 + x]).isEqualTo((byte) (x == 0 ? 0 : 1));
            }
        }
    }

    @Test
    void theValidationDrawFollowsTheSeed() throws IOException {
        Path root = drive(8, 1);
        Set<String> seed0 = names(SegmentationSpecs.open("drive:" + root, SEED_0, 2).split(Split.VAL));
        assertThat(seed0).hasSize(4); // the default, 4 held out of DRIVE's 20, is taken here from 8
        assertThat(names(SegmentationSpecs.open("drive:" + root, SEED_0, 2).split(Split.VAL))).isEqualTo(seed0);
        Set<Set<String>> draws = new HashSet<>();
        for (long seed = 0; seed < 6; seed++) {
            draws.add(names(SegmentationSpecs.open("drive:" + root, SEED_0.withSeed(seed), 2).split(Split.VAL)));
        }
        assertThat(draws).hasSizeGreaterThan(1); // 70 possible draws of 4 from 8: six seeds give one draw only by a fault
    }

    @Test
    void theIdentityChangesWhenAMaskChanges() throws IOException {
        Path root = drive(3, 1);
        Object before = SegmentationSpecs.open("drive:" + root, SEED_0, 2).identity().get("sha256");
        binary(root.resolve("test/1st_manual/01_manual1.gif"), 12, 10, vessel(5, 12));
        Object after = SegmentationSpecs.open("drive:" + root, SEED_0, 2).identity().get("sha256");
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void driveRefusals() throws IOException {
        Path root = drive(3, 2);
        refused(() -> SegmentationSpecs.open("drive:" + root + "?vall=2", SEED_0, 2), "unknown option 'vall'", "val");
        refused(() -> SegmentationSpecs.open("drive:" + root, SEED_0, 3), "2 classes", "3 were declared");
        refused(() -> SegmentationSpecs.open("drive:" + dir.resolve("nothing"), SEED_0, 2), "nothing",
                "folder not found");
        Files.delete(root.resolve("test/1st_manual/02_manual1.gif"));
        refused(() -> SegmentationSpecs.open("drive:" + root, SEED_0, 2), "02_test.tif", "no vessel mask",
                "02_manual1");
        binary(root.resolve("test/1st_manual/02_manual1.gif"), 11, 10, vessel(1, 11));
        refused(() -> SegmentationSpecs.open("drive:" + root, SEED_0, 2), "02_manual1.gif", "11 x 10", "12 x 10",
                "02_test.tif");
        Files.delete(root.resolve("test/1st_manual/02_manual1.gif"));
        Files.delete(root.resolve("test/1st_manual/01_manual1.gif"));
        Files.delete(root.resolve("test/1st_manual"));
        refused(() -> SegmentationSpecs.open("drive:" + root, SEED_0, 2), "1st_manual", "folder not found");
    }

    // ---- chase-db1: ----

    /**
     * 28 CHASE-like images of 16 x 12 px: a lit disc on black; observer 1 marks column k % 16, observer 2 row k % 12.
     * The images are PNG, not JPEG as in CHASE_DB1 (any image format is read): JPEG's ringing at a 16 px disc's edge
     * would blur the expected field of view, which the real-data test checks on the real JPEGs instead.
     */
    Path chase() throws IOException {
        Path root = dir.resolve("CHASEDB1");
        for (int k = 0; k < 28; k++) {
            String stem = String.format("Image_%02d%s", k / 2 + 1, k % 2 == 0 ? "L" : "R");
            int kk = k;
            rgb(root.resolve(stem + ".png"), 16, 12, (x, y) -> inDisc(x, y) ? 0xc06030 : 0);
            binary(root.resolve(stem + "_1stHO.png"), 16, 12, vessel(k, 16));
            binary(root.resolve(stem + "_2ndHO.png"), 16, 12, (x, y) -> y == kk % 12 ? 1 : 0);
        }
        return root;
    }

    static boolean inDisc(int x, int y) {
        double dx = x + 0.5 - 8;
        double dy = y + 0.5 - 6;
        return dx * dx + dy * dy <= 5.5 * 5.5;
    }

    @Test
    void chaseTrainsOnTheFirstTwentyByNameAndTestsOnTheLastEight() throws IOException {
        Path root = chase();
        SegmentationDataset one = SegmentationSpecs.open("chase-db1:" + root, SEED_0, 2);
        assertThat(one.sizes()).containsEntry("train", 16).containsEntry("val", 4).containsEntry("test", 8);
        assertThat(names(one.split(Split.TEST))).containsExactlyInAnyOrder("Image_11L", "Image_11R", "Image_12L",
                "Image_12R", "Image_13L", "Image_13R", "Image_14L", "Image_14R");
        assertThat(one.identity()).containsEntry("observer", 1).containsEntry("files", 56);
        assertThat(one.fovRule()).startsWith("derived: max(R,G,B) > 10");

        SegmentationDataset two = SegmentationSpecs.open("chase-db1:" + root + "?observer=2", SEED_0, 2);
        assertThat(two.identity()).containsEntry("observer", 2);
        assertThat(two.identity().get("sha256")).isNotEqualTo(one.identity().get("sha256"));
        // Image_14R is image k = 27: observer 1 marks column 11 (12 pixels), observer 2 row 3 (16 pixels).
        SegmentationSample a = one.split(Split.TEST).sample(7);
        SegmentationSample b = two.split(Split.TEST).sample(7);
        assertThat(a.name()).isEqualTo("Image_14R");
        assertThat(ones(a.mask())).isEqualTo(12);
        assertThat(a.mask()[5 * 16 + 11]).isEqualTo((byte) 1);
        assertThat(ones(b.mask())).isEqualTo(16);
        assertThat(b.mask()[3 * 16 + 0]).isEqualTo((byte) 1);
        // The derived FOV is the lit disc, pixel for pixel.
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                assertThat(a.fov()[y * 16 + x]).as("fov at %d,%d", x, y).isEqualTo((byte) (inDisc(x, y) ? 1 : 0));
            }
        }
    }

    @Test
    void chaseRefusals() throws IOException {
        Path root = chase();
        refused(() -> SegmentationSpecs.open("chase-db1:" + root + "?observer=3", SEED_0, 2), "observer=3",
                "expected 1", "or 2");
        refused(() -> SegmentationSpecs.open("chase-db1:" + root + "?observer=x", SEED_0, 2), "observer='x'",
                "not an integer");
        refused(() -> SegmentationSpecs.open("chase-db1:" + root + "?obs=2", SEED_0, 2), "unknown option 'obs'",
                "observer");
        Files.delete(root.resolve("Image_05L_2ndHO.png"));
        assertThat(SegmentationSpecs.open("chase-db1:" + root, SEED_0, 2).sizes()).containsEntry("test", 8);
        refused(() -> SegmentationSpecs.open("chase-db1:" + root + "?observer=2", SEED_0, 2), "Image_05L.png",
                "no observer 2 mask", "Image_05L_2ndHO");
        refused(() -> SegmentationSpecs.open("chase-db1:" + root + "?train=28", SEED_0, 2), "28 images",
                "too few");
    }

    @Test
    void theDerivedFovIsTheLargestLitRegionWithItsHolesFilled() {
        // A 40 x 30 image: a lit disc of radius 12 at (20, 15) with a black 4 x 4 hole at its centre (a dark
        // macula), a lit 2 x 2 speck in a corner (noise outside the fundus), and dim pixels (value 10, not above
        // the threshold) elsewhere.
        int w = 40;
        int h = 30;
        byte[] px = new byte[w * h * 3];
        int expected = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = x + 0.5 - 20;
                double dy = y + 0.5 - 15;
                boolean disc = dx * dx + dy * dy <= 144;
                boolean hole = x >= 18 && x < 22 && y >= 13 && y < 17;
                boolean speck = x < 2 && y < 2;
                int v = (disc && !hole) || speck ? 120 : 10;
                px[(y * w + x) * 3 + 1] = (byte) v;
                expected += disc ? 1 : 0;
            }
        }
        byte[] fov = SegmentationFiles.deriveFov(new Image(h, w, 3, px));
        assertThat(ones(fov)).isEqualTo(expected);
        assertThat(fov[15 * w + 20]).isEqualTo((byte) 1); // the hole is inside
        assertThat(fov[0]).isEqualTo((byte) 0); // the speck is not
        assertThat(ones(SegmentationFiles.deriveFov(new Image(2, 2, 3, new byte[12])))).isZero();
    }

    // ---- masks: ----

    /** {@code n} grey images of 8 x 6 under {@code base}/images, masks {@code value(k)} on row k % 6. */
    void maskFolder(Path base, int n, String suffix, int value) throws IOException {
        for (int k = 0; k < n; k++) {
            String stem = String.format("case%02d", k);
            int kk = k;
            grey(base.resolve("images/" + stem + ".png"), 8, 6, (x, y) -> 40 + kk);
            grey(base.resolve("masks/" + stem + suffix + ".png"), 8, 6, (x, y) -> y == kk % 6 ? value : 0);
        }
    }

    @Test
    void masksWithoutASplitAreSplitSeventyTenTwentyBySeed() throws IOException {
        maskFolder(dir, 10, "_mask", 255);
        SegmentationDataset d = SegmentationSpecs.open("masks:" + dir, SEED_0, 2);
        assertThat(d.sizes()).containsEntry("train", 7).containsEntry("val", 1).containsEntry("test", 2);
        assertThat(d.classes()).containsExactly("background", "foreground");
        assertThat(d.fovRule()).isEqualTo("none: all pixels");
        assertThat(d.identity()).containsEntry("split", "seeded 70/10/20 by image, seed 0");
        SegmentationSample s = d.split(Split.VAL).sample(0);
        int k = Integer.parseInt(s.name().substring(4));
        assertThat(s.image().channels()).isEqualTo(1);
        assertThat(s.image().pixel(0, 0, 0)).isEqualTo(40 + k);
        // 255 in a binary mask is class 1: row k % 6, 8 pixels.
        assertThat(ones(s.mask())).isEqualTo(8);
        assertThat(s.mask()[(k % 6) * 8]).isEqualTo((byte) 1);
        assertThat(ones(s.fov())).isEqualTo(48);
        Set<String> all = new HashSet<>();
        for (Split sp : Split.values()) {
            all.addAll(names(d.split(sp)));
        }
        assertThat(all).hasSize(10);
    }

    @Test
    void masksHoldClassIdsUpToTheDeclaredCount() throws IOException {
        maskFolder(dir, 10, "_seg", 2);
        SegmentationDataset d = SegmentationSpecs.open("masks:" + dir, SEED_0, 3);
        assertThat(d.classes()).containsExactly("background", "class1", "class2");
        SegmentationSample s = d.split(Split.TRAIN).sample(0);
        int k = Integer.parseInt(s.name().substring(4));
        assertThat(s.mask()[(k % 6) * 8 + 3]).isEqualTo((byte) 2);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "case00_seg.png", "mask value 2",
                "(x=0, y=0)", "expected 0 to 1, or 0/255");
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 1), "--classes 1", "expected 2 to 256");
    }

    @Test
    void splitCsvAndFovFolder() throws IOException {
        maskFolder(dir, 4, "", 1);
        Files.writeString(dir.resolve("split.csv"), "file,split\ncase00.png,test\ncase01,val\ncase02.png,train\n"
                + "case03.png,train\n", StandardCharsets.UTF_8);
        grey(dir.resolve("fov/case00_mask.png"), 8, 6, (x, y) -> x < 4 ? 255 : 0);
        SegmentationDataset d = SegmentationSpecs.open("masks:" + dir, SEED_0, 2);
        assertThat(d.sizes()).containsEntry("train", 2).containsEntry("val", 1).containsEntry("test", 1);
        assertThat(d.split(Split.VAL).name(0)).isEqualTo("case01");
        assertThat(d.identity()).containsEntry("split", "split.csv").containsEntry("files", 9);
        assertThat(d.fovRule()).startsWith("given: fov/");
        assertThat(ones(d.split(Split.TEST).sample(0).fov())).isEqualTo(24);
        assertThat(ones(d.split(Split.VAL).sample(0).fov())).isEqualTo(48); // no fov/ file: all inside

        Files.writeString(dir.resolve("split.csv"), "file,split\ncase00.png,test\ncase01,train\ncase02.png,train\n"
                + "case03.png,train\n", StandardCharsets.UTF_8);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "the val split has no images");
        Files.writeString(dir.resolve("split.csv"), "file,split\ncase00.png,test\ncase01,val\ncase02.png,train\n",
                StandardCharsets.UTF_8);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "split.csv", "does not list case03.png");
        Files.writeString(dir.resolve("split.csv"), "file,split\ncase00.png,test\ncase01,dev\n", StandardCharsets.UTF_8);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "split.csv line 3", "'dev'");
    }

    @Test
    void masksInSplitFolders() throws IOException {
        maskFolder(dir.resolve("train"), 3, "_label", 1);
        maskFolder(dir.resolve("val"), 2, "", 1);
        maskFolder(dir.resolve("test"), 4, "", 1);
        SegmentationDataset d = SegmentationSpecs.open("masks:" + dir, SEED_0, 2);
        assertThat(d.sizes()).containsEntry("train", 3).containsEntry("val", 2).containsEntry("test", 4);
        assertThat(d.identity()).containsEntry("split", "train/, val/, test/ folders");
        Path noVal = dir.resolve("noval");
        maskFolder(noVal.resolve("train"), 8, "", 1);
        maskFolder(noVal.resolve("test"), 2, "", 1);
        SegmentationDataset carved = SegmentationSpecs.open("masks:" + noVal, SEED_0, 2);
        assertThat(carved.sizes()).containsEntry("train", 7).containsEntry("val", 1).containsEntry("test", 2);
    }

    @Test
    void masksRefusals() throws IOException {
        maskFolder(dir, 10, "", 1);
        grey(dir.resolve("masks/case03.png"), 8, 5, (x, y) -> 0);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "case03.png", "mask is 8 x 5",
                "8 x 6", "expected the same size");
        grey(dir.resolve("masks/case03.png"), 8, 6, (x, y) -> x == 5 && y == 4 ? 7 : 0);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 3), "case03.png", "mask value 7",
                "(x=5, y=4)", "0 to 2");
        Files.delete(dir.resolve("masks/case03.png"));
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "case03.png", "image without a mask");
        grey(dir.resolve("masks/case03.png"), 8, 6, (x, y) -> 0);
        grey(dir.resolve("masks/case99.png"), 8, 6, (x, y) -> 0);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "case99.png", "mask without an image");
        Files.delete(dir.resolve("masks/case99.png"));
        grey(dir.resolve("masks/case04_mask.png"), 8, 6, (x, y) -> 0);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "case04", "a second mask");
        Files.delete(dir.resolve("masks/case04_mask.png"));
        Files.write(dir.resolve("masks/case05.png"), new byte[] {1, 2, 3, 4});
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "case05.png", "not a readable image");
        grey(dir.resolve("masks/case05.png"), 8, 6, (x, y) -> 0);
        rgb(dir.resolve("masks/case06.png"), 8, 6, (x, y) -> x == 2 ? 0xff0000 : 0);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "case06.png", "colour at pixel (x=2, y=0)");
        grey(dir.resolve("masks/case06.png"), 8, 6, (x, y) -> 0);
        refused(() -> SegmentationSpecs.open("masks:" + dir + "?n=3", SEED_0, 2), "unknown option 'n'");
        refused(() -> SegmentationSpecs.open("masks:" + dir.resolve("absent"), SEED_0, 2), "absent",
                "folder not found");
        refused(() -> SegmentationSpecs.open("masks:", SEED_0, 2), "no path");
        refused(() -> SegmentationSpecs.open("folder:" + dir, SEED_0, 2), "not segmentation data");
        assertThat(SegmentationSpecs.open("masks:" + dir, SEED_0, 2).sizes().values()).containsExactly(7, 1, 2);
    }

    @Test
    void aDicomImageTakesAMaskBesideIt() throws IOException {
        // DicomWriter (test helper) writes an 8-bit MONOCHROME2 file of 6 rows x 4 columns; its mask is a PNG.
        Files.createDirectories(dir.resolve("images"));
        List<Path> dicoms = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            Path f = dir.resolve(String.format("images/ct%02d.dcm", k));
            byte[] px = new byte[24];
            px[0] = (byte) (10 * k + 5);
            new DicomWriter(DicomSyntax.EXPLICIT_LITTLE).grey("MONOCHROME2", 6, 4, 8, 8, false).pixels(px, false)
                    .write(f);
            dicoms.add(f);
            grey(dir.resolve(String.format("masks/ct%02d.png", k)), 4, 6, (x, y) -> x == 1 ? 1 : 0);
        }
        SegmentationDataset d = SegmentationSpecs.open("masks:" + dir, SEED_0, 2);
        SegmentationSample s = d.split(Split.TRAIN).sample(0);
        assertThat(s.image().width()).isEqualTo(4);
        assertThat(s.image().height()).isEqualTo(6);
        assertThat(ones(s.mask())).isEqualTo(6);
        grey(dir.resolve("masks/ct03.png"), 6, 4, (x, y) -> 0);
        refused(() -> SegmentationSpecs.open("masks:" + dir, SEED_0, 2), "ct03.png", "6 x 4", "ct03.dcm", "4 x 6");
        assertThat(dicoms).hasSize(10);
    }

    // ---- the classification view, and isSegmentation ----

    @Test
    void asImageDatasetReadsTheSameImagesWithOneDummyClass() throws IOException {
        Path root = drive(5, 2);
        SegmentationDataset d = SegmentationSpecs.open("drive:" + root, SEED_0, 2);
        Dataset images = d.asImageDataset();
        assertThat(images.sizes()).isEqualTo(d.sizes());
        assertThat(images.labels().names()).containsExactly("drive");
        assertThat(images.identity()).isEqualTo(d.identity());
        for (Split s : Split.values()) {
            for (int i = 0; i < d.split(s).size(); i++) {
                assertThat(images.split(s).image(i).pixels()).isEqualTo(d.split(s).sample(i).image().pixels());
                assertThat(images.split(s).labels(i)).containsExactly(0f);
            }
        }
    }

    @Test
    void isSegmentationKnowsTheKinds() {
        assertThat(SegmentationSpecs.isSegmentation("drive:/data/DRIVE")).isTrue();
        assertThat(SegmentationSpecs.isSegmentation("chase-db1:x?observer=2")).isTrue();
        assertThat(SegmentationSpecs.isSegmentation("masks:x")).isTrue();
        assertThat(SegmentationSpecs.isSegmentation("synthetic:retina-vessels?n=20")).isTrue();
        assertThat(SegmentationSpecs.isSegmentation("synthetic:retina")).isFalse();
        assertThat(SegmentationSpecs.isSegmentation("folder:x")).isFalse();
        assertThat(SegmentationSpecs.isSegmentation(null)).isFalse();
    }
}
