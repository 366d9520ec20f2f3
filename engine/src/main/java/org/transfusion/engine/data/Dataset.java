package org.transfusion.engine.data;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An opened dataset: its spec, what its labels mean, its three splits, and its identity for provenance
 * (files, sizes, checksums) so a run records exactly which data it saw.
 *
 * @param defaultTask the task used when none is given (e.g. {@code grade} for retina grades)
 */
public record Dataset(String spec, String name, LabelSchema labels, Map<Split, ImageSplit> splits,
                      Map<String, Object> identity, String defaultTask) {

    public Dataset {
        for (Split s : Split.values()) {
            if (!splits.containsKey(s)) {
                throw new IllegalArgumentException(spec + ": missing split " + s.id());
            }
        }
        splits = new EnumMap<>(splits);
        identity = new LinkedHashMap<>(identity);
    }

    public ImageSplit split(Split s) {
        return splits.get(s);
    }

    /** Sizes per split, e.g. {train=1080, val=120, test=400}. */
    public Map<String, Integer> sizes() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            out.put(s.id(), splits.get(s).size());
        }
        return out;
    }

    /** The same dataset with one split replaced (used for training-set subsampling). */
    public Dataset withSplit(Split which, ImageSplit replacement, String note) {
        Map<Split, ImageSplit> copy = new EnumMap<>(splits);
        copy.put(which, replacement);
        Map<String, Object> id = new LinkedHashMap<>(identity);
        id.put(which.id() + "_subset", note);
        return new Dataset(spec, name, labels, copy, id, defaultTask);
    }
}
