package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.transfusion.error.BadInputException;

/** {@code synthetic:retina-vessels}: seeded fundus images whose vessel masks mark what the vessel drawing touched. */
class SyntheticVesselsTest {
    private static final DataOptions SEED_0 = DataOptions.defaults().withSeed(0);

    @Test
    void splitsSeventyTenTwentyAtSixtyFourPixelsByDefault() {
        SegmentationDataset d = SegmentationSpecs.open("synthetic:retina-vessels", SEED_0, 2);
        assertThat(d.sizes()).containsEntry("train", 42).containsEntry("val", 6).containsEntry("test", 12);
        assertThat(d.classes()).containsExactly("background", "vessel");
        SegmentationSample s = d.split(Split.TEST).sample(0);
        assertThat(s.name()).isEqualTo("retina-vessels-00048");
        assertThat(s.image().width()).isEqualTo(64);
        assertThat(s.image().channels()).isEqualTo(3);
        assertThat(d.identity()).containsEntry("n", 60).containsEntry("size", 64).containsEntry("seed", 0L);
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOthers() {
        SegmentationDataset a = SegmentationSpecs.open("synthetic:retina-vessels?n=10&size=32", SEED_0, 2);
        SegmentationDataset b = SegmentationSpecs.open("synthetic:retina-vessels?n=10&size=32", SEED_0, 2);
        SegmentationDataset c = SegmentationSpecs.open("synthetic:retina-vessels?n=10&size=32&seed=1", SEED_0, 2);
        assertThat(a.identity().get("sha256")).isEqualTo(b.identity().get("sha256"))
                .isNotEqualTo(c.identity().get("sha256"));
        assertThat(a.split(Split.TRAIN).sample(3).mask()).isEqualTo(b.split(Split.TRAIN).sample(3).mask());
    }

    @Test
    void recordingTheMaskLeavesThePhotographUnchanged() {
        // synthetic:retina draws through the same method: its pixels must not depend on whether a mask is kept.
        for (long seed = 0; seed < 5; seed++) {
            Canvas plain = new Canvas(64);
            Canvas masked = new Canvas(64);
            SyntheticRetina.draw(plain, 4, new SplittableRandom(seed));
            SyntheticRetina.draw(masked, 4, new SplittableRandom(seed), new byte[64 * 64], new byte[64 * 64]);
            byte[] p = new byte[64 * 64 * 3];
            byte[] m = new byte[64 * 64 * 3];
            plain.toBytes(p, 0);
            masked.toBytes(m, 0);
            assertThat(m).isEqualTo(p);
        }
    }

    @Test
    void vesselPixelsAreDarkerThanTheFundusAroundThemAndLieInTheDisc() {
        SegmentationDataset d = SegmentationSpecs.open("synthetic:retina-vessels?n=20&size=128", SEED_0, 2);
        SegmentationSplit train = d.split(Split.TRAIN);
        for (int i = 0; i < train.size(); i++) {
            SegmentationSample s = train.sample(i);
            long vessel = 0;
            long vesselInFov = 0;
            long fov = 0;
            double vesselGreen = 0;
            double otherGreen = 0;
            for (int p = 0; p < s.mask().length; p++) {
                int green = s.image().pixels()[3 * p + 1] & 0xff;
                fov += s.fov()[p];
                if (s.mask()[p] == 1) {
                    vessel++;
                    vesselInFov += s.fov()[p];
                    vesselGreen += green;
                } else if (s.fov()[p] == 1) {
                    otherGreen += green;
                }
            }
            // The disc's radius is 0.45 of the side (+-3% sd): pi * 0.45^2 = 64% of the image.
            assertThat(fov / (128.0 * 128)).isBetween(0.5, 0.75);
            // Vessels stop at 0.95 of the radius, their widest touched reach is under 2 px beyond that.
            assertThat(vesselInFov).isEqualTo(vessel);
            // DRIVE's vessels cover about 12% of its field of view; the drawing here is sparser but of that order.
            assertThat(vessel / (double) fov).as("vessel share of the FOV, image %d", i).isBetween(0.03, 0.35);
            // Vessels are painted at 30-75% of the fundus colour: on average darker than the rest of the disc,
            // which also holds the bright optic disc.
            assertThat(vesselGreen / vessel).isLessThan(otherGreen / (fov - vesselInFov));
        }
    }

    @Test
    void refusals() {
        assertThatThrownBy(() -> SegmentationSpecs.open("synthetic:retina-vessels?depth=3", SEED_0, 2))
                .isInstanceOf(BadInputException.class).hasMessageContaining("unknown option 'depth'");
        assertThatThrownBy(() -> SegmentationSpecs.open("synthetic:retina-vessels?n=5", SEED_0, 2))
                .isInstanceOf(BadInputException.class).hasMessageContaining("n=5").hasMessageContaining("10 to");
        assertThatThrownBy(() -> SegmentationSpecs.open("synthetic:retina-vessels", SEED_0, 3))
                .isInstanceOf(BadInputException.class).hasMessageContaining("3 were declared");
        assertThatThrownBy(() -> SegmentationSpecs.open("synthetic:retina", SEED_0, 2))
                .isInstanceOf(BadInputException.class).hasMessageContaining("not segmentation data");
    }
}
