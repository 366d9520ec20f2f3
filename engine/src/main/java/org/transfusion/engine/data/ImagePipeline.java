package org.transfusion.engine.data;

import java.util.SplittableRandom;

/**
 * Turns a decoded {@link Image} into the model's input: channel adaptation (grey replicated to RGB, or RGB to
 * luminance for a 1-channel model), resize to {@code size x size} (bilinear when upscaling; when downscaling the mean
 * of samples spread over each output pixel's footprint, an area filter, so that large images are not aliased),
 * scaling to [0, 1],
 * per-channel normalisation {@code (v - mean) / std}, and, for training, {@link Augment} folded into the same
 * sampling pass (one inverse affine map per image, so augmentation costs no extra copies).
 *
 * <p>Output layout is CHW float32, written into a caller's buffer (the batch) at an offset.
 */
public record ImagePipeline(int size, int channels, float[] mean, float[] std, Augment augment) {
    /** Most samples per axis an output pixel averages when downscaling (8 x 8 = 64 from a 512 px image to 64 px). */
    static final int MAX_TAPS = 8;

    public ImagePipeline {
        if (size < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + size);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("model channels must be 1 or 3, got " + channels);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean/std need " + channels + " values");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** ImageNet statistics, the convention of torchvision's pretrained weights. */
    public static ImagePipeline imagenet(int size, int channels, Augment augment) {
        return of(Normalisation.IMAGENET, size, channels, augment);
    }

    /** The normalisation a model's pretrained weights expect (its model card's), for {@code channels} inputs. */
    public static ImagePipeline of(Normalisation normalisation, int size, int channels, Augment augment) {
        return new ImagePipeline(size, channels, normalisation.mean(channels), normalisation.std(channels), augment);
    }

    public ImagePipeline withAugment(Augment a) {
        return new ImagePipeline(size, channels, mean, std, a);
    }

    public int valuesPerImage() {
        return channels * size * size;
    }

    /**
     * Writes image {@code img} into {@code out[offset .. offset + channels*size*size)}. {@code rng} draws the
     * augmentation; it is unused when augmentation is off.
     */
    public void apply(Image img, SplittableRandom rng, float[] out, int offset) {
        int h = img.height();
        int w = img.width();
        // Inverse map: output pixel centre (u, v) in [0, size) -> source (x, y).
        double side = Math.min(h, w);
        double cx = w / 2.0;
        double cy = h / 2.0;
        double angle = 0;
        boolean flip = false;
        if (!augment.isNone()) {
            double scale = augment.minScale() + (1 - augment.minScale()) * rng.nextDouble();
            side = Math.sqrt(scale) * Math.min(h, w);
            cx = side / 2 + (w - side) * rng.nextDouble();
            cy = side / 2 + (h - side) * rng.nextDouble();
            angle = Math.toRadians(augment.maxRotationDegrees() * (2 * rng.nextDouble() - 1));
            flip = augment.flip() && rng.nextBoolean();
        } else if (h != w) {
            side = Math.min(h, w); // centre square crop keeps the aspect ratio, like a centre crop for eval
        }
        double step = side / size;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        int srcC = img.channels();
        byte[] px = img.pixels();
        int plane = size * size;
        float[] value = new float[3];
        float[] tap = new float[3];
        // Source pixels per output pixel along each axis, rounded up: 1 when upscaling (bilinear), up to MAX_TAPS.
        int taps = (int) Math.min(MAX_TAPS, Math.max(1, Math.ceil(step - 1e-9)));
        boolean identity = angle == 0 && !flip && h == size && w == size && side == size;
        for (int v = 0; v < size; v++) {
            for (int u = 0; u < size; u++) {
                int o = v * size + u;
                if (identity) {
                    readPixel(px, (v * w + u) * srcC, srcC, value);
                } else if (taps == 1) {
                    double du = ((flip ? size - 1 - u : u) + 0.5) * step - side / 2;
                    double dv = (v + 0.5) * step - side / 2;
                    double x = cx + cos * du - sin * dv - 0.5;
                    double y = cy + sin * du + cos * dv - 0.5;
                    sample(px, h, w, srcC, x, y, value);
                } else {
                    // Downscaling: the mean of taps x taps samples spread evenly over the output pixel's footprint
                    // (at integer ratios exactly the source pixels it covers: an area filter), not one sample at
                    // its centre, which aliases fine detail (vessels, lung markings) into noise.
                    value[0] = value[1] = value[2] = 0;
                    for (int j = 0; j < taps; j++) {
                        double dv = (v + (j + 0.5) / taps) * step - side / 2;
                        for (int i = 0; i < taps; i++) {
                            double du = ((flip ? size - 1 - u : u) + (i + 0.5) / taps) * step - side / 2;
                            double x = cx + cos * du - sin * dv - 0.5;
                            double y = cy + sin * du + cos * dv - 0.5;
                            sample(px, h, w, srcC, x, y, tap);
                            for (int c = 0; c < srcC; c++) {
                                value[c] += tap[c];
                            }
                        }
                    }
                    for (int c = 0; c < srcC; c++) {
                        value[c] /= taps * taps;
                    }
                }
                if (channels == 3) {
                    for (int c = 0; c < 3; c++) {
                        float vc = srcC == 3 ? value[c] : value[0];
                        out[offset + c * plane + o] = (vc / 255f - mean[c]) / std[c];
                    }
                } else {
                    float grey = srcC == 3 ? 0.299f * value[0] + 0.587f * value[1] + 0.114f * value[2] : value[0];
                    out[offset + o] = (grey / 255f - mean[0]) / std[0];
                }
            }
        }
    }

    private static void readPixel(byte[] px, int at, int srcC, float[] value) {
        for (int c = 0; c < srcC; c++) {
            value[c] = px[at + c] & 0xff;
        }
    }

    /** Bilinear sample at (x, y) in pixel coordinates; outside the image reads as black. */
    private static void sample(byte[] px, int h, int w, int srcC, double x, double y, float[] value) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        float fx = (float) (x - x0);
        float fy = (float) (y - y0);
        for (int c = 0; c < srcC; c++) {
            float a = at(px, h, w, srcC, x0, y0, c);
            float b = at(px, h, w, srcC, x0 + 1, y0, c);
            float d = at(px, h, w, srcC, x0, y0 + 1, c);
            float e = at(px, h, w, srcC, x0 + 1, y0 + 1, c);
            value[c] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
        }
    }

    private static float at(byte[] px, int h, int w, int srcC, int x, int y, int c) {
        if (x < 0 || y < 0 || x >= w || y >= h) {
            // Clamp by one pixel so downscaling does not darken the border, black beyond (rotation corners).
            if (x < -1 || y < -1 || x > w || y > h) {
                return 0f;
            }
            x = Math.min(Math.max(x, 0), w - 1);
            y = Math.min(Math.max(y, 0), h - 1);
        }
        return px[(y * w + x) * srcC + c] & 0xff;
    }
}
