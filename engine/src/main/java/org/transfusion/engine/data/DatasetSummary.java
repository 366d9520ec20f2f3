package org.transfusion.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a person should see before training on a dataset: images per split, how often each task output is
 * positive per split (class balance, finding prevalence, masked labels), and which image sizes and channel
 * counts occur. Label statistics cover every image (labels are in memory); image shapes come from decoding a
 * spread-out sample, or every image when asked, which also proves each file decodes.
 */
public record DatasetSummary(Dataset data, Task task, List<SplitStats> splits) {

    /** Counts for one task output: positive, negative and masked (unknown) targets. */
    public record OutputStats(String name, long positive, long negative, long masked) {
        /** Positives among labelled images, NaN when none is labelled. */
        public double prevalence() {
            long labelled = positive + negative;
            return labelled == 0 ? Double.NaN : (double) positive / labelled;
        }
    }

    /**
     * @param shapes  {@code HxWxC} to how many checked images had it
     * @param checked how many images were decoded to find the shapes
     */
    public record SplitStats(Split split, int size, List<OutputStats> outputs, Map<String, Integer> shapes,
                             int checked) {}

    /**
     * Summarises {@code data} for {@code task}, decoding up to {@code imagesPerSplit} images per split
     * (evenly spread over the split) to report their shapes; {@code Integer.MAX_VALUE} decodes all.
     */
    public static DatasetSummary of(Dataset data, Task task, int imagesPerSplit) {
        List<SplitStats> out = new ArrayList<>();
        for (Split s : Split.values()) {
            ImageSplit split = data.split(s);
            int outputs = task.outputs();
            long[] pos = new long[outputs];
            long[] neg = new long[outputs];
            long[] masked = new long[outputs];
            for (int i = 0; i < split.size(); i++) {
                float[] t = task.target(split.labels(i));
                if (task.type() == Task.Type.MULTICLASS) {
                    if (Float.isNaN(t[0])) {
                        for (int k = 0; k < outputs; k++) {
                            masked[k]++;
                        }
                    } else {
                        for (int k = 0; k < outputs; k++) {
                            if ((int) t[0] == k) {
                                pos[k]++;
                            } else {
                                neg[k]++;
                            }
                        }
                    }
                } else {
                    for (int k = 0; k < outputs; k++) {
                        if (Float.isNaN(t[k])) {
                            masked[k]++;
                        } else if (t[k] >= 0.5f) {
                            pos[k]++;
                        } else {
                            neg[k]++;
                        }
                    }
                }
            }
            List<OutputStats> stats = new ArrayList<>();
            for (int k = 0; k < outputs; k++) {
                stats.add(new OutputStats(task.outputNames().get(k), pos[k], neg[k], masked[k]));
            }
            Map<String, Integer> shapes = new TreeMap<>();
            int n = split.size();
            int checked = (int) Math.min(n, (long) imagesPerSplit);
            for (int k = 0; k < checked; k++) {
                int i = (int) ((long) k * n / checked);
                Image img = split.image(i);
                shapes.merge(img.height() + "x" + img.width() + "x" + img.channels(), 1, Integer::sum);
            }
            out.add(new SplitStats(s, n, stats, shapes, checked));
        }
        return new DatasetSummary(data, task, out);
    }
}
