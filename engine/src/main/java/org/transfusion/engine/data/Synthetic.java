package org.transfusion.engine.data;

import java.nio.charset.StandardCharsets;
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
 * {@code synthetic:NAME[?OPTIONS]}: procedural datasets generated in memory, for the offline demo and tests.
 *
 * <ul>
 *   <li>{@code synthetic:retina}: fundus-like RGB photographs with DR grade 0-4 ({@link SyntheticRetina});
 *       default task {@code grade}, {@code referable} works too.</li>
 *   <li>{@code synthetic:natural}: 10 classes of shapes x surfaces on clutter, a pretraining source
 *       ({@link SyntheticNatural}); default task {@code multiclass}.</li>
 * </ul>
 * Options, {@code &}-separated after {@code ?}: {@code n} images in total (default 2000 retina, 5000 natural;
 * at least 10), {@code size} side in pixels (default 64, 16-512), {@code seed} (default: the data seed of the
 * run). Example: {@code synthetic:retina?n=2000&size=64}. The first 70% of the images are train, the next 10%
 * val, the last 20% test (images are drawn independently, so a cut by position is a random split). Image
 * {@code i} depends only on the seed and {@code i}: the same seed gives the same bytes.
 */
public final class Synthetic {
    public static final List<String> NAMES = List.of("retina", "natural");

    private Synthetic() {}

    public static Dataset open(String spec, String argument, DataOptions options) {
        int q = argument.indexOf('?');
        String name = (q < 0 ? argument : argument.substring(0, q)).trim();
        if (!NAMES.contains(name)) {
            throw new BadInputException("unknown synthetic dataset '" + name + "' in '" + spec + "' (expected "
                    + String.join(" or ", NAMES) + ")");
        }
        boolean retina = name.equals("retina");
        int n = retina ? 2000 : 5000;
        int size = 64;
        long seed = options.seed();
        if (q >= 0) {
            for (String pair : argument.substring(q + 1).split("&")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
                String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
                switch (key) {
                    case "n" -> n = intOption(spec, key, value, 10, 1_000_000);
                    case "size" -> size = intOption(spec, key, value, 16, 512);
                    case "seed" -> seed = longOption(spec, key, value);
                    default -> throw new BadInputException("unknown option '" + key + "' in '" + spec
                            + "' (expected n, size or seed, e.g. synthetic:" + name + "?n=2000&size=64)");
                }
            }
        }
        long bytesPerImage = (long) size * size * 3;
        if (bytesPerImage * n > Integer.MAX_VALUE - 8) {
            throw new BadInputException("'" + spec + "' asks for " + n + " images of " + size + " px, more than fits "
                    + "in one 2 GB block; lower n or size");
        }

        byte[] pixels = new byte[(int) (bytesPerImage * n)];
        float[][] labels = new float[n][];
        SplittableRandom root = SeededSplits.random(seed, "synthetic:" + name);
        Canvas canvas = new Canvas(size);
        for (int i = 0; i < n; i++) {
            SplittableRandom rng = root.split(); // image i depends on (seed, i) only
            int label;
            if (retina) {
                label = SyntheticRetina.drawGrade(rng);
                SyntheticRetina.draw(canvas, label, rng);
            } else {
                label = rng.nextInt(SyntheticNatural.CLASSES.size());
                SyntheticNatural.draw(canvas, label, rng);
            }
            canvas.toBytes(pixels, (int) (i * bytesPerImage));
            labels[i] = new float[] {label};
        }

        int nTrain = (int) Math.round(0.7 * n);
        int nVal = (int) Math.round(0.1 * n);
        int[] start = {0, nTrain, nTrain + nVal, n};
        Map<Split, ImageSplit> splits = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            int from = start[s.ordinal()];
            int to = start[s.ordinal() + 1];
            splits.put(s, new InMemorySplit(pixels, from, to - from, size, size, 3,
                    java.util.Arrays.copyOfRange(labels, from, to), null));
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("generator", "synthetic:" + name + " v1");
        identity.put("n", n);
        identity.put("size", size);
        identity.put("seed", seed);
        identity.put("sha256", digest(pixels, labels));
        List<String> classes = retina ? Tasks.DR_GRADES : SyntheticNatural.CLASSES;
        return new Dataset(spec, "synthetic-" + name, LabelSchema.classes(classes), splits, identity,
                retina ? "grade" : "multiclass");
    }

    private static int intOption(String spec, String key, String value, int min, int max) {
        long v = longOption(spec, key, value);
        if (v < min || v > max) {
            throw new BadInputException("option " + key + "=" + value + " in '" + spec + "' is out of range (expected "
                    + min + " to " + max + ")");
        }
        return (int) v;
    }

    private static long longOption(String spec, String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadInputException("option " + key + "='" + value + "' in '" + spec + "' is not an integer");
        }
    }

    /** SHA-256 over pixels and labels, recorded so two runs can show they trained on identical bytes. */
    private static String digest(byte[] pixels, float[][] labels) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(pixels);
            StringBuilder sb = new StringBuilder();
            for (float[] l : labels) {
                sb.append((int) l[0]).append(',');
            }
            md.update(sb.toString().getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
