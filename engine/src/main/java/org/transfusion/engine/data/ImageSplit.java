package org.transfusion.engine.data;

/**
 * One split of a dataset: images with their raw label vectors. Raw labels follow the dataset's
 * {@link LabelSchema}: one value (the class index) for class-index datasets, one value per finding (1, 0, or
 * NaN when unknown/masked) for multi-label datasets. A {@link Task} turns raw labels into training targets.
 *
 * <p>Implementations are safe for concurrent reads (the loader decodes on a background thread).
 */
public interface ImageSplit {
    int size();

    /** Decoded image {@code i} at its stored size. */
    Image image(int i);

    /** Raw label vector of image {@code i} (length = schema columns). */
    float[] labels(int i);

    /** Patient of image {@code i}, when the dataset knows it (used for patient-level splits). */
    default String patientId(int i) {
        return null;
    }
}
