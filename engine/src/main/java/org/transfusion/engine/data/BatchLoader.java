package org.transfusion.engine.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches of one split, deterministic in (seed, batch index): training batches walk a fresh seeded
 * permutation each epoch and drop the last incomplete batch, or, with {@link Sampler#BALANCED}, draw each image
 * by picking a class uniformly and then one of its images uniformly (with replacement; an epoch is as many draws
 * as the split has images); evaluation batches walk the split in order and keep it. Because batch {@code k}
 * depends only on the seed and {@code k}, a resumed run sees exactly the batches an uninterrupted one would.
 *
 * <p>{@link #prefetch} builds batches on a background thread so decoding and augmentation overlap the
 * training step; {@link Prefetcher#waitNanos} tells how long the trainer had to wait.
 */
public final class BatchLoader {
    private final ImageSplit split;
    private final Task task;
    private final ImagePipeline pipeline;
    private final int batchSize;
    private final boolean training;
    private final long seed;
    /** Balanced sampling: the images of each class that has any (null when shuffling or evaluating). */
    private final int[][] byClass;
    private int[] permutation;
    private long permutationEpoch = -1;

    public BatchLoader(ImageSplit split, Task task, ImagePipeline pipeline, int batchSize, boolean training,
                       long seed) {
        this(split, task, pipeline, batchSize, training, seed, Sampler.SHUFFLE);
    }

    /** A loader whose training batches are drawn by {@code sampler} (evaluation ignores it: in order). */
    public BatchLoader(ImageSplit split, Task task, ImagePipeline pipeline, int batchSize, boolean training,
                       long seed, Sampler sampler) {
        if (split.size() == 0) {
            throw new IllegalArgumentException("empty split");
        }
        this.split = split;
        this.task = task;
        this.pipeline = training ? pipeline : pipeline.withAugment(Augment.NONE);
        this.batchSize = batchSize;
        this.training = training;
        this.seed = seed;
        this.byClass = training && sampler == Sampler.BALANCED ? imagesByClass(split, task) : null;
    }

    /**
     * The images of each class (binary: negative, positive; multiclass: by index), classes without images left out,
     * images with a masked label too (they carry no loss).
     */
    static int[][] imagesByClass(ImageSplit split, Task task) {
        if (task.type() == Task.Type.MULTILABEL) {
            throw new IllegalArgumentException("balanced sampling needs one class per image; task '" + task.name()
                    + "' is multi-label");
        }
        int classes = task.type() == Task.Type.BINARY ? 2 : task.outputs();
        int[] count = new int[classes];
        int[] classOf = new int[split.size()];
        for (int i = 0; i < classOf.length; i++) {
            float t = task.target(split.labels(i))[0];
            classOf[i] = Float.isNaN(t) ? -1 : task.type() == Task.Type.BINARY ? (t > 0.5f ? 1 : 0) : (int) t;
            if (classOf[i] >= 0) {
                count[classOf[i]]++;
            }
        }
        int[][] members = new int[classes][];
        for (int c = 0; c < classes; c++) {
            members[c] = new int[count[c]];
        }
        int[] filled = new int[classes];
        for (int i = 0; i < classOf.length; i++) {
            if (classOf[i] >= 0) {
                members[classOf[i]][filled[classOf[i]]++] = i;
            }
        }
        int[][] present = Arrays.stream(members).filter(m -> m.length > 0).toArray(int[][]::new);
        if (present.length == 0) {
            throw new IllegalArgumentException("balanced sampling: no training image has a known label");
        }
        return present;
    }

    public int batchesPerEpoch() {
        int n = split.size();
        if (training) {
            return Math.max(1, n / batchSize);
        }
        return (n + batchSize - 1) / batchSize;
    }

    public ImagePipeline pipeline() {
        return pipeline;
    }

    /** Builds batch {@code k} (global: epoch = k / batchesPerEpoch). */
    public Batch batch(long k) {
        int perEpoch = batchesPerEpoch();
        long epoch = k / perEpoch;
        int within = (int) (k % perEpoch);
        int n = split.size();
        int start = within * batchSize;
        int count = Math.min(batchSize, n - start);
        int[] order = training && byClass == null ? permutation(epoch) : null;
        // Balanced draws: one stream per batch, from which each draw also splits off its augmentation's stream (an
        // image drawn twice in an epoch is augmented differently).
        SplittableRandom draws = byClass != null ? new SplittableRandom(mix(seed, k, -2)) : null;
        int per = pipeline.valuesPerImage();
        int tw = task.targetWidth();
        float[] images = new float[count * per];
        float[] targets = new float[count * tw];
        for (int b = 0; b < count; b++) {
            int i;
            SplittableRandom rng;
            if (draws != null) {
                int[] members = byClass[draws.nextInt(byClass.length)];
                i = members[draws.nextInt(members.length)];
                rng = draws.split();
            } else {
                i = order == null ? start + b : order[start + b];
                rng = new SplittableRandom(mix(seed, epoch, i));
            }
            pipeline.apply(split.image(i), rng, images, b * per);
            float[] t = task.target(split.labels(i));
            System.arraycopy(t, 0, targets, b * tw, tw);
        }
        return new Batch(k, count, pipeline.channels(), pipeline.size(), images, targets, tw);
    }

    private synchronized int[] permutation(long epoch) {
        if (epoch != permutationEpoch) {
            int n = split.size();
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            SplittableRandom rng = new SplittableRandom(mix(seed, epoch, -1));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            permutation = p;
            permutationEpoch = epoch;
        }
        return permutation;
    }

    private static long mix(long seed, long epoch, long index) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        h *= 0xD6E8FEB86659FD93L;
        return h ^ (h >>> 32);
    }

    /** Starts a background thread building batches {@code from} (inclusive) to {@code to} (exclusive). */
    public Prefetcher prefetch(long from, long to) {
        return new Prefetcher(this, from, to);
    }

    /** Batches built ahead on a daemon thread; close it to stop the thread early. */
    public static final class Prefetcher implements AutoCloseable {
        private static final Batch END = new Batch(-1, 0, 0, 0, new float[0], new float[0], 0);
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(3);
        private final Thread thread;
        private long waitNanos;

        Prefetcher(BatchLoader loader, long from, long to) {
            thread = new Thread(() -> {
                try {
                    for (long k = from; k < to; k++) {
                        queue.put(loader.batch(k));
                    }
                    queue.put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    // handed to the consumer, which rethrows it: a loader thread that died silently (out of
                    // memory on one huge image) once left training waiting for a batch that never came
                    try {
                        queue.put(e);
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, "transfusion-loader");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * The next batch, or null after the last one. Rethrows a reader's exception (e.g. an unreadable image) or
         * error (e.g. out of memory) rather than waiting for a thread that has stopped.
         */
        public Batch next() {
            long t0 = System.nanoTime();
            Object item;
            try {
                item = queue.poll(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            }
            waitNanos += System.nanoTime() - t0;
            if (item == null) {
                throw new IllegalStateException("no batch after 10 minutes: the loader thread is stuck");
            }
            if (item instanceof RuntimeException e) {
                throw e;
            }
            if (item instanceof Error e) {
                throw e;
            }
            return item == END ? null : (Batch) item;
        }

        /** Total time the consumer spent blocked in {@link #next()}. */
        public long waitNanos() {
            return waitNanos;
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }
}
