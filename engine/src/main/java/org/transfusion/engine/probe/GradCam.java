package org.transfusion.engine.probe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.Network;
import org.transfusion.engine.model.Taps;
import org.transfusion.error.BadInputException;

/**
 * Grad-CAM (Selvaraju et al., 2017) of any network at any of its spatial layers: with {@code A^k} the layer's
 * channel maps and {@code y} the chosen output's logit, {@code alpha_k} is the spatial mean of {@code dy/dA^k}
 * and the map is {@code ReLU(sum_k alpha_k A^k)}, upsampled bilinearly to the input size (half-pixel centres,
 * torch's {@code interpolate(mode='bilinear', align_corners=False)}) and rescaled to [0, 1] per image
 * ({@link HeatMap#normalised}).
 *
 * <p>The network runs in inference mode (batch-norm with its running statistics, no dropout), so images are
 * independent and one backward pass of the sum of each image's chosen logit gives every image's gradient. The
 * gradient is taken with DJL's autograd ({@link GradientCollector}) with respect to a detached copy of the layer's
 * output that the forward pass then continues from ({@link Taps#at}); libtorch keeps no gradient of an
 * intermediate array, and this way the backward pass also stops at the layer. The parameters are excluded from
 * autograd while it runs, so nothing accumulates in them.
 */
public final class GradCam {
    /** Images per forward/backward pass (resnet50 at 224 px: about 1 GB of activations). */
    static final int CHUNK = 8;

    /** Output index meaning "the output with the largest logit" (the predicted class for a multi-class task). */
    public static final int LARGEST = -1;

    private GradCam() {}

    /**
     * One image's Grad-CAM: the output explained, its logit, the map at the input size, and the map at the layer's
     * resolution before upsampling and rescaling ({@code ReLU(sum_k alpha_k A^k)}, row-major {@code layerHeight x
     * layerWidth}).
     */
    public record Result(int output, double score, HeatMap map, float[] layerMap, int layerWidth, int layerHeight) {
        public Result {
            layerMap = layerMap.clone();
        }

        @Override
        public float[] layerMap() {
            return layerMap.clone();
        }
    }

    /** The layers with a spatial map (every probe layer but the pooled features and Inception's AuxLogits). */
    public static List<String> mapLayers(Architecture arch) {
        return arch.layers().stream().filter(l -> !l.equals("pool") && !l.equals("AuxLogits")).toList();
    }

    /** The default layer: the last spatial one, the model's last convolutional stage. */
    public static String defaultLayer(Architecture arch) {
        List<String> layers = mapLayers(arch);
        return layers.get(layers.size() - 1);
    }

    /** A bad input naming the layer and listing the valid ones, unless {@code layer} has a spatial map. */
    public static void checkLayer(Architecture arch, String layer) {
        if (!mapLayers(arch).contains(layer)) {
            String why = arch.layers().contains(layer) ? "has no spatial map" : "is not a layer of";
            throw new BadInputException("layer '" + layer + "' " + why + " " + arch.name() + " (valid: "
                    + String.join(", ", mapLayers(arch)) + ")");
        }
    }

    /** The output explained for one image: {@code output}, or the largest logit when it is {@link #LARGEST}. */
    static int chosen(float[] logits, int offset, int outputs, int output) {
        if (output != LARGEST) {
            return output;
        }
        int best = 0;
        for (int k = 1; k < outputs; k++) {
            if (logits[offset + k] > logits[offset + best]) {
                best = k;
            }
        }
        return best;
    }

    /** A bad input unless {@code output} is {@link #LARGEST} or one of the network's outputs. */
    public static void checkOutput(Architecture arch, int output) {
        if (output != LARGEST && (output < 0 || output >= arch.outputs())) {
            throw new BadInputException("--output " + output + " is not an output of " + arch.name() + " (it has "
                    + arch.outputs() + " output" + (arch.outputs() == 1 ? ": 0" : "s: 0.." + (arch.outputs() - 1))
                    + ")");
        }
    }

    /**
     * Grad-CAM of {@code count} images ({@code count x channels x size x size} model inputs, normalised) at
     * {@code layer}, explaining {@code output} ({@link #LARGEST} for each image's largest logit).
     */
    public static List<Result> compute(Network net, String layer, float[] images, int count, int channels, int size,
                                       int output) {
        Architecture arch = net.architecture();
        checkLayer(arch, layer);
        checkOutput(arch, output);
        List<NDArray> params = new ArrayList<>(net.trainable().values());
        params.forEach(p -> p.setRequiresGradient(false));
        try {
            List<Result> out = new ArrayList<>();
            BatchArrays arrays = new BatchArrays();
            int per = channels * size * size;
            for (int first = 0; first < count; first += CHUNK) {
                int n = Math.min(CHUNK, count - first);
                float[] chunk = Arrays.copyOfRange(images, first * per, (first + n) * per);
                out.addAll(chunk(net, arrays, layer, new Batch(0, n, channels, size, chunk, new float[0], 0), output));
            }
            return out;
        } finally {
            params.forEach(p -> p.setRequiresGradient(true));
        }
    }

    private static List<Result> chunk(Network net, BatchArrays arrays, String layer, Batch b, int output) {
        int outputs = net.architecture().outputs();
        try (NDManager step = net.manager().newSubManager()) {
            NDArray x = arrays.images(step, b);
            Leaf leaf = new Leaf(layer);
            float[] logits;
            int[] chosen = new int[b.count()];
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = net.forward(x, false, leaf);
                logits = y.toFloatArray();
                float[] mask = new float[logits.length];
                for (int i = 0; i < b.count(); i++) {
                    chosen[i] = chosen(logits, i * outputs, outputs, output);
                    mask[i * outputs + chosen[i]] = 1;
                }
                gc.backward(y.mul(step.create(mask, y.getShape())).sum());
            }
            long[] shape = leaf.array.getShape().getShape();
            int c = (int) shape[1];
            int h = (int) shape[2];
            int w = (int) shape[3];
            float[] a = leaf.array.toFloatArray();
            float[] g = leaf.array.getGradient().toFloatArray();
            List<Result> out = new ArrayList<>();
            for (int i = 0; i < b.count(); i++) {
                float[] cam = combine(a, g, i * c * h * w, c, h, w);
                HeatMap map = HeatMap.normalised(b.size(), b.size(), upsample(cam, w, h, b.size(), b.size()));
                out.add(new Result(chosen[i], logits[i * outputs + chosen[i]], map, cam, w, h));
            }
            return out;
        }
    }

    /**
     * {@code ReLU(sum_k alpha_k A^k)} at the layer's resolution for one image whose {@code c x h x w} activations
     * and gradients start at {@code offset}; {@code alpha_k} = the spatial mean of channel k's gradient.
     */
    static float[] combine(float[] activations, float[] gradients, int offset, int c, int h, int w) {
        int plane = h * w;
        double[] cam = new double[plane];
        for (int k = 0; k < c; k++) {
            int base = offset + k * plane;
            double alpha = 0;
            for (int p = 0; p < plane; p++) {
                alpha += gradients[base + p];
            }
            alpha /= plane;
            for (int p = 0; p < plane; p++) {
                cam[p] += alpha * activations[base + p];
            }
        }
        float[] out = new float[plane];
        for (int p = 0; p < plane; p++) {
            out[p] = (float) Math.max(0, cam[p]);
        }
        return out;
    }

    /**
     * Bilinear resize of a row-major {@code w x h} map to {@code outW x outH} with half-pixel centres: output pixel
     * {@code u} samples source coordinate {@code (u + 0.5) * w / outW - 0.5}, clamped to the edge pixels (torch's
     * {@code align_corners=False}).
     */
    static float[] upsample(float[] map, int w, int h, int outW, int outH) {
        float[] out = new float[outW * outH];
        for (int v = 0; v < outH; v++) {
            double sy = Math.max(0, (v + 0.5) * h / outH - 0.5);
            int y0 = Math.min((int) sy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int u = 0; u < outW; u++) {
                double sx = Math.max(0, (u + 0.5) * w / outW - 0.5);
                int x0 = Math.min((int) sx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
                double bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
                out[v * outW + u] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }

    /**
     * The tap that swaps the layer's output for a view of a detached leaf that requires a gradient; the leaf stays
     * open after the architecture frees the view, so its gradient can be read after the backward pass.
     */
    private static final class Leaf implements Taps {
        private final String layer;
        private NDArray array;

        Leaf(String layer) {
            this.layer = layer;
        }

        @Override
        public boolean wants(String l) {
            return l.equals(layer);
        }

        @Override
        public void tap(String l, NDArray activation) {
            // never called: architectures go through at, which this tap overrides
        }

        @Override
        public NDArray at(String l, NDArray activation) {
            if (!wants(l)) {
                return activation;
            }
            if (activation.getShape().dimension() != 4) {
                throw new BadInputException("layer '" + l + "' gives " + activation.getShape()
                        + ", not a spatial map; Grad-CAM needs a convolutional layer");
            }
            array = activation.stopGradient();
            array.setRequiresGradient(true);
            return array.reshape(array.getShape());
        }
    }
}
