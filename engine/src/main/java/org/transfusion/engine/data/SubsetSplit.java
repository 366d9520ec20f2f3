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

    /**
     * The first {@code n} images of a seeded order of {@code base} that spreads every class evenly
     * ({@link SubsetSampling#STRATIFIED}): each class's images are shuffled by {@code rng}; the first image of every
     * class comes first (in a random order of classes), so any n at least the number of classes holds every class;
     * then image r of a class of size m (r &gt;= 1) gets the key (r + u) / m, u uniform in [0, 1), and the order is
     * by key. So the subsets are nested (the same seed's first 100 are part of its first 300) and, whatever n, a
     * class's count differs from n x its share of the split by at most 2 + (number of classes) x its share (the
     * keys below a cut hold, for each class, within one of cut x m of its images). Classes are a single-label task's
     * class of each image (a multi-label task's first finding), images without a known label a stratum of their
     * own, so no image is left out. All of {@code base} when n reaches its size.
     */
    public static ImageSplit nestedStratified(ImageSplit base, Task task, int n, SplittableRandom rng) {
        if (n >= base.size()) {
            return base;
        }
        java.util.TreeMap<Integer, List<Integer>> strata = new java.util.TreeMap<>();
        for (int i = 0; i < base.size(); i++) {
            float y = task.target(base.labels(i))[0];
            strata.computeIfAbsent(Float.isNaN(y) ? -1 : Math.round(y), k -> new java.util.ArrayList<>()).add(i);
        }
        int total = base.size();
        double[] key = new double[total];
        for (List<Integer> members : strata.values()) {
            int[] shuffled = draw(members.stream().mapToInt(Integer::intValue).toArray(), members.size(), rng);
            int m = shuffled.length;
            for (int r = 0; r < m; r++) {
                double u = rng.nextDouble();
                key[shuffled[r]] = r == 0 ? u - 1 : (r + u) / m;
            }
        }
        Integer[] order = java.util.stream.IntStream.range(0, total).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> key[i]));
        int[] chosen = new int[n];
        for (int i = 0; i < n; i++) {
            chosen[i] = order[i];
        }
        java.util.Arrays.sort(chosen);
        return new SubsetSplit(base, chosen);
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
