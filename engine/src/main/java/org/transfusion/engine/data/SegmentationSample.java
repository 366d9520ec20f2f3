package org.transfusion.engine.data;

/**
 * One image with its mask and field of view, at the image's stored size.
 *
 * @param name  the image file's stem, e.g. {@code Image_11L} (for synthetic data, {@code retina-vessels-0007})
 * @param image the decoded image, uint8 HWC
 * @param mask  {@code height x width} class ids, row-major, 0 = background
 * @param fov   {@code height x width}, 1 inside the field of view, 0 outside; all 1 when the dataset has none
 */
public record SegmentationSample(String name, Image image, byte[] mask, byte[] fov) {
    public SegmentationSample {
        int n = image.height() * image.width();
        if (mask.length != n || fov.length != n) {
            throw new IllegalArgumentException(name + ": mask " + mask.length + " and fov " + fov.length
                    + " values for a " + image.width() + " x " + image.height() + " image");
        }
    }
}
