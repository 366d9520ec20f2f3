package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probe samples drawn stratified by class, so that a class-ordered split's probes see every class (issue 30). */
class StratifiedSampleTest {

    @Test
    void eachClassGetsItsShareAndAtLeastOneImage() {
        SplittableRandom rng = new SplittableRandom(0);
        // 4 x 100, n = 10: one each, then 6 by share: 6 x 99 / 396 = 1.5 each -> floors 1 (4 given), the 2 left to
        // the largest remainders (all 0.5: the lower classes) -> 3, 3, 2, 2
        assertThat(SubsetSplit.allocate(new int[] {100, 100, 100, 100}, 10, rng)).containsExactly(3, 3, 2, 2);
        // 1 and 99, n = 10: one each, then 8 x 0 / 98 and 8 x 98 / 98 -> 1, 9
        assertThat(SubsetSplit.allocate(new int[] {1, 99}, 10, rng)).containsExactly(1, 9);
        // 50, 30, 20, n = 100 (all): 1 + 49, 1 + 29, 1 + 19
        assertThat(SubsetSplit.allocate(new int[] {50, 30, 20}, 100, rng)).containsExactly(50, 30, 20);
        // fewer images than classes: 3 classes drawn, one image each
        int[] few = SubsetSplit.allocate(new int[] {5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, 3, rng);
        assertThat(java.util.Arrays.stream(few).sum()).isEqualTo(3);
        assertThat(few).containsOnly(0, 1);
    }

    /** Ten class folders of 12 images each, written in class order, as ImageNet's and folder splits are kept. */
    static Path classOrderedFolder(Path dir, int classes, int perClass) throws IOException {
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                Fixtures.rgbImage(dir.resolve("train").resolve("c" + c).resolve(i + ".png"), 8, 8,
                        (c * 25) << 16 | (i * 20) << 8);
            }
            for (int i = 0; i < 3; i++) {
                Fixtures.rgbImage(dir.resolve("test").resolve("c" + c).resolve(i + ".png"), 8, 8, (c * 25) << 16);
            }
        }
        return dir;
    }

    @Test
    void aClassOrderedSplitsSampleSeesEveryClassWhereItsFirstImagesSeeTwo(@TempDir Path dir) throws IOException {
        Dataset d = DatasetSpecs.open("folder:" + classOrderedFolder(dir, 10, 12), DataOptions.defaults());
        Task task = Tasks.resolve("multiclass", d);
        ImageSplit train = d.split(Split.TRAIN);
        // the first 20 train images: the split keeps class order, so they hold two classes (the old sampling)
        TreeSet<Integer> first = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            first.add(Math.round(task.target(train.labels(i))[0]));
        }
        assertThat(first).hasSizeLessThanOrEqualTo(2);
        SubsetSplit sample = SubsetSplit.stratified(train, task, 20, 0);
        assertThat(sample.size()).isEqualTo(20);
        assertThat(SubsetSplit.classes(sample, task)).isEqualTo(10);
        int[] perClass = new int[10];
        for (int i = 0; i < sample.size(); i++) {
            perClass[Math.round(task.target(sample.labels(i))[0])]++;
        }
        // equal classes, 20 images: one each, then 10 x (share 0.1) -> 2 each
        assertThat(perClass).containsOnly(2);
        // seeded: the same draw again, another draw with another seed
        SubsetSplit again = SubsetSplit.stratified(train, task, 20, 0);
        SubsetSplit other = SubsetSplit.stratified(train, task, 20, 1);
        boolean same = true;
        boolean differs = false;
        for (int i = 0; i < 20; i++) {
            same &= java.util.Arrays.equals(sample.image(i).pixels(), again.image(i).pixels());
            differs |= !java.util.Arrays.equals(sample.image(i).pixels(), other.image(i).pixels());
        }
        assertThat(same).isTrue();
        assertThat(differs).isTrue();
        // asking for more than there is: every labelled image
        assertThat(SubsetSplit.stratified(train, task, 10_000, 0).size()).isEqualTo(train.size());
    }
}
