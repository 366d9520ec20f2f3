package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

/**
 * {@code ?relabel=}: another dataset's labels mapped explicitly onto a study's classes, for external validation
 * (issue 31.5); a label that does not map is refused in one line.
 */
class RelabelTest {
    private static final String RETINA = "synthetic:retina?n=200&size=16&seed=3";

    @Test
    void gradesMapOntoTwoClassesAndEveryImageKeepsItsPixels() {
        Dataset grades = DatasetSpecs.open(RETINA);
        Dataset two = DatasetSpecs.open(RETINA + "&relabel=non-referable:0 no DR+1 mild;referable:other");
        assertThat(two.labels()).isEqualTo(LabelSchema.classes(java.util.List.of("non-referable", "referable")));
        assertThat(two.sizes()).isEqualTo(grades.sizes());
        assertThat(two.identity()).containsEntry("relabel", "non-referable:0 no DR+1 mild;referable:other");
        for (Split s : Split.values()) {
            for (int i = 0; i < grades.split(s).size(); i++) {
                // grade >= 2 is referable (the rule of the task 'referable', Tasks)
                float grade = grades.split(s).labels(i)[0];
                assertThat(two.split(s).labels(i)[0]).isEqualTo(grade >= 2 ? 1f : 0f);
            }
        }
        assertThat(two.split(Split.TEST).image(0).pixels()).isEqualTo(grades.split(Split.TEST).image(0).pixels());
        // the binary task resolves on it, as on data with two classes
        assertThat(Tasks.resolve("binary", two).outputNames()).containsExactly("referable");
    }

    @Test
    void aLabelThatDoesNotMapIsRefusedInOneLine() {
        assertThatThrownBy(() -> DatasetSpecs.open(RETINA + "&relabel=a:0 no DR;b:1 mild"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("relabel: train image").hasMessageContaining("is of no class: map its label to "
                        + "a class, or name a class NAME:other for the rest");
        assertThatThrownBy(() -> DatasetSpecs.open(RETINA + "&relabel=a:Pneumonia;b:other"))
                .hasMessage(RETINA + "&relabel=a:Pneumonia;b:other: relabel: 'Pneumonia' (of class a) is not a label "
                        + "of synthetic:retina?n=200&size=16&seed=3 (its labels: 0 no DR, 1 mild, 2 moderate, 3 severe, "
                        + "4 proliferative)");
        assertThatThrownBy(() -> DatasetSpecs.open(RETINA + "&relabel=a:other"))
                .hasMessageContaining("relabel: expected at least two classes, got 1");
        assertThatThrownBy(() -> DatasetSpecs.open(RETINA + "&relabel=a:other;b:other"))
                .hasMessageContaining("more than one class is 'other'");
        assertThatThrownBy(() -> DatasetSpecs.open(RETINA + "&relabel=a;b:other"))
                .hasMessageContaining("'a' is not NAME:SOURCE[+SOURCE...] or NAME:other");
    }

    @Test
    void nihFindingsBecomeABinaryPneumoniaTask() {
        Path npz = SharedData.file("nih-cxr14/nih1000_cxr14_64.npz");
        Dataset d = DatasetSpecs.open("nih-cxr14:" + npz + "?relabel=normal:other;pneumonia:Pneumonia");
        int positives = 0;
        int total = 0;
        for (Split s : Split.values()) {
            for (int i = 0; i < d.split(s).size(); i++) {
                positives += d.split(s).labels(i)[0] == 1f ? 1 : 0;
                total++;
            }
        }
        // 9 of the 1,000 images have Pneumonia (python3 + numpy: (z['labels'][:, 6] == 1).sum()); with
        // Consolidation as well, 50
        assertThat(total).isEqualTo(1000);
        assertThat(positives).isEqualTo(9);
        Dataset wider = DatasetSpecs.open("nih-cxr14:" + npz + "?relabel=normal:other;pneumonia:Pneumonia+Consolidation");
        int wide = 0;
        for (Split s : Split.values()) {
            for (int i = 0; i < wider.split(s).size(); i++) {
                wide += wider.split(s).labels(i)[0] == 1f ? 1 : 0;
            }
        }
        assertThat(wide).isEqualTo(50);
    }
}
