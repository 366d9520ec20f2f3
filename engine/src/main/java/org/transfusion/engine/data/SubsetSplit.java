package org.transfusion.engine.data;

import java.util.List;
import java.util.SplittableRandom;

/** A view of some images of a split, by index (seeded subsets for the small-data experiments). */
public final class SubsetSplit implements ImageSplit {
    private final ImageSplit base;
    private final int[] indices;

    public SubsetSplit(ImageSplit base, int[] indices) {
        this.base = base;
        this.indices = indices.clone();
    }

    /** {@code n} images drawn without replacement with {@code rng} (all of them when n >= size). */
    public static ImageSplit sample(ImageSplit base, int n, SplittableRandom rng) {
        int size = base.size();
        if (n >= size) {
            return base;
        }
        int[] chosen = draw(java.util.stream.IntStream.range(0, size).toArray(), n, rng);
        java.util.Arrays.sort(chosen);
        return new SubsetSplit(base, chosen);
    }

    /** The first {@code k} of a partial Fisher-Yates shuffle of {@code pool} (shuffled in place) by {@code rng}. */
    static int[] draw(int[] pool, int k, SplittableRandom rng) {
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(pool.length - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return java.util.Arrays.copyOf(pool, k);
    }

    /**
     * {@code n} images of {@code base} stratified by class (a single-label {@code task}'s class of each image), for
     * a probe that must see every class whatever order the split keeps its images in (ImageNet and folder splits
     * are ordered by class, so their first n images hold a few classes): each class gets its share of {@code n}
     * (floor of n x its share, then the largest remainders), and at least one image while {@code n} reaches the
     * number of classes (fewer: {@code n} classes drawn); within a class the images are drawn without replacement.
     * Images whose label is unknown are left out. Every draw comes from one stream seeded by {@code seed}, so the
     * same split, task, n and seed give the same images. All the labelled images when n reaches their number.
     */
    public static SubsetSplit stratified(ImageSplit base, Task task, int n, long seed) {
        java.util.TreeMap<Integer, List<Integer>> byClass = byClass(base, task);
        int known = byClass.values().stream().mapToInt(List::size).sum();
        SplittableRandom rng = new SplittableRandom(seed);
        int[] counts = byClass.values().stream().mapToInt(List::size).toArray();
        int[] quota = allocate(counts, Math.min(n, known), rng);
        List<Integer> chosen = new java.util.ArrayList<>();
        int c = 0;
        for (List<Integer> members : byClass.values()) {
            for (int i : draw(members.stream().mapToInt(Integer::intValue).toArray(), quota[c], rng)) {
                chosen.add(i);
            }
            c++;
        }
        return new SubsetSplit(base, chosen.stream().mapToInt(Integer::intValue).sorted().toArray());
    }

    /** The number of distinct classes among the labelled images of {@code split} under {@code task}. */
    public static int classes(ImageSplit split, Task task) {
        return byClass(split, task).size();
    }

    /** Image indices by class (a single-label task's target), in class order; unknown labels left out. */
    private static java.util.TreeMap<Integer, List<Integer>> byClass(ImageSplit split, Task task) {
        java.util.TreeMap<Integer, List<Integer>> out = new java.util.TreeMap<>();
        for (int i = 0; i < split.size(); i++) {
            float y = task.target(split.labels(i))[0];
            if (!Float.isNaN(y)) {
                out.computeIfAbsent(Math.round(y), k -> new java.util.ArrayList<>()).add(i);
            }
        }
        return out;
    }

    /**
     * How many of {@code n} go to each class of sizes {@code counts}: at least one each while n reaches the number of
     * classes (else n classes drawn with {@code rng}, one each), the rest by share (floors, then the largest
     * remainders, ties to the lower class), never more than a class has.
     */
    static int[] allocate(int[] counts, int n, SplittableRandom rng) {
        int k = counts.length;
        int[] quota = new int[k];
        if (n < k) {
            for (int c : draw(java.util.stream.IntStream.range(0, k).toArray(), n, rng)) {
                quota[c] = 1;
            }
            return quota;
        }
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        int left = n;
        for (int i = 0; i < k; i++) {
            quota[i] = 1;
            left--;
        }
        // the rest by each class's share of what it has beyond its first image
        long rest = total - k;
        double[] remainder = new double[k];
        int given = 0;
        for (int i = 0; i < k && rest > 0; i++) {
            double exact = (double) left * (counts[i] - 1) / rest;
            int floor = (int) Math.floor(exact);
            quota[i] += floor;
            given += floor;
            remainder[i] = exact - floor;
        }
        for (int extra = left - given; extra > 0; extra--) {
            int best = -1;
            for (int i = 0; i < k; i++) {
                if (quota[i] < counts[i] && (best < 0 || remainder[i] > remainder[best])) {
                    best = i;
                }
            }
            quota[best]++;
            remainder[best] = -1;
        }
        return quota;
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Image image(int i) {
        return base.image(indices[i]);
    }

    @Override
    public float[] labels(int i) {
        return base.labels(indices[i]);
    }

    @Override
    public String patientId(int i) {
        return base.patientId(indices[i]);
    }
}
