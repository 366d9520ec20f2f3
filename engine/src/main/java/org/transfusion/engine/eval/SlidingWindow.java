package org.transfusion.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.model.Network;

/**
 * Full-image inference of a segmentation network by overlapping windows, as MONAI's {@code sliding_window_inference}
 * and nnU-Net do it: square windows of the training patch's side, a stride of half a window (overlap 0.5; the
 * windows of an axis spread evenly from one edge to the other), each window's probabilities weighted by a Gaussian
 * centred on it (sigma = side / 8, nnU-Net's, floored at its smallest positive value so that every pixel has
 * weight) and the weighted sum divided by the summed weights. The image is never resized; an image smaller than a
 * window is padded with zeros (the normalised mean) and the padding's predictions dropped.
 *
 * <p>Memory: the image (channels x H x W floats), the sums (outputs + 1 planes) and one batch of windows at a time;
 * a 999 x 960 RGB image with one output holds about 20 MB besides the network's activations for the batch.
 */
public final class SlidingWindow {
    /** Overlap of neighbouring windows: half a window. */
    public static final double OVERLAP = 0.5;
    /**
     * Pixels run through the network at once: as many windows as fit in 16 windows of 96 x 96 (at least one), so
     * that small windows are batched (each forward pass has a fixed cost) and large ones do not hold more memory.
     */
    public static final int PIXELS_PER_BATCH = 16 * 96 * 96;

    private SlidingWindow() {}

    /**
     * Probabilities of each output for every pixel: {@code [outputs][h*w]} (sigmoid of one logit for a binary task,
     * softmax over the classes otherwise).
     *
     * @param image normalised CHW values of the whole image ({@code channels * h * w})
     */
    public static float[][] predict(Network net, float[] image, int channels, int h, int w, int window) {
        int[] ys = positions(h, window);
        int[] xs = positions(w, window);
        float[] weight = gaussian(window);
        int plane = h * w;
        int wplane = window * window;
        float[][] sum = null;
        float[] norm = new float[plane];
        int outputs = -1;
        BatchArrays arrays = new BatchArrays();
        int total = ys.length * xs.length;
        int perBatch = Math.max(1, Math.min(total, PIXELS_PER_BATCH / wplane));
        float[] buffer = new float[perBatch * channels * wplane];
        int[] at = new int[perBatch * 2];
        for (int first = 0; first < total; first += perBatch) {
            int count = Math.min(perBatch, total - first);
            java.util.Arrays.fill(buffer, 0f);
            for (int k = 0; k < count; k++) {
                int y0 = ys[(first + k) / xs.length];
                int x0 = xs[(first + k) % xs.length];
                at[2 * k] = y0;
                at[2 * k + 1] = x0;
                for (int c = 0; c < channels; c++) {
                    for (int v = 0; v < window && y0 + v < h; v++) {
                        int width = Math.min(window, w - x0);
                        System.arraycopy(image, c * plane + (y0 + v) * w + x0, buffer,
                                (k * channels + c) * wplane + v * window, width);
                    }
                }
            }
            float[] probs;
            try (NDManager step = net.manager().newSubManager()) {
                float[] input = count == perBatch ? buffer
                        : java.util.Arrays.copyOf(buffer, count * channels * wplane);
                NDArray x = arrays.images(step, new Batch(first, count, channels, window, input, new float[0], 0));
                NDArray logits = net.forward(x, false);
                int o = (int) logits.getShape().get(1);
                NDArray p = o == 1 ? logits.getNDArrayInternal().sigmoid() : logits.softmax(1);
                probs = p.toFloatArray();
                if (outputs < 0) {
                    outputs = o;
                    sum = new float[o][plane];
                }
            }
            for (int k = 0; k < count; k++) {
                int y0 = at[2 * k];
                int x0 = at[2 * k + 1];
                for (int v = 0; v < window && y0 + v < h; v++) {
                    for (int u = 0; u < window && x0 + u < w; u++) {
                        int dst = (y0 + v) * w + x0 + u;
                        float g = weight[v * window + u];
                        norm[dst] += g;
                        for (int c = 0; c < outputs; c++) {
                            sum[c][dst] += g * probs[(k * outputs + c) * wplane + v * window + u];
                        }
                    }
                }
            }
        }
        for (float[] s : sum) {
            for (int p = 0; p < plane; p++) {
                s[p] /= norm[p];
            }
        }
        return sum;
    }

    /** Top-left corners along an axis of {@code length}: evenly spread, at most half a window apart, edge to edge. */
    static int[] positions(int length, int window) {
        if (length <= window) {
            return new int[] {0};
        }
        int stride = (int) Math.max(1, Math.round(window * (1 - OVERLAP)));
        int n = (int) Math.ceil((double) (length - window) / stride) + 1;
        int[] out = new int[n];
        double step = (double) (length - window) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = (int) Math.round(i * step);
        }
        return out;
    }

    /** The window's weights: a Gaussian of sigma = side / 8 about its centre, peak 1, zeros raised to the least positive. */
    static float[] gaussian(int window) {
        double sigma = window / 8.0;
        double centre = (window - 1) / 2.0;
        float[] g = new float[window * window];
        float least = Float.MAX_VALUE;
        for (int v = 0; v < window; v++) {
            for (int u = 0; u < window; u++) {
                double d2 = (v - centre) * (v - centre) + (u - centre) * (u - centre);
                float value = (float) Math.exp(-d2 / (2 * sigma * sigma));
                g[v * window + u] = value;
                if (value > 0) {
                    least = Math.min(least, value);
                }
            }
        }
        for (int i = 0; i < g.length; i++) {
            if (g[i] == 0) {
                g[i] = least;
            }
        }
        return g;
    }
}
