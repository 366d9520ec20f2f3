package org.transfusion.engine.data;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened segmentation dataset ({@link SegmentationSpecs}): its spec, class names, three splits, its identity
 * for provenance and resume checks, and how its field of view was obtained.
 *
 * @param classes  class names, index 0 {@code background}; binary: {@code [background, vessel]} or
 *                 {@code [background, foreground]}
 * @param identity files, sizes and a SHA-256 over them, the split rule, the observer, the FOV rule
 * @param fovRule  how the field of view was obtained, e.g. {@code given: mask/ files} or {@code derived: ...}
 */
public record SegmentationDataset(String spec, String name, List<String> classes, Map<Split, SegmentationSplit> splits,
                                  Map<String, Object> identity, String fovRule) {

    public SegmentationDataset {
        for (Split s : Split.values()) {
            if (!splits.containsKey(s)) {
                throw new IllegalArgumentException(spec + ": missing split " + s.id());
            }
        }
        if (classes.size() < 2 || !classes.get(0).equals("background")) {
            throw new IllegalArgumentException(spec + ": classes " + classes + " (expected background first, then at least one)");
        }
        classes = List.copyOf(classes);
        splits = new EnumMap<>(splits);
        identity = new LinkedHashMap<>(identity);
    }

    public SegmentationSplit split(Split s) {
        return splits.get(s);
    }

    /** Sizes per split, e.g. {train=16, val=4, test=20}. */
    public Map<String, Integer> sizes() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            out.put(s.id(), splits.get(s).size());
        }
        return out;
    }

    public int classCount() {
        return classes.size();
    }

    /**
     * The same data as a classification {@link Dataset}: the images only, one dummy label 0 per image, a
     * {@link LabelSchema} of one class named after the dataset, so that the probes (activations for SVCCA/CKA)
     * read its images unchanged. Images are read through {@link SegmentationSplit#image}, without the masks.
     */
    public Dataset asImageDataset() {
        Map<Split, ImageSplit> images = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            SegmentationSplit split = splits.get(s);
            images.put(s, new ImageSplit() {
                @Override
                public int size() {
                    return split.size();
                }

                @Override
                public Image image(int i) {
                    return split.image(i);
                }

                @Override
                public float[] labels(int i) {
                    return new float[] {0};
                }
            });
        }
        return new Dataset(spec, name, LabelSchema.classes(List.of(name)), images, identity, "multiclass");
    }

    /**
     * The images cut into square tiles of {@code side} at their own resolution (the tiles that lie wholly inside
     * an image, row by row; an image smaller than a tile gives one, padded black by the pipeline), as a
     * classification Dataset with one dummy label: what a probe of a segmentation network reads, so that it sees
     * inputs like the patches the network was trained on, never a whole image shrunk to a patch.
     */
    public Dataset asTiles(int side) {
        Map<Split, ImageSplit> tiles = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            SegmentationSplit split = splits.get(s);
            java.util.List<int[]> at = new java.util.ArrayList<>(); // image, y, x
            for (int i = 0; i < split.size(); i++) {
                Image img = split.image(i);
                int rows = Math.max(1, img.height() / side);
                int cols = Math.max(1, img.width() / side);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        at.add(new int[] {i, r * side, c * side});
                    }
                }
            }
            tiles.put(s, new ImageSplit() {
                private int cachedIndex = -1;
                private Image cached;

                @Override
                public int size() {
                    return at.size();
                }

                @Override
                public synchronized Image image(int t) {
                    int[] a = at.get(t);
                    if (a[0] != cachedIndex) {
                        cached = split.image(a[0]);
                        cachedIndex = a[0];
                    }
                    return crop(cached, a[1], a[2], side);
                }

                @Override
                public float[] labels(int t) {
                    return new float[] {0};
                }
            });
        }
        return new Dataset(spec, name, LabelSchema.classes(List.of(name)), tiles, identity, "multiclass");
    }

    /** The {@code side} x {@code side} square at (y0, x0), black where it passes the image's edge. */
    static Image crop(Image img, int y0, int x0, int side) {
        int c = img.channels();
        byte[] out = new byte[side * side * c];
        for (int y = 0; y < side && y0 + y < img.height(); y++) {
            int w = Math.min(side, img.width() - x0);
            System.arraycopy(img.pixels(), ((y0 + y) * img.width() + x0) * c, out, y * side * c, w * c);
        }
        return new Image(side, side, c, out);
    }
}
