package org.transfusion.engine.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.data.BatchLoader;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.Taps;
import org.transfusion.error.BadInputException;

/**
 * Reads hidden activations of named layers while a network runs in inference mode over a split.
 *
 * <p>Memory is bounded by the sample, not the split: each layer keeps at most {@code maxPoints} rows of its
 * channel count, so a probe holds at most {@code 8 * maxPoints * sum(channels of the layers)} bytes, whatever the
 * number of images or the map sizes. A conv layer's map {@code (N, C, H, W)} is folded to rows of C values:
 * {@code flatten} takes spatial positions as data points (the paper's convention), spread evenly over the images
 * with positions drawn from a stream seeded by (seed, image, map size) only, so two networks probed on the same
 * inputs sample the same positions; {@code pool} averages each map over space (one row per image).
 */
public final class ActivationProbe {
    public enum Fold { FLATTEN, POOL;
        public static Fold parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "flatten" -> FLATTEN;
                case "pool" -> POOL;
                default -> throw new BadInputException("unknown --conv '" + s + "' (expected flatten or pool)");
            };
        }
    }

    private ActivationProbe() {}

    /**
     * @param images    images to use from the loader's split (in order; all when larger than the split)
     * @param maxPoints rows kept per layer
     */
    public static Map<String, LayerActivations> collect(Network net, BatchLoader loader, int images,
                                                        List<String> layers, int maxPoints, Fold fold, long seed) {
        List<String> valid = net.architecture().layers();
        for (String layer : layers) {
            if (!valid.contains(layer)) {
                throw new BadInputException("unknown layer '" + layer + "' for " + net.architecture().name()
                        + " (valid: " + String.join(", ", valid) + ")");
            }
        }
        Map<String, Sampler> samplers = new LinkedHashMap<>();
        for (String layer : layers) {
            samplers.put(layer, new Sampler(layer, maxPoints, images, fold, seed));
        }
        int seen = 0;
        BatchArrays arrays = new BatchArrays();
        try (BatchLoader.Prefetcher batches = loader.prefetch(0, loader.batchesPerEpoch())) {
            for (Batch b; seen < images && (b = batches.next()) != null; ) {
                final int offset = seen;
                final int use = Math.min(b.count(), images - seen);
                try (NDManager step = net.manager().newSubManager()) {
                    NDArray x = arrays.images(step, b);
                    net.forward(x, false, new Taps() {
                        @Override
                        public boolean wants(String layer) {
                            return samplers.containsKey(layer);
                        }

                        @Override
                        public void tap(String layer, NDArray activation) {
                            samplers.get(layer).add(activation, offset, use);
                        }
                    });
                }
                seen += use;
            }
        }
        Map<String, LayerActivations> out = new LinkedHashMap<>();
        samplers.forEach((k, v) -> out.put(k, v.result()));
        return out;
    }

    /** Keeps a seeded sample of one layer's rows. */
    private static final class Sampler {
        private final String layer;
        private final int maxPoints;
        private final int totalImages;
        private final Fold fold;
        private final long seed;
        private final List<double[]> rows = new ArrayList<>();
        private int channels = -1;
        private int height = 1;
        private int width = 1;
        private int images;

        Sampler(String layer, int maxPoints, int totalImages, Fold fold, long seed) {
            this.layer = layer;
            this.maxPoints = maxPoints;
            this.totalImages = totalImages;
            this.fold = fold;
            this.seed = seed;
        }

        void add(NDArray activation, int firstImage, int count) {
            long[] shape = activation.getShape().getShape();
            channels = (int) shape[1];
            if (shape.length == 4) {
                height = (int) shape[2];
                width = (int) shape[3];
            }
            int plane = height * width;
            float[] values = activation.toFloatArray(); // (B, C, H, W) or (B, C)
            int perImage;
            if (shape.length == 2 || fold == Fold.POOL) {
                perImage = 1;
            } else {
                perImage = Math.max(1, Math.min(plane, (maxPoints + totalImages - 1) / totalImages));
            }
            for (int b = 0; b < count && rows.size() < maxPoints; b++) {
                images++;
                int base = b * channels * plane;
                if (perImage == 1 && (shape.length == 2 || fold == Fold.POOL)) {
                    double[] row = new double[channels];
                    for (int c = 0; c < channels; c++) {
                        double s = 0;
                        for (int p = 0; p < plane; p++) {
                            s += values[base + c * plane + p];
                        }
                        row[c] = s / plane;
                    }
                    rows.add(row);
                    continue;
                }
                int[] positions = positions(firstImage + b, plane, perImage);
                for (int p : positions) {
                    if (rows.size() >= maxPoints) {
                        break;
                    }
                    double[] row = new double[channels];
                    for (int c = 0; c < channels; c++) {
                        row[c] = values[base + c * plane + p];
                    }
                    rows.add(row);
                }
            }
        }

        /** {@code k} distinct positions of a map, from a stream of (seed, image, map size) only. */
        private int[] positions(int image, int plane, int k) {
            if (k >= plane) {
                int[] all = new int[plane];
                for (int i = 0; i < plane; i++) {
                    all[i] = i;
                }
                return all;
            }
            SplittableRandom rng = Seeds.random(seed, "probe/" + image + "/" + height + "x" + width);
            int[] idx = new int[plane];
            for (int i = 0; i < plane; i++) {
                idx[i] = i;
            }
            for (int i = 0; i < k; i++) {
                int j = i + rng.nextInt(plane - i);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            return java.util.Arrays.copyOf(idx, k);
        }

        LayerActivations result() {
            double[] flat = new double[rows.size() * Math.max(channels, 0)];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(rows.get(i), 0, flat, i * channels, channels);
            }
            boolean pooled = fold == Fold.POOL;
            return new LayerActivations(layer, rows.size(), channels, flat, images, pooled ? 1 : height,
                    pooled ? 1 : width);
        }
    }
}
