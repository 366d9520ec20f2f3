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

    /** {@code counts[c]} grey 2 x 2 images of class c; image i is filled with value i (so it can be told apart). */
    private static InMemorySplit imbalanced(int... counts) {
        int n = java.util.Arrays.stream(counts).sum();
        byte[] px = new byte[n * 4];
        float[][] labels = new float[n][];
        int i = 0;
        for (int c = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++, i++) {
                java.util.Arrays.fill(px, i * 4, (i + 1) * 4, (byte) i);
                labels[i] = new float[] {c};
            }
        }
        return new InMemorySplit(px, 0, n, 2, 2, 1, labels, null);
    }

    /** How often each image was drawn in batches 0..batches-1 of a balanced loader. */
    private static long[] draws(BatchLoader loader, int images, int batches) {
        long[] drawn = new long[images];
        for (long k = 0; k < batches; k++) {
            Batch b = loader.batch(k);
            for (int j = 0; j < b.count(); j++) {
                drawn[Math.round(b.images()[j * 4] * 255f)]++;
            }
        }
        return drawn;
    }

    @Test
    void aBalancedLoaderDrawsBothClassesOfANineToOneSplitEquallyOften() {
        // 90 negatives (images 0-89), 10 positives (90-99). 2,000 batches of 16 = 32,000 draws with replacement, each
        // positive with probability 1/2 if balanced: the positive count is Binomial(32000, 1/2), standard deviation
        // sqrt(32000 / 4) = 89.4 draws (0.28%); the test allows 4 of them (0.0112 of the share; a balanced sampler
        // fails this once in ~16,000 seeds). Within a class each image is drawn with probability 1/2 x 1/size:
        // a positive image Binomial(32000, 1/20), mean 1600, sd 39; each is allowed 5 sd (195).
        Task binary = new Task("binary", Task.Type.BINARY, java.util.List.of("pos"), raw -> raw);
        ImagePipeline p = new ImagePipeline(2, 1, new float[] {0}, new float[] {1}, Augment.NONE);
        BatchLoader loader = new BatchLoader(imbalanced(90, 10), binary, p, 16, true, 5, Sampler.BALANCED);
        long[] drawn = draws(loader, 100, 2000);
        long positives = java.util.stream.LongStream.of(drawn).skip(90).sum();
        double sd = Math.sqrt(32000 * 0.25);
        assertThat((double) positives).isCloseTo(16000, org.assertj.core.data.Offset.offset(4 * sd));
        double perImageSd = Math.sqrt(32000 * 0.05 * 0.95);
        for (int i = 90; i < 100; i++) {
            assertThat((double) drawn[i]).as("image " + i)
                    .isCloseTo(1600, org.assertj.core.data.Offset.offset(5 * perImageSd));
        }
        // The shuffle of the same split keeps the 9:1 ratio exactly: each epoch shows every image once.
        BatchLoader shuffled = new BatchLoader(imbalanced(90, 10), binary, p, 10, true, 5, Sampler.SHUFFLE);
        long[] once = draws(shuffled, 100, 10);
        assertThat(java.util.stream.LongStream.of(once).allMatch(c -> c == 1)).isTrue();
    }

    @Test
    void aBalancedLoaderDrawsEveryClassOfAMulticlassSplitEquallyOften() {
        // Classes of 60, 30, 10 images (and an empty fourth, never drawn): each present class with probability 1/3.
        // 3,000 batches of 8 = 24,000 draws; a class count is Binomial(24000, 1/3), sd sqrt(24000 * 2/9) = 73;
        // allowed 4 sd.
        Task grade = new Task("grade", Task.Type.MULTICLASS, java.util.List.of("a", "b", "c", "d"), raw -> raw);
        ImagePipeline p = new ImagePipeline(2, 1, new float[] {0}, new float[] {1}, Augment.NONE);
        BatchLoader loader = new BatchLoader(imbalanced(60, 30, 10, 0), grade, p, 8, true, 3, Sampler.BALANCED);
        long[] drawn = draws(loader, 100, 3000);
        long[] perClass = {
            java.util.stream.LongStream.of(drawn).limit(60).sum(),
            java.util.stream.LongStream.of(drawn).skip(60).limit(30).sum(),
            java.util.stream.LongStream.of(drawn).skip(90).sum()};
        double sd = Math.sqrt(24000 * (1.0 / 3) * (2.0 / 3));
        for (long c : perClass) {
            assertThat((double) c).isCloseTo(8000, org.assertj.core.data.Offset.offset(4 * sd));
        }
    }

    @Test
    void balancedBatchesDependOnlyOnSeedAndIndexSoAResumeDrawsTheSame() {
        Task binary = new Task("binary", Task.Type.BINARY, java.util.List.of("pos"), raw -> raw);
        ImagePipeline p = new ImagePipeline(2, 1, new float[] {0}, new float[] {1}, Augment.DEFAULT);
        BatchLoader a = new BatchLoader(imbalanced(90, 10), binary, p, 16, true, 5, Sampler.BALANCED);
        BatchLoader b = new BatchLoader(imbalanced(90, 10), binary, p, 16, true, 5, Sampler.BALANCED);
        for (long k = 0; k < 7; k++) {
            a.batch(k);
        }
        assertThat(b.batch(7).images()).isEqualTo(a.batch(7).images());
        assertThat(b.batch(7).targets()).isEqualTo(a.batch(7).targets());
        assertThat(a.batch(8).images()).isNotEqualTo(a.batch(7).images());
        BatchLoader otherSeed = new BatchLoader(imbalanced(90, 10), binary, p, 16, true, 6, Sampler.BALANCED);
        assertThat(otherSeed.batch(7).images()).isNotEqualTo(a.batch(7).images());
    }

    @Test
    void balancedSamplingOfAMultiLabelTaskIsRefused() {
        Task findings = new Task("chexpert5", Task.Type.MULTILABEL, java.util.List.of("a", "b"), raw -> raw);
        ImagePipeline p = new ImagePipeline(2, 1, new float[] {0}, new float[] {1}, Augment.NONE);
        assertThatThrownBy(() -> new BatchLoader(imbalanced(3, 3), findings, p, 2, true, 1, Sampler.BALANCED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multi-label");
    }
}
