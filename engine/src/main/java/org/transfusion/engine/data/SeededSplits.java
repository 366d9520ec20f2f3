package org.transfusion.engine.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Seeded assignment of items to splits for datasets without official ones. Two rules: by group (patient), so
 * no patient's images appear in two splits (images of one patient are correlated; mixing them leaks test
 * information into training), and stratified by class, so each split keeps the class balance.
 *
 * <p>The result depends only on the seed, the stream name and the set of (group/class, item) pairs, not on
 * hash-map order or the machine, so a run can be re-created from its provenance.
 */
public final class SeededSplits {
    /** The conventional 70/10/20 train/val/test fractions used when a dataset has no official split. */
    public static final double[] TRAIN_VAL_TEST = {0.7, 0.1, 0.2};

    private SeededSplits() {}

    /**
     * Assigns each item to a split (index into {@code fractions}) so that all items of a group share a split.
     * Groups are shuffled and then filled in order, each split taking groups until it holds its fraction of the
     * images (not of the patients: some patients have dozens of images).
     */
    public static int[] byGroup(String[] groups, double[] fractions, long seed, String stream) {
        TreeMap<String, List<Integer>> members = new TreeMap<>();
        for (int i = 0; i < groups.length; i++) {
            members.computeIfAbsent(groups[i], g -> new ArrayList<>()).add(i);
        }
        List<String> order = new ArrayList<>(members.keySet());
        shuffle(order, random(seed, stream));
        int[] assign = new int[groups.length];
        double[] cumulative = cumulative(fractions);
        int last = fractions.length - 1;
        int split = 0;
        int placed = 0;
        int inSplit = 0;
        for (int gi = 0; gi < order.size(); gi++) {
            // Move on once this split has its share, or when the groups left are just enough to give every
            // later split one (a tiny dataset still gets three non-empty splits); the last split takes the rest.
            while (split < last && inSplit > 0 && (placed >= Math.round(cumulative[split] * groups.length)
                    || order.size() - gi <= last - split)) {
                split++;
                inSplit = 0;
            }
            List<Integer> items = members.get(order.get(gi));
            for (int i : items) {
                assign[i] = split;
            }
            placed += items.size();
            inSplit++;
        }
        return assign;
    }

    /**
     * Assigns each item to a split so that every class is divided in the given fractions. Each class gets the
     * floor of its share per split; its left-over items go to the split that is relatively furthest below its
     * overall target, so tiny classes (5 images, 10% val) still fill every split across the dataset instead of
     * all rounding into train.
     */
    public static int[] stratified(int[] classes, double[] fractions, long seed, String stream) {
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < classes.length; i++) {
            byClass.computeIfAbsent(classes[i], c -> new ArrayList<>()).add(i);
        }
        SplittableRandom rng = random(seed, stream);
        double total = Arrays.stream(fractions).sum();
        double[] target = new double[fractions.length];
        for (int s = 0; s < fractions.length; s++) {
            target[s] = fractions[s] / total * classes.length;
        }
        int[] assigned = new int[fractions.length];
        int[] assign = new int[classes.length];
        for (List<Integer> items : byClass.values()) {
            shuffle(items, rng);
            int n = items.size();
            int[] quota = new int[fractions.length];
            int left = n;
            for (int s = 0; s < quota.length; s++) {
                quota[s] = (int) Math.floor(fractions[s] / total * n);
                left -= quota[s];
            }
            for (; left > 0; left--) {
                int best = -1;
                double bestDeficit = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < quota.length; s++) {
                    if (target[s] > 0) {
                        double deficit = (target[s] - assigned[s] - quota[s]) / target[s];
                        if (deficit > bestDeficit) {
                            bestDeficit = deficit;
                            best = s;
                        }
                    }
                }
                quota[best]++;
            }
            int k = 0;
            for (int s = 0; s < quota.length; s++) {
                for (int q = 0; q < quota[s]; q++) {
                    assign[items.get(k++)] = s;
                }
                assigned[s] += quota[s];
            }
        }
        return assign;
    }

    /** The item indices assigned to split {@code which}, ascending. */
    public static int[] indices(int[] assign, int which) {
        return java.util.stream.IntStream.range(0, assign.length).filter(i -> assign[i] == which).toArray();
    }

    /**
     * Fails when a split came out empty (too few patients or images for the fractions), naming the source, since
     * training or evaluating on nothing would only fail later with a less helpful message.
     */
    public static void requireEverySplit(int[] assign, String[] splitNames, Object source, String unit) {
        int[] counts = new int[splitNames.length];
        for (int a : assign) {
            counts[a]++;
        }
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] == 0) {
                throw new org.transfusion.error.BadInputException(source + ": too few " + unit + " ("
                        + assign.length + " images) to fill the " + splitNames[k] + " split; need at least one per split");
            }
        }
    }

    /** How many distinct groups there are among the given items (for provenance and messages). */
    public static int distinct(String[] groups, int[] items) {
        Map<String, Boolean> seen = new HashMap<>();
        for (int i : items) {
            seen.put(groups[i], Boolean.TRUE);
        }
        return seen.size();
    }

    /** A random stream for one named purpose, derived from the root seed so purposes do not share draws. */
    static SplittableRandom random(long seed, String stream) {
        long h = seed;
        for (byte b : stream.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return new SplittableRandom(mix(h));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double[] cumulative(double[] fractions) {
        double total = Arrays.stream(fractions).sum();
        double[] c = new double[fractions.length];
        double run = 0;
        for (int i = 0; i < fractions.length; i++) {
            run += fractions[i] / total;
            c[i] = run;
        }
        return c;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
