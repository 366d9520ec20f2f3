package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImagePipelineTest {
    private static final float[] ZERO = {0f};
    private static final float[] ONE = {1f};

    @Test
    void greyIsReplicatedToThreeChannelsWithPerChannelNormalisation() {
        Image grey = new Image(2, 2, 1, new byte[] {0, (byte) 255, (byte) 128, 64});
        ImagePipeline p = ImagePipeline.imagenet(2, 3, Augment.NONE);
        float[] out = new float[p.valuesPerImage()];
        p.apply(grey, new SplittableRandom(0), out, 0);
        // ImageNet statistics: (v / 255 - mean[c]) / std[c], mean 0.485/0.456/0.406, std 0.229/0.224/0.225.
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        int[] values = {0, 255, 128, 64};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 4; i++) {
                assertThat(out[c * 4 + i]).isCloseTo((values[i] / 255f - mean[c]) / std[c], within(1e-6f));
            }
        }
        // Hand-checked: white in the red channel is (1 - 0.485) / 0.229 = 2.2489; black is -0.485 / 0.229 = -2.1179.
        assertThat(out[1]).isCloseTo(2.2489f, within(1e-4f));
        assertThat(out[0]).isCloseTo(-2.1179f, within(1e-4f));
    }

    @Test
    void rgbToOneChannelUsesLuminance() {
        Image rgb = new Image(1, 1, 3, new byte[] {(byte) 200, 100, 50});
        ImagePipeline p = new ImagePipeline(1, 1, ZERO, ONE, Augment.NONE);
        float[] out = new float[1];
        p.apply(rgb, new SplittableRandom(0), out, 0);
        // 0.299 * 200 + 0.587 * 100 + 0.114 * 50 = 124.2
        assertThat(out[0] * 255f).isCloseTo(124.2f, within(1e-3f));
    }

    @Test
    void downscalingALinearGradientSamplesItExactly() {
        // 8x8, value 32 * x. Output pixel u of 4 has its centre at source x = 2u + 0.5, where the gradient is 64u + 16.
        Image img = gradient(8, 8, 32);
        float[] out = resize(img, 4);
        for (int v = 0; v < 4; v++) {
            for (int u = 0; u < 4; u++) {
                assertThat(out[v * 4 + u] * 255f).isCloseTo(64f * u + 16f, within(1e-3f));
            }
        }
    }

    /**
     * Downscaling by an integer factor is an area filter: each output pixel is the mean of the source block it
     * covers, computed here by plain loops over the block. One bilinear sample at the centre would read only the
     * block's middle four pixels (aliasing).
     */
    @Test
    void downscalingAveragesEachOutputPixelsBlock() {
        Image img = randomImage(64, 1, 9);
        float[] out = resize(img, 8);
        byte[] px = img.pixels();
        for (int v = 0; v < 8; v++) {
            for (int u = 0; u < 8; u++) {
                double sum = 0;
                for (int y = 8 * v; y < 8 * v + 8; y++) {
                    for (int x = 8 * u; x < 8 * u + 8; x++) {
                        sum += px[y * 64 + x] & 0xff;
                    }
                }
                assertThat(out[v * 8 + u] * 255.0).as("(%d, %d)", v, u).isCloseTo(sum / 64, within(1e-3));
            }
        }
        // 64 -> 4 needs 16 x 16 per pixel: capped at 8 x 8 samples, at source positions 2 apart (16 / 8): still
        // within 2 grey levels of the block mean for a smooth image (the gradient 4 * x: block mean 4 * (16u + 7.5))
        float[] smooth = resize(gradient(64, 64, 4), 4);
        for (int u = 0; u < 4; u++) {
            assertThat(smooth[u] * 255.0).isCloseTo(4 * (16 * u + 7.5), within(2.0));
        }
    }

    @Test
    void upscalingInterpolatesAndClampsAtTheBorder() {
        // 4x4, value 64 * x. Output pixel u of 8 centres at source x = u / 2 - 0.25: u=3 -> 1.25 -> 80; the ends
        // fall outside the first and last pixel centres and clamp to 0 and 192.
        float[] out = resize(gradient(4, 4, 64), 8);
        assertThat(out[0] * 255f).isCloseTo(0f, within(1e-3f));
        assertThat(out[3] * 255f).isCloseTo(80f, within(1e-3f));
        assertThat(out[4] * 255f).isCloseTo(112f, within(1e-3f));
        assertThat(out[7] * 255f).isCloseTo(192f, within(1e-3f));
    }

    @Test
    void nonSquareImagesAreCentreCroppedNotStretched() {
        // 4 rows x 8 columns, value 10 * x: the centre 4x4 square is columns 2..5.
        float[] out = resize(gradient(4, 8, 10), 4);
        assertThat(out[0] * 255f).isCloseTo(20f, within(1e-3f));
        assertThat(out[3] * 255f).isCloseTo(50f, within(1e-3f));
    }

    @Test
    void augmentationIsDeterministicForASeed() {
        Image img = randomImage(32, 3, 1);
        ImagePipeline p = new ImagePipeline(24, 3, new float[] {0, 0, 0}, new float[] {1, 1, 1}, Augment.DEFAULT);
        float[] a = new float[p.valuesPerImage()];
        float[] b = new float[p.valuesPerImage()];
        float[] c = new float[p.valuesPerImage()];
        p.apply(img, new SplittableRandom(77), a, 0);
        p.apply(img, new SplittableRandom(77), b, 0);
        p.apply(img, new SplittableRandom(78), c, 0);
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void flipReallyMirrorsTheImage() {
        // Flip only (full-size crop, no rotation): each seed gives either the image or its exact mirror.
        Image img = randomImage(16, 1, 2);
        ImagePipeline p = new ImagePipeline(16, 1, ZERO, ONE, new Augment(true, 1.0, 0.0));
        float[] plain = resize(img, 16);
        float[] mirror = new float[plain.length];
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                mirror[y * 16 + x] = plain[y * 16 + 15 - x];
            }
        }
        int flipped = 0;
        for (int seed = 0; seed < 20; seed++) {
            float[] out = new float[256];
            p.apply(img, new SplittableRandom(seed), out, 0);
            if (Arrays.equals(out, mirror)) {
                flipped++;
            } else {
                assertThat(out).isEqualTo(plain);
            }
        }
        // Probability 1/2 each: 20 seeds all equal would be a 1 in 500,000 chance for a fair coin.
        assertThat(flipped).isBetween(1, 19);
    }

    @Test
    void outputIsWrittenAtTheOffset() {
        ImagePipeline p = new ImagePipeline(2, 1, ZERO, ONE, Augment.NONE);
        float[] out = new float[10];
        Arrays.fill(out, -1f);
        byte[] white = {(byte) 255, (byte) 255, (byte) 255, (byte) 255};
        p.apply(new Image(2, 2, 1, white), new SplittableRandom(0), out, 3);
        assertThat(out).containsExactly(-1f, -1f, -1f, 1f, 1f, 1f, 1f, -1f, -1f, -1f);
    }

    private static float[] resize(Image img, int size) {
        ImagePipeline p = new ImagePipeline(size, 1, ZERO, ONE, Augment.NONE);
        float[] out = new float[p.valuesPerImage()];
        p.apply(img, new SplittableRandom(0), out, 0);
        return out;
    }

    /** Grey image whose pixel (y, x) is {@code step * x}. */
    private static Image gradient(int h, int w, int step) {
        byte[] px = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (byte) (step * x);
            }
        }
        return new Image(h, w, 1, px);
    }

    private static Image randomImage(int side, int channels, long seed) {
        byte[] px = new byte[side * side * channels];
        new java.util.Random(seed).nextBytes(px);
        return new Image(side, side, channels, px);
    }
}
