package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PatchSamplerTest {

    /** One image whose grey value says its mask: 200 where the mask is 1, 40 elsewhere; fov all but a border. */
    private static SegmentationSplit split(int h, int w) {
        byte[] px = new byte[h * w];
        byte[] mask = new byte[h * w];
        byte[] fov = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                // a thin diagonal "vessel" and a block: asymmetric, so a wrong turn or flip would misalign
                mask[i] = (byte) (Math.abs(y - 2 * x / 3) <= 1 || (y < 8 && x > w - 10) ? 1 : 0);
                px[i] = (byte) (mask[i] == 1 ? 200 : 40);
                fov[i] = (byte) (y > 0 && x > 0 ? 1 : 0);
            }
        }
        SegmentationSample s = new SegmentationSample("img", new Image(h, w, 1, px), mask, fov);
        return new SegmentationSplit() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public String name(int i) {
                return "img";
            }

            @Override
            public SegmentationSample sample(int i) {
                return s;
            }
        };
    }

    @Test
    void augmentedPatchesKeepImageAndMaskAligned() {
        // Brightness/contrast jitter moves grey levels by at most 10% gain and 0.1 offset, so a mask pixel (200/255)
        // stays above 0.5 after normalisation by mean 0 std 1 and a background one (40/255) below it.
        PatchSampler sampler = new PatchSampler(split(50, 70), 1, new float[] {0f}, new float[] {1f}, 32, 8, 3, true);
        int checked = 0;
        for (long b = 0; b < 20; b++) {
            PatchSampler.Patches p = sampler.batch(b);
            float[] x = p.batch().images();
            for (int i = 0; i < p.classes().length; i++) {
                if (p.fov()[i] == 0 && p.classes()[i] == 0 && x[i] == 0f) {
                    continue; // outside the image (or on its border row/column): no value
                }
                if (p.fov()[i] != 0) {
                    assertThat(x[i] > 0.5f).as("pixel %d of batch %d", i, b).isEqualTo(p.classes()[i] == 1);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(20 * 8 * 32 * 32 / 2);
    }

    @Test
    void aBatchDependsOnlyOnSeedAndIndex() {
        PatchSampler a = new PatchSampler(split(50, 70), 1, new float[] {0f}, new float[] {1f}, 32, 4, 11, true);
        PatchSampler b = new PatchSampler(split(50, 70), 1, new float[] {0f}, new float[] {1f}, 32, 4, 11, true);
        b.batch(0);
        b.batch(1);
        assertThat(a.batch(5).batch().images()).isEqualTo(b.batch(5).batch().images());
        assertThat(a.batch(5).classes()).isEqualTo(b.batch(5).classes());
        assertThat(a.batch(6).classes()).isNotEqualTo(a.batch(5).classes());
    }

    @Test
    void aboutAThirdOfPatchesAreCentredOnForeground() {
        // The foreground covers ~8% of the image, so a uniform centre lands on it ~8% of the time: with the third
        // drawn on the foreground the share of centre pixels that are foreground is about 1/3 + 2/3 * 0.08 = 0.39.
        SegmentationSplit s = split(60, 90);
        double fgShare = 0;
        SegmentationSample only = s.sample(0);
        for (byte v : only.mask()) {
            fgShare += v;
        }
        fgShare /= only.mask().length;
        PatchSampler sampler = new PatchSampler(s, 1, new float[] {0f}, new float[] {1f}, 32, 16, 5, false);
        int centres = 0;
        int onForeground = 0;
        for (long b = 0; b < 200; b++) {
            PatchSampler.Patches p = sampler.batch(b);
            for (int k = 0; k < 16; k++) {
                centres++;
                onForeground += p.classes()[k * 32 * 32 + 16 * 32 + 16];
            }
        }
        double expected = PatchSampler.FOREGROUND_SHARE + (1 - PatchSampler.FOREGROUND_SHARE) * fgShare;
        // 3,200 centres: the binomial standard error is under 0.01; allow 4 of them
        assertThat((double) onForeground / centres).isBetween(expected - 0.04, expected + 0.04);
    }

    @Test
    void anEpochCoversTheImageAreaOnce() {
        // 50 x 70 = 3500 pixels, patches of 32^2 = 1024: ceil(3500/1024) = 4 patches, in batches of 3: 2 batches
        PatchSampler sampler = new PatchSampler(split(50, 70), 1, new float[] {0f}, new float[] {1f}, 32, 3, 1, false);
        assertThat(sampler.batchesPerEpoch()).isEqualTo(2);
    }
}
