package org.transfusion.engine.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.model.Network;

/**
 * Occlusion sensitivity (Zeiler & Fergus, 2014), the model-agnostic check beside {@link GradCam}: a square patch
 * slides over the image, and each pixel's evidence is the mean drop of the explained output's logit over the
 * patch positions that cover it ({@code logit(image) - logit(image with the patch occluded)}). Drops below zero
 * (occluding made the output more likely) count as no evidence; the map is then rescaled to [0, 1] like Grad-CAM's
 * ({@link HeatMap#normalised}).
 *
 * <p>The patch is filled with 0 in the model's normalised input space, which is the normalisation's per-channel
 * mean: the mean colour of the images the normalisation was fitted on (ImageNet's mean for most models, mid-grey
 * for the inception normalisation), not the mean of the image being explained. Every channel is occluded.
 */
public final class Occlusion {
    /** Inputs per forward pass. */
    static final int CHUNK = 32;

    private Occlusion() {}

    /**
     * The patch's side and the step between positions, in input pixels. The positions along each axis are
     * {@code 0, stride, 2 stride, ...} and, when those stop short of the far edge, one more flush with it, so every
     * pixel is covered.
     */
    public record Patch(int size, int stride) {
        public Patch {
            if (size < 1 || stride < 1) {
                throw new IllegalArgumentException("occlusion patch " + size + " px, stride " + stride
                        + " (both must be at least 1)");
            }
        }

        /** A quarter of the image side, moved by half a patch (at 224 px: 56 px patches every 28 px, 7 x 7). */
        public static Patch forSide(int side) {
            int size = Math.max(1, side / 4);
            return new Patch(size, Math.max(1, size / 2));
        }

        /** The patch's first row (or column) at each position along an axis of {@code side} pixels. */
        int[] starts(int side) {
            int last = Math.max(0, side - size);
            List<Integer> out = new ArrayList<>();
            for (int s = 0; s <= last; s += stride) {
                out.add(s);
            }
            if (out.get(out.size() - 1) != last) {
                out.add(last);
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Scores {@code count} model inputs ({@code channels x size x size} each, back to back): one value each. */
    @FunctionalInterface
    public interface Scorer {
        double[] scores(float[] inputs, int count);
    }

    /** One image's occlusion map, with the output it explains and that output's logit on the whole image. */
    public record Result(int output, double score, HeatMap map) {}

    /**
     * The occlusion map of one {@code channels x size x size} input; {@code scorer} gives the explained output's
     * score for a batch (the image itself first, then one occluded copy per patch position).
     */
    public static HeatMap map(float[] image, int channels, int size, Patch patch, Scorer scorer) {
        int per = channels * size * size;
        int plane = size * size;
        int[] starts = patch.starts(size);
        int side = Math.min(patch.size(), size);
        int positions = starts.length * starts.length;
        float[] batch = new float[(positions + 1) * per];
        System.arraycopy(image, 0, batch, 0, per);
        int n = 1;
        for (int top : starts) {
            for (int left : starts) {
                int at = n++ * per;
                System.arraycopy(image, 0, batch, at, per);
                for (int c = 0; c < channels; c++) {
                    for (int y = top; y < top + side; y++) {
                        Arrays.fill(batch, at + c * plane + y * size + left, at + c * plane + y * size + left + side, 0f);
                    }
                }
            }
        }
        double[] scores = scorer.scores(batch, positions + 1);
        double[] sum = new double[plane];
        int[] covered = new int[plane];
        n = 1;
        for (int top : starts) {
            for (int left : starts) {
                double drop = scores[0] - scores[n++];
                for (int y = top; y < top + side; y++) {
                    for (int x = left; x < left + side; x++) {
                        sum[y * size + x] += drop;
                        covered[y * size + x]++;
                    }
                }
            }
        }
        float[] raw = new float[plane];
        for (int p = 0; p < plane; p++) {
            raw[p] = (float) Math.max(0, sum[p] / covered[p]);
        }
        return HeatMap.normalised(size, size, raw);
    }

    /**
     * Occlusion maps of {@code count} images ({@code count x channels x size x size} normalised model inputs) for
     * {@code network} in inference mode, explaining {@code output} ({@link GradCam#LARGEST}: each image's largest
     * logit).
     */
    public static List<Result> compute(Network net, float[] images, int count, int channels, int size, int output,
                                       Patch patch) {
        GradCam.checkOutput(net.architecture(), output);
        int outputs = net.architecture().outputs();
        int per = channels * size * size;
        BatchArrays arrays = new BatchArrays();
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] image = Arrays.copyOfRange(images, i * per, (i + 1) * per);
            float[] logits = logits(net, arrays, image, 1, channels, size);
            int k = GradCam.chosen(logits, 0, outputs, output);
            HeatMap map = map(image, channels, size, patch, (inputs, n) -> {
                float[] all = logits(net, arrays, inputs, n, channels, size);
                double[] s = new double[n];
                for (int j = 0; j < n; j++) {
                    s[j] = all[j * outputs + k];
                }
                return s;
            });
            out.add(new Result(k, logits[k], map));
        }
        return out;
    }

    /** The logits of {@code count} inputs, {@link #CHUNK} at a time, in inference mode. */
    static float[] logits(Network net, BatchArrays arrays, float[] inputs, int count, int channels, int size) {
        int per = channels * size * size;
        int outputs = net.architecture().outputs();
        float[] out = new float[count * outputs];
        for (int first = 0; first < count; first += CHUNK) {
            int n = Math.min(CHUNK, count - first);
            float[] chunk = Arrays.copyOfRange(inputs, first * per, (first + n) * per);
            try (NDManager step = net.manager().newSubManager()) {
                NDArray y = net.forward(arrays.images(step, new Batch(0, n, channels, size, chunk, new float[0], 0)),
                        false);
                System.arraycopy(y.toFloatArray(), 0, out, first * outputs, n * outputs);
            }
        }
        return out;
    }
}
