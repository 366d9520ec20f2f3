package org.transfusion.engine.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The label balance of a split under a task: for each output, how many images are positive and how many have a
 * known label. For a multiclass task, output c is class c: its positives are the images of class c and every
 * image with a class is known. Class weights ({@code --class-weights auto}) are computed from these.
 */
public record LabelCounts(Task task, long[] positives, long[] known) {

    /** Counts the targets of every image of {@code split}; masked (NaN) labels are not counted as known. */
    public static LabelCounts of(Task task, ImageSplit split) {
        int outputs = task.outputs();
        long[] pos = new long[outputs];
        long[] known = new long[outputs];
        int n = split.size();
        for (int i = 0; i < n; i++) {
            float[] t = task.target(split.labels(i));
            if (task.type() == Task.Type.MULTICLASS) {
                if (Float.isNaN(t[0])) {
                    continue;
                }
                pos[(int) t[0]]++;
                for (int c = 0; c < outputs; c++) {
                    known[c]++;
                }
            } else {
                for (int o = 0; o < outputs; o++) {
                    if (!Float.isNaN(t[o])) {
                        known[o]++;
                        pos[o] += t[o] > 0.5f ? 1 : 0;
                    }
                }
            }
        }
        return new LabelCounts(task, pos, known);
    }

    public long negatives(int output) {
        return known[output] - positives[output];
    }

    /** As run.json records it: per output (class), its positives and negatives (for multiclass: its images). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int o = 0; o < positives.length; o++) {
            String name = task.outputName(o);
            if (task.type() == Task.Type.MULTICLASS) {
                m.put(name, positives[o]);
            } else {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("positive", positives[o]);
                c.put("negative", negatives(o));
                m.put(name, c);
            }
        }
        return m;
    }
}
