package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeededSplitsTest {

    @Test
    void everyPatientLandsInExactlyOneSplitAndImageFractionsAreNear70_10_20() {
        // 100 patients with 1..5 images each (patient p has p % 5 + 1): 300 images.
        String[] groups = new String[300];
        int k = 0;
        for (int p = 0; p < 100; p++) {
            for (int i = 0; i <= p % 5; i++) {
                groups[k++] = "p" + p;
            }
        }
        int[] assign = SeededSplits.byGroup(groups, SeededSplits.TRAIN_VAL_TEST, 42, "test");
        for (int i = 1; i < groups.length; i++) {
            if (groups[i].equals(groups[i - 1])) {
                assertThat(assign[i]).isEqualTo(assign[i - 1]);
            }
        }
        // Cumulative targets 210 (train) and 240 (train + val) images; each is overshot by less than one patient
        // (0..4 images), so train is 210..214, val 240-214..244-210 = 26..34, test 300-244..300-240 = 56..60.
        assertThat(SeededSplits.indices(assign, 0).length).isBetween(210, 214);
        assertThat(SeededSplits.indices(assign, 1).length).isBetween(26, 34);
        assertThat(SeededSplits.indices(assign, 2).length).isBetween(56, 60);
    }

    @Test
    void threePatientsStillFillThreeSplits() {
        int[] assign = SeededSplits.byGroup(new String[] {"a", "a", "a", "a", "b", "c"}, SeededSplits.TRAIN_VAL_TEST,
                0, "test");
        assertThat(Arrays.stream(assign).distinct().sorted().toArray()).containsExactly(0, 1, 2);
    }

    @Test
    void sameSeedSameSplitAndOtherSeedOrStreamDiffers() {
        String[] groups = new String[200];
        Arrays.setAll(groups, i -> "p" + i);
        int[] a = SeededSplits.byGroup(groups, SeededSplits.TRAIN_VAL_TEST, 5, "x");
        assertThat(SeededSplits.byGroup(groups, SeededSplits.TRAIN_VAL_TEST, 5, "x")).isEqualTo(a);
        assertThat(SeededSplits.byGroup(groups, SeededSplits.TRAIN_VAL_TEST, 6, "x")).isNotEqualTo(a);
        assertThat(SeededSplits.byGroup(groups, SeededSplits.TRAIN_VAL_TEST, 5, "y")).isNotEqualTo(a);
    }

    @Test
    void stratifiedKeepsEachClassBalanceAndFillsValFromTinyClasses() {
        // 10 classes x 5 items, 90/10: per class 4.5 / 0.5, so rounding per class alone would leave val empty;
        // left-overs alternate so val gets 5 items (10% of 50), at most one per class.
        int[] classes = new int[50];
        Arrays.setAll(classes, i -> i % 10);
        int[] assign = SeededSplits.stratified(classes, new double[] {0.9, 0.1}, 1, "s");
        int[] val = SeededSplits.indices(assign, 1);
        assertThat(val).hasSize(5);
        assertThat(Arrays.stream(val).map(i -> classes[i]).distinct().count()).isEqualTo(5);

        // 3 classes x 100 items, 70/10/20: exactly 70/10/20 of each class.
        int[] big = new int[300];
        Arrays.setAll(big, i -> i / 100);
        int[] b = SeededSplits.stratified(big, SeededSplits.TRAIN_VAL_TEST, 1, "s");
        for (int c = 0; c < 3; c++) {
            int[] perSplit = new int[3];
            for (int i = c * 100; i < (c + 1) * 100; i++) {
                perSplit[b[i]]++;
            }
            assertThat(perSplit).containsExactly(70, 10, 20);
        }
    }
}
