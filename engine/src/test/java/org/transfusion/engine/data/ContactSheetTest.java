package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContactSheetTest {

    @Test
    void rowsHoldExamplesOfTheirOwnClass() {
        Dataset d = DatasetSpecs.open("synthetic:natural?n=300&size=16", DataOptions.defaults());
        List<ContactSheet.Row> rows = ContactSheet.rows(d, Split.TRAIN, 3, 0);
        assertThat(rows).hasSize(10);
        for (int r = 0; r < rows.size(); r++) {
            assertThat(rows.get(r).caption()).isEqualTo(d.labels().names().get(r));
            assertThat(rows.get(r).indices()).hasSize(3);
            for (int i : rows.get(r).indices()) {
                assertThat(d.split(Split.TRAIN).labels(i)[0]).isEqualTo(r);
            }
        }
        BufferedImage sheet = ContactSheet.render(d, Split.TRAIN, rows, 32);
        // 170 px captions + 3 cells of 32 + 2 px gaps; 22 px title + 10 rows.
        assertThat(sheet.getWidth()).isEqualTo(170 + 3 * 34 + 2);
        assertThat(sheet.getHeight()).isEqualTo(22 + 10 * 34 + 2);
    }

    @Test
    void multiLabelRowsArePerFindingPlusNoFinding() {
        // 4 images: finding 0 only, findings 0 and 1, none, NaN (unknown) for finding 1.
        float[][] labels = {{1, 0}, {1, 1}, {0, 0}, {0, Float.NaN}};
        InMemorySplit s = new InMemorySplit(new byte[4 * 4], 0, 4, 2, 2, 1, labels, null);
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        for (Split sp : Split.values()) {
            splits.put(sp, s);
        }
        Dataset d = new Dataset("t", "t", LabelSchema.multiLabel(List.of("A", "B")), splits, Map.of(), "multilabel");
        List<ContactSheet.Row> rows = ContactSheet.rows(d, Split.TRAIN, 5, 1);
        assertThat(rows).extracting(ContactSheet.Row::caption).containsExactly("A", "B", "no finding");
        assertThat(rows.get(0).indices()).containsExactlyInAnyOrder(0, 1);
        assertThat(rows.get(1).indices()).containsExactly(1);
        // An unknown label is not a positive one: image 3 has no positive finding.
        assertThat(rows.get(2).indices()).containsExactlyInAnyOrder(2, 3);
    }
}
