package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The practitioner study's training subsets (issue 31.3): stratified by class and nested across sizes, so that a
 * curve of transfer's gain against data size adds images at each size instead of drawing new ones.
 */
class NestedStratifiedTest {
    /** 1,000 images ordered by class (as a folder split keeps them): 700 of class 0, 250 of 1, 40 of 2, 10 of 3. */
    private static final int[] COUNTS = {700, 250, 40, 10};

    private static ImageSplit classOrdered() {
        int n = java.util.Arrays.stream(COUNTS).sum();
        float[][] labels = new float[n][];
        int i = 0;
        for (int c = 0; c < COUNTS.length; c++) {
            for (int k = 0; k < COUNTS[c]; k++) {
                labels[i++] = new float[] {c};
            }
        }
        return new InMemorySplit(new byte[n], 0, n, 1, 1, 1, labels, null);
    }

    private static final Task TASK = new Task("multiclass", Task.Type.MULTICLASS, List.of("a", "b", "c", "d"),
            raw -> new float[] {raw[0]});

    private static Set<Integer> members(ImageSplit subset, ImageSplit base) {
        // The images are distinguishable by identity of their label arrays.
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < subset.size(); i++) {
            float[] l = subset.labels(i);
            for (int j = 0; j < base.size(); j++) {
                if (base.labels(j) == l) {
                    out.add(j);
                }
            }
        }
        return out;
    }

    @Test
    void eachSizeHoldsTheSmallerOnesAndEveryClassItsShare() {
        ImageSplit base = classOrdered();
        Set<Integer> previous = Set.of();
        for (int n : new int[] {4, 10, 30, 100, 300, 999}) {
            ImageSplit s = SubsetSplit.nestedStratified(base, TASK, n, new SplittableRandom(7));
            assertThat(s.size()).isEqualTo(n);
            Set<Integer> now = members(s, base);
            assertThat(now).hasSize(n).containsAll(previous);
            int[] perClass = new int[COUNTS.length];
            for (int i = 0; i < s.size(); i++) {
                perClass[(int) s.labels(i)[0]]++;
            }
            for (int c = 0; c < COUNTS.length; c++) {
                double share = COUNTS[c] / 1000.0;
                // The bound the javadoc derives: 2 + (number of classes) x share; every class from n = 4 (its first
                // image leads the order).
                assertThat(Math.abs(perClass[c] - n * share)).as("class %d at n = %d", c, n)
                        .isLessThanOrEqualTo(2 + COUNTS.length * share);
                assertThat(perClass[c]).isPositive();
            }
            previous = now;
        }
    }

    @Test
    void theSameSeedGivesTheSameImagesAndAnotherSeedOthers() {
        ImageSplit base = classOrdered();
        Set<Integer> a = members(SubsetSplit.nestedStratified(base, TASK, 100, new SplittableRandom(1)), base);
        Set<Integer> again = members(SubsetSplit.nestedStratified(base, TASK, 100, new SplittableRandom(1)), base);
        Set<Integer> other = members(SubsetSplit.nestedStratified(base, TASK, 100, new SplittableRandom(2)), base);
        assertThat(again).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
    }

    @Test
    void theWholeSplitWhenTheSizeReachesIt() {
        ImageSplit base = classOrdered();
        assertThat(SubsetSplit.nestedStratified(base, TASK, 1000, new SplittableRandom(0))).isSameAs(base);
    }
}
