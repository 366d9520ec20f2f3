package org.transfusion.engine.data;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * A split whose images stay on disk and are decoded when asked for (CheXpert, NIH, EyePACS, folders): the
 * full-resolution datasets do not fit in memory, and the batch loader decodes on its background thread.
 * Immutable, hence safe for concurrent reads.
 */
public final class FileImageSplit implements ImageSplit {
    private final Path[] files;
    /** The frame of each item's file (multi-frame DICOM), or null when every item is its file's first frame. */
    private final int[] frames;
    private final float[][] labels;
    private final String[] patients;
    private final ImageFiles.Mode mode;

    /**
     * @param files    image files, one per item
     * @param labels   raw label vector per item
     * @param patients patient id per item, or null
     * @param mode     channels to decode to
     */
    public FileImageSplit(Path[] files, float[][] labels, String[] patients, ImageFiles.Mode mode) {
        this(files, null, labels, patients, mode);
    }

    /** @param frames the frame of each item's file (from 0), or null for the first of each */
    public FileImageSplit(Path[] files, int[] frames, float[][] labels, String[] patients, ImageFiles.Mode mode) {
        if (files.length != labels.length || (patients != null && patients.length != files.length)
                || (frames != null && frames.length != files.length)) {
            throw new IllegalArgumentException(files.length + " files, " + labels.length + " labels");
        }
        this.files = files;
        this.frames = frames;
        this.labels = labels;
        this.patients = patients;
        this.mode = mode;
    }

    /** The items at {@code indices} (in that order) as a new split sharing this one's arrays' values. */
    /** The three splits by an assignment of every image to a split's ordinal (see {@link SeededSplits}). */
    public Map<Split, ImageSplit> splitBy(int[] assign) {
        Map<Split, ImageSplit> out = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            out.put(s, subset(SeededSplits.indices(assign, s.ordinal())));
        }
        return out;
    }

    public FileImageSplit subset(int[] indices) {
        Path[] f = new Path[indices.length];
        int[] fr = frames == null ? null : new int[indices.length];
        float[][] l = new float[indices.length][];
        String[] p = patients == null ? null : new String[indices.length];
        for (int k = 0; k < indices.length; k++) {
            f[k] = files[indices[k]];
            if (fr != null) {
                fr[k] = frames[indices[k]];
            }
            l[k] = labels[indices[k]];
            if (p != null) {
                p[k] = patients[indices[k]];
            }
        }
        return new FileImageSplit(f, fr, l, p, mode);
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public Image image(int i) {
        return ImageFiles.read(files[i], frame(i), mode);
    }

    @Override
    public float[] labels(int i) {
        return labels[i];
    }

    @Override
    public String patientId(int i) {
        return patients == null ? null : patients[i];
    }

    /** The frame of item {@code i}'s file (from 0; 0 unless the dataset reads every frame of multi-frame files). */
    public int frame(int i) {
        return frames == null ? 0 : frames[i];
    }

    /** The file behind item {@code i} (for error messages and contact-sheet captions). */
    public Path file(int i) {
        return files[i];
    }
}
