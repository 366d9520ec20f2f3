package org.transfusion.engine.data;

/**
 * One split of a {@link SegmentationDataset}: images with their masks and fields of view. Implementations are
 * safe for concurrent reads (a loader decodes on background threads); they may decode lazily and cache. Every
 * call returns fresh arrays, which the caller may modify.
 */
public interface SegmentationSplit {
    int size();

    /** The name of sample {@code i}: its image file's stem. */
    String name(int i);

    /** Sample {@code i}: image, mask and field of view at the image's stored size. */
    SegmentationSample sample(int i);

    /** The image of sample {@code i} alone; implementations override it to skip reading the mask. */
    default Image image(int i) {
        return sample(i).image();
    }
}
