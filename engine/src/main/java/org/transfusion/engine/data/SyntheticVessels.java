package org.transfusion.engine.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.transfusion.error.BadInputException;

/**
 * {@code synthetic:retina-vessels[?n=60&size=64&seed=S]}: the fundus photographs of {@code synthetic:retina}
 * ({@link SyntheticRetina}, with their lesions) and, for each, its vessel mask (1 where the drawing of a vessel
 * touched a pixel, the thinnest branches and grade-4 new vessels included) and its field of view (the fundus
 * disc: pixels whose centre lies inside it). In memory, for the offline demo and CPU tests: {@code n} images
 * (default 60, 10 to 100,000), {@code size} px (default 64, 16 to 512); the first 70% train, the next 10% val,
 * the last 20% test. Image {@code i} depends only on the seed and {@code i}.
 */
final class SyntheticVessels {
    static final String NAME = "retina-vessels";

    private SyntheticVessels() {}

    static SegmentationDataset open(String spec, String argument, DataOptions options, int classes) {
        SpecQuery q = SpecQuery.parse(spec, argument, List.of("n", "size", "seed"),
                "synthetic:" + NAME + "?n=60&size=64");
        if (!q.head().equals(NAME)) {
            throw new BadInputException("unknown synthetic segmentation dataset '" + q.head() + "' in '" + spec
                    + "' (expected synthetic:" + NAME + ")");
        }
        if (classes != 2) {
            throw new BadInputException("'" + spec + "' has 2 classes (background, vessel), but " + classes
                    + " were declared (expected --classes 2)");
        }
        int n = q.intValue("n", 60, 10, 100_000);
        int size = q.intValue("size", 64, 16, 512);
        long seed = q.longValue("seed", options.seed());
        long pixels = (long) size * size;
        if (pixels * 3 * n > Integer.MAX_VALUE - 8) {
            throw new BadInputException("'" + spec + "' asks for " + n + " images of " + size + " px, more than fits "
                    + "in one 2 GB block; lower n or size");
        }
        byte[][] images = new byte[n][];
        byte[][] masks = new byte[n][];
        byte[][] fovs = new byte[n][];
        SplittableRandom root = SeededSplits.random(seed, "synthetic:" + NAME);
        Canvas canvas = new Canvas(size);
        MessageDigest md = sha256();
        for (int i = 0; i < n; i++) {
            SplittableRandom rng = root.split(); // image i depends on (seed, i) only
            masks[i] = new byte[(int) pixels];
            fovs[i] = new byte[(int) pixels];
            SyntheticRetina.draw(canvas, SyntheticRetina.drawGrade(rng), rng, masks[i], fovs[i]);
            images[i] = new byte[(int) pixels * 3];
            canvas.toBytes(images[i], 0);
            md.update(images[i]);
            md.update(masks[i]);
            md.update(fovs[i]);
        }
        int nTrain = (int) Math.round(0.7 * n);
        int nVal = (int) Math.round(0.1 * n);
        int[] start = {0, nTrain, nTrain + nVal, n};
        Map<Split, SegmentationSplit> splits = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            splits.put(s, new Memory(images, masks, fovs, start[s.ordinal()], start[s.ordinal() + 1], size));
        }
        String fovRule = "given: the drawn fundus disc (pixel centres inside it)";
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("generator", "synthetic:" + NAME + " v1");
        identity.put("n", n);
        identity.put("size", size);
        identity.put("seed", seed);
        identity.put("sha256", HexFormat.of().formatHex(md.digest()));
        identity.put("split", "by position: 70/10/20");
        identity.put("fov", fovRule);
        return new SegmentationDataset(spec, "synthetic-" + NAME, SegmentationFolders.VESSEL_CLASSES, splits,
                identity, fovRule);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Items {@code from} to {@code to} of the generated arrays; immutable, copies handed out. */
    private record Memory(byte[][] images, byte[][] masks, byte[][] fovs, int from, int to, int side)
            implements SegmentationSplit {
        @Override
        public int size() {
            return to - from;
        }

        @Override
        public String name(int i) {
            return String.format(java.util.Locale.ROOT, "%s-%05d", NAME, from + i);
        }

        @Override
        public Image image(int i) {
            return new Image(side, side, 3, images[from + i].clone());
        }

        @Override
        public SegmentationSample sample(int i) {
            return new SegmentationSample(name(i), image(i), masks[from + i].clone(), fovs[from + i].clone());
        }
    }
}
