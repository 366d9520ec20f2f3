package org.transfusion.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training batches of a segmentation run: square patches cut at random from the training images with their masks
 * and fields of view, as nnU-Net and MONAI's {@code RandCropByPosNegLabel} draw them. A share of the patches
 * ({@link #FOREGROUND_SHARE}) is centred on a foreground pixel, so that thin structures are seen often; the others
 * anywhere in the image. Each patch is then flipped, turned by a multiple of 90 degrees and given a brightness and
 * contrast jitter (when augmentation is on). Parts of a patch beyond the image read as the normalisation's mean
 * (zero after normalising) and lie outside the field of view, so they count for nothing.
 *
 * <p>A batch depends only on the run's seed and its index, never on what was drawn before, so a resumed run sees the
 * batches an uninterrupted one does. Thread-safe: each call draws from its own generator.
 */
public final class PatchSampler {
    /** Patches centred on a foreground pixel: one in three, nnU-Net's oversampling share. */
    public static final double FOREGROUND_SHARE = 1.0 / 3.0;
    /** Brightness and contrast jitter: a gain in [1 - J, 1 + J] and an offset in [-J, J] of the intensity range. */
    public static final double JITTER = 0.1;

    /** A batch: the images (as {@link Batch}, CHW per patch), and per pixel its class and field of view. */
    public record Patches(Batch batch, byte[] classes, byte[] fov) {}

    private final List<SegmentationSample> images = new ArrayList<>();
    private final List<int[]> foreground = new ArrayList<>();
    private final int channels;
    private final float[] mean;
    private final float[] std;
    private final int patch;
    private final int batchSize;
    private final long seed;
    private final boolean augment;
    private final long pixels;

    public PatchSampler(SegmentationSplit train, int channels, float[] mean, float[] std, int patch, int batchSize,
                        long seed, boolean augment) {
        long total = 0;
        for (int i = 0; i < train.size(); i++) {
            SegmentationSample s = train.sample(i);
            images.add(s);
            byte[] m = s.mask();
            byte[] f = s.fov();
            int count = 0;
            for (int p = 0; p < m.length; p++) {
                if (m[p] != 0 && f[p] != 0) {
                    count++;
                }
            }
            int[] at = new int[count];
            int k = 0;
            for (int p = 0; p < m.length; p++) {
                if (m[p] != 0 && f[p] != 0) {
                    at[k++] = p;
                }
            }
            foreground.add(at);
            total += (long) s.image().height() * s.image().width();
        }
        this.channels = channels;
        this.mean = mean.clone();
        this.std = std.clone();
        this.patch = patch;
        this.batchSize = batchSize;
        this.seed = seed;
        this.augment = augment;
        this.pixels = total;
    }

    /** Batches in an epoch: as many patches as cover the training images' area once, in batches. */
    public int batchesPerEpoch() {
        long patches = (pixels + (long) patch * patch - 1) / ((long) patch * patch);
        return (int) Math.max(1, (patches + batchSize - 1) / batchSize);
    }

    public int patch() {
        return patch;
    }

    /** Batch number {@code index} of the run. */
    public Patches batch(long index) {
        SplittableRandom rng = new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L));
        int plane = patch * patch;
        float[] x = new float[batchSize * channels * plane];
        byte[] cls = new byte[batchSize * plane];
        byte[] fov = new byte[batchSize * plane];
        for (int b = 0; b < batchSize; b++) {
            int i = rng.nextInt(images.size());
            SegmentationSample s = images.get(i);
            int h = s.image().height();
            int w = s.image().width();
            int[] fg = foreground.get(i);
            int cy;
            int cx;
            if (fg.length > 0 && rng.nextDouble() < FOREGROUND_SHARE) {
                int p = fg[rng.nextInt(fg.length)];
                cy = p / w;
                cx = p % w;
            } else {
                cy = rng.nextInt(h);
                cx = rng.nextInt(w);
            }
            boolean flipX = augment && rng.nextBoolean();
            boolean flipY = augment && rng.nextBoolean();
            int turns = augment ? rng.nextInt(4) : 0;
            float gain = augment ? (float) (1 - JITTER + 2 * JITTER * rng.nextDouble()) : 1f;
            float offset = augment ? (float) (JITTER * (2 * rng.nextDouble() - 1)) : 0f;
            cut(s, cy - patch / 2, cx - patch / 2, flipX, flipY, turns, gain, offset, x, b * channels * plane,
                    cls, fov, b * plane);
        }
        return new Patches(new Batch(index, batchSize, channels, patch, x, new float[0], 0), cls, fov);
    }

    /**
     * Writes the patch whose top-left corner is at (y0, x0) of {@code s} into the outputs, each output pixel (v, u)
     * read from the source pixel it maps to under the flips and quarter turns.
     */
    private void cut(SegmentationSample s, int y0, int x0, boolean flipX, boolean flipY, int turns, float gain,
                     float offset, float[] x, int xAt, byte[] cls, byte[] fov, int mAt) {
        Image img = s.image();
        int h = img.height();
        int w = img.width();
        int srcC = img.channels();
        byte[] px = img.pixels();
        byte[] mask = s.mask();
        byte[] f = s.fov();
        int plane = patch * patch;
        int last = patch - 1;
        for (int v = 0; v < patch; v++) {
            for (int u = 0; u < patch; u++) {
                // output (v, u) -> patch coordinates (py, px) by undoing the turns, then the flips
                int pv = v;
                int pu = u;
                for (int t = 0; t < turns; t++) {
                    int nv = pu;
                    pu = last - pv;
                    pv = nv;
                }
                if (flipX) {
                    pu = last - pu;
                }
                if (flipY) {
                    pv = last - pv;
                }
                int sy = y0 + pv;
                int sx = x0 + pu;
                int o = v * patch + u;
                if (sy < 0 || sx < 0 || sy >= h || sx >= w) {
                    for (int c = 0; c < channels; c++) {
                        x[xAt + c * plane + o] = 0f;
                    }
                    cls[mAt + o] = 0;
                    fov[mAt + o] = 0;
                    continue;
                }
                int at = sy * w + sx;
                cls[mAt + o] = mask[at];
                fov[mAt + o] = f[at];
                int base = at * srcC;
                if (channels == 3) {
                    for (int c = 0; c < 3; c++) {
                        float value = (px[base + (srcC == 3 ? c : 0)] & 0xff) / 255f * gain + offset;
                        x[xAt + c * plane + o] = (value - mean[c]) / std[c];
                    }
                } else {
                    float grey = srcC == 3
                            ? 0.299f * (px[base] & 0xff) + 0.587f * (px[base + 1] & 0xff) + 0.114f * (px[base + 2] & 0xff)
                            : px[base] & 0xff;
                    x[xAt + o] = (grey / 255f * gain + offset - mean[0]) / std[0];
                }
            }
        }
    }

    /**
     * A whole image normalised as the patches are (no augmentation), CHW in {@code channels}; the input of
     * sliding-window inference.
     */
    public static float[] normalised(Image img, int channels, float[] mean, float[] std) {
        int h = img.height();
        int w = img.width();
        int plane = h * w;
        int srcC = img.channels();
        byte[] px = img.pixels();
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            int base = p * srcC;
            if (channels == 3) {
                for (int c = 0; c < 3; c++) {
                    out[c * plane + p] = ((px[base + (srcC == 3 ? c : 0)] & 0xff) / 255f - mean[c]) / std[c];
                }
            } else {
                float grey = srcC == 3
                        ? 0.299f * (px[base] & 0xff) + 0.587f * (px[base + 1] & 0xff) + 0.114f * (px[base + 2] & 0xff)
                        : px[base] & 0xff;
                out[p] = (grey / 255f - mean[0]) / std[0];
            }
        }
        return out;
    }
}
