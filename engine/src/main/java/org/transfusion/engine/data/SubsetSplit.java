package org.transfusion.engine.data;

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
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
            all[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(size - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = java.util.Arrays.copyOf(all, n);
        java.util.Arrays.sort(chosen);
        return new SubsetSplit(base, chosen);
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
