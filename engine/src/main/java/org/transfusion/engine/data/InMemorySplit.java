package org.transfusion.engine.data;

/**
 * A split held in memory as one uint8 block of equally sized images (MedMNIST, CIFAR, the NIH npz, synthetic
 * data). {@link #image(int)} copies one image out; the block itself is never copied.
 */
public final class InMemorySplit implements ImageSplit {
    private final byte[] pixels;
    private final int offset;
    private final int count;
    private final int height;
    private final int width;
    private final int channels;
    private final float[][] labels;
    private final String[] patients;

    /**
     * @param pixels  uint8 images, count x height x width x channels, starting at {@code offset} images in
     * @param labels  one raw label vector per image
     * @param patients patient ids per image, or null
     */
    public InMemorySplit(byte[] pixels, int offset, int count, int height, int width, int channels,
                         float[][] labels, String[] patients) {
        if (labels.length != count) {
            throw new IllegalArgumentException(labels.length + " labels for " + count + " images");
        }
        this.pixels = pixels;
        this.offset = offset;
        this.count = count;
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.labels = labels;
        this.patients = patients;
    }

    /** A split of the images at the given indices of a larger block (used for seeded patient-level splits). */
    public static InMemorySplit subset(byte[] pixels, int height, int width, int channels, int[] indices,
                                       float[][] allLabels, String[] allPatients) {
        int size = height * width * channels;
        byte[] out = new byte[indices.length * size];
        float[][] labels = new float[indices.length][];
        String[] patients = allPatients == null ? null : new String[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * size, out, k * size, size);
            labels[k] = allLabels[indices[k]];
            if (patients != null) {
                patients[k] = allPatients[indices[k]];
            }
        }
        return new InMemorySplit(out, 0, indices.length, height, width, channels, labels, patients);
    }

    @Override
    public int size() {
        return count;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    @Override
    public Image image(int i) {
        int size = height * width * channels;
        byte[] out = new byte[size];
        System.arraycopy(pixels, (offset + i) * size, out, 0, size);
        return new Image(height, width, channels, out);
    }

    @Override
    public float[] labels(int i) {
        return labels[i];
    }

    @Override
    public String patientId(int i) {
        return patients == null ? null : patients[i];
    }
}
