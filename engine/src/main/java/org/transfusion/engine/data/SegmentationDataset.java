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
}
