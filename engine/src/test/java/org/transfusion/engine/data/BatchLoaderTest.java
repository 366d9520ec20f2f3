package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {

    /** 10 grey 4x4 images; image i is filled with value 20 * i and labelled with class i % 5. */
    private static Dataset tenImages() {
        byte[] px = new byte[10 * 16];
        float[][] labels = new float[10][];
        for (int i = 0; i < 10; i++) {
            java.util.Arrays.fill(px, i * 16, (i + 1) * 16, (byte) (20 * i));
            labels[i] = new float[] {i % 5};
        }
        InMemorySplit s = new InMemorySplit(px, 0, 10, 4, 4, 1, labels, null);
        java.util.Map<Split, ImageSplit> splits = new java.util.EnumMap<>(Split.class);
        for (Split sp : Split.values()) {
            splits.put(sp, s);
        }
        return new Dataset("test:ten", "ten", LabelSchema.classes(Tasks.DR_GRADES), splits, java.util.Map.of(), "grade");
    }

    @Test
    void trainingBatchesDependOnlyOnSeedAndIndexAndCoverEachEpochOnce() {
        Dataset d = tenImages();
        Task grade = Tasks.resolve("grade", d);
        ImagePipeline p = new ImagePipeline(4, 1, new float[] {0}, new float[] {1}, Augment.NONE);
        BatchLoader a = new BatchLoader(d.split(Split.TRAIN), grade, p, 5, true, 9);
        BatchLoader b = new BatchLoader(d.split(Split.TRAIN), grade, p, 5, true, 9);
        // Batch 3 computed first by b (cold) equals a's batch 3 after a walked 0..2: resumable by index.
        for (long k = 0; k < 3; k++) {
            a.batch(k);
        }
        assertThat(b.batch(3).images()).isEqualTo(a.batch(3).images());
        // 2 batches of 5 per epoch; epoch 0 shows every image exactly once (first pixel = 20 * i / 255).
        Set<Integer> seen = new HashSet<>();
        for (long k = 0; k < 2; k++) {
            Batch batch = a.batch(k);
            for (int j = 0; j < batch.count(); j++) {
                int i = Math.round(batch.images()[j * 16] * 255f / 20f);
                seen.add(i);
                assertThat(batch.targets()[j]).isEqualTo(i % 5);
            }
        }
        assertThat(seen).hasSize(10);
    }

    @Test
    void prefetchedBatchesEqualDirectOnes() {
        Dataset d = tenImages();
        Task referable = Tasks.resolve("referable", d);
        ImagePipeline p = new ImagePipeline(4, 3, new float[] {0, 0, 0}, new float[] {1, 1, 1}, Augment.DEFAULT);
        BatchLoader loader = new BatchLoader(d.split(Split.TRAIN), referable, p, 4, true, 1);
        try (BatchLoader.Prefetcher pre = loader.prefetch(0, 5)) {
            for (long k = 0; k < 5; k++) {
                Batch got = pre.next();
                assertThat(got.index()).isEqualTo(k);
                assertThat(got.images()).isEqualTo(loader.batch(k).images());
            }
            assertThat(pre.next()).isNull();
        }
    }

    @Test
    void evaluationWalksInOrderAndKeepsTheLastPartialBatch() {
        Dataset d = tenImages();
        ImagePipeline p = new ImagePipeline(4, 1, new float[] {0}, new float[] {1}, Augment.DEFAULT);
        BatchLoader eval = new BatchLoader(d.split(Split.TEST), Tasks.resolve("grade", d), p, 4, false, 0);
        assertThat(eval.batchesPerEpoch()).isEqualTo(3);
        Batch last = eval.batch(2);
        assertThat(last.count()).isEqualTo(2);
        // Images 8 and 9, unaugmented even though the pipeline asked for augmentation.
        assertThat(last.images()[0] * 255f).isCloseTo(160f, org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(last.images()[16] * 255f).isCloseTo(180f, org.assertj.core.data.Offset.offset(1e-3f));
    }

    @Test
    void aLoaderThreadThatFailsWithAnErrorHandsItToTheConsumer() {
        // Once the loader thread died of OutOfMemoryError (a huge image) and training waited ten minutes for a batch.
        InMemorySplit good = (InMemorySplit) tenImages().split(Split.TRAIN);
        ImageSplit failing = new ImageSplit() {
            @Override
            public int size() {
                return good.size();
            }

            @Override
            public Image image(int i) {
                throw new OutOfMemoryError("Java heap space (simulated)");
            }

            @Override
            public float[] labels(int i) {
                return good.labels(i);
            }
        };
        Dataset d = tenImages();
        ImagePipeline p = new ImagePipeline(4, 1, new float[] {0}, new float[] {1}, Augment.NONE);
        BatchLoader loader = new BatchLoader(failing, Tasks.resolve("grade", d), p, 5, true, 9);
        long t0 = System.nanoTime();
        try (BatchLoader.Prefetcher pre = loader.prefetch(0, 2)) {
            assertThatThrownBy(pre::next).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("simulated");
        }
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(5);
    }
}
