package org.transfusion.engine.model;

/**
 * Weights and inputs from a formula that a few lines of Python reproduce exactly, so that our forward pass and
 * torchvision's can be compared on the same numbers without shipping weight files.
 *
 * <p>{@code u(i, h)} is a 32-bit integer hash (lowbias32) of {@code i * 0x9E3779B1 + h}, divided by 2^32: exact in
 * any language, and unlike a plain {@code sin(i * a + h)} it gives full-rank weight matrices (a sinusoid in i
 * makes every filter a mix of two patterns, so a forward pass would barely depend on its input). A tensor's
 * {@code h} is the sum of its key's character codes. With {@code s = 2u - 1} (uniform in [-1, 1)):
 * conv/linear weights {@code sqrt(6 / fan_in) * s} (He's variance), biases {@code 0.1 s}; BN weight {@code 1 +
 * 0.1 s} (ResNet's last BN of each bottleneck, {@code bn3}, {@code 0.2 + 0.02 s}, damping each residual branch
 * so 16 additions in eval mode do not blow the activations up), bias and running mean {@code 0.1 s}, running
 * variance {@code 1 + 0.5 s} (positive); counters 0; layer norm weight {@code 1 + 0.1 s}, bias {@code 0.1 s}; a
 * position embedding and a class token {@code s}; ConvNeXt's layer scale {@code 0.1 + 0.05 s}
 * (scripts/modern_backbones_reference.py fills timm's models by the same formula). Activations then stay of order 1 and the logits of two
 * different inputs differ by far more than the 1e-4 tolerance.
 */
public final class DeterministicWeights {
    private DeterministicWeights() {}

    static double unit(long i, long h) {
        long x = (i * 0x9E3779B1L + h) & 0xFFFFFFFFL;
        x ^= x >>> 16;
        x = (x * 0x7FEB352DL) & 0xFFFFFFFFL;
        x ^= x >>> 15;
        x = (x * 0x846CA68BL) & 0xFFFFFFFFL;
        x ^= x >>> 16;
        return x / 4294967296.0;
    }

    static long keyHash(String key) {
        long h = 0;
        for (char c : key.toCharArray()) {
            h += c;
        }
        return h;
    }

    public static StateDict of(Architecture arch) {
        StateDict out = new StateDict();
        for (TensorSpec spec : arch.specs().values()) {
            HostTensor t = HostTensor.zeros(spec.shape());
            float[] v = t.values();
            long h = keyHash(spec.key());
            long fanIn = 1;
            for (int d = 1; d < spec.shape().length; d++) {
                fanIn *= spec.shape()[d];
            }
            for (int i = 0; i < v.length; i++) {
                double s = 2 * unit(i, h) - 1;
                double value = switch (spec.kind()) {
                    case CONV_WEIGHT, LINEAR_WEIGHT -> Math.sqrt(6.0 / fanIn) * s;
                    case CONV_BIAS, LINEAR_BIAS, BN_BIAS, BN_RUNNING_MEAN -> 0.1 * s;
                    case BN_WEIGHT -> spec.key().endsWith("bn3.weight") ? 0.2 + 0.02 * s : 1 + 0.1 * s;
                    case BN_RUNNING_VAR -> 1 + 0.5 * s;
                    case BN_BATCHES_TRACKED -> 0;
                    case LN_WEIGHT -> 1 + 0.1 * s;
                    case LN_BIAS -> 0.1 * s;
                    case POS_EMBED, CLS_TOKEN -> s;
                    case LAYER_SCALE -> 0.1 + 0.05 * s;
                };
                v[i] = (float) value;
            }
            out.put(spec.key(), t);
        }
        return out;
    }

    /** The input: {@code 2 u(i, 12345) - 1} over the flat C-order index of an (n, c, h, w) batch. */
    public static float[] input(int n, int c, int h, int w) {
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * unit(i, 12345) - 1);
        }
        return x;
    }
}
