package org.transfusion.similarity;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Chooses which data points to keep when there are too many. The choice depends only on the number of rows,
 * the number wanted and the seed, so two activation files with the same rows get the same subset.
 */
final class RowSampler {

    private RowSampler() {}

    /** {@code wanted} distinct indices out of {@code total}, ascending; all of them when there are not more. */
    static long[] choose(long total, int wanted, long seed) {
        if (wanted <= 0 || total <= wanted) {
            long[] all = new long[(int) Math.min(total, Integer.MAX_VALUE)];
            Arrays.setAll(all, i -> i);
            return all;
        }
        // Floyd's algorithm: exactly `wanted` draws, memory proportional to the sample, not the population.
        SplittableRandom random = new SplittableRandom(seed);
        Set<Long> chosen = new HashSet<>(wanted * 2);
        for (long j = total - wanted; j < total; j++) {
            long t = random.nextLong(j + 1);
            chosen.add(chosen.contains(t) ? j : t);
        }
        long[] out = chosen.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(out);
        return out;
    }
}
