package org.transfusion.engine.model;

import java.util.SplittableRandom;
import org.transfusion.engine.Seeds;

/**
 * Random initialisation, by the rule of the library the architecture comes from ({@link Architecture#initRule()}).
 * {@link Rule#TORCHVISION}: convolutions He/Kaiming normal with fan-out and ReLU gain (std = sqrt(2 / (out * kh *
 * kw))), conv biases zero, linear layers PyTorch's default (weight and bias uniform in +-1/sqrt(fan_in)),
 * batch-norm identity (weight 1, bias 0, running mean 0, running variance 1). The timm rules are in {@link Rule}.
 * Whatever the rule: layer norm identity (weight 1, bias 0), a position embedding truncated normal with std 0.02,
 * a class token normal with std 1e-6, a layer scale 1e-6 (timm's {@code ls_init_value}). Each tensor draws from
 * its own stream named by its key, so adding a tensor never shifts the others.
 */
public final class RandomInit {
    private RandomInit() {}

    /** The rules for conv and linear tensors. */
    public enum Rule {
        TORCHVISION("conv: kaiming normal (fan_out, relu); linear: uniform +-1/sqrt(fan_in); bn: identity"),
        /**
         * timm's ViT ({@code init_weights_vit_timm}, mode ''): linear weights truncated normal std 0.02, biases 0;
         * the patch embedding, a convolution timm leaves alone, PyTorch's default (weight and bias uniform in
         * +-1/sqrt(fan_in)).
         */
        TIMM_VIT("linear: trunc normal std 0.02, bias 0; patch conv: uniform +-1/sqrt(fan_in); layer norm: identity; "
                + "pos_embed: trunc normal std 0.02; cls_token: normal std 1e-6"),
        /** timm's ConvNeXt ({@code _init_weights}): conv and linear weights truncated normal std 0.02, biases 0. */
        TIMM_CONVNEXT("conv and linear: trunc normal std 0.02, bias 0; layer norm: identity; layer scale: 1e-6");

        private final String description;

        Rule(String description) {
            this.description = description;
        }

        /** The rule in one line, as run.json's init report gives it. */
        public String description() {
            return description;
        }
    }

    /** timm's {@code trunc_normal_(std=.02)} std, and its bounds: +-2 absolute (never reached at that std). */
    private static final double TRUNC_STD = 0.02;
    private static final double TRUNC_BOUND = 2.0;

    public static StateDict of(Architecture arch, long seed) {
        StateDict out = new StateDict();
        for (TensorSpec spec : arch.specs().values()) {
            out.put(spec.key(), tensor(arch, spec, seed));
        }
        return out;
    }

    /** A freshly initialised value for one tensor (used by schemes that re-initialise part of a network). */
    public static HostTensor tensor(Architecture arch, TensorSpec spec, long seed) {
        HostTensor t = HostTensor.zeros(spec.shape());
        float[] v = t.values();
        SplittableRandom rng = Seeds.random(seed, "init/random/" + spec.key());
        long[] s = spec.shape();
        Rule rule = arch.initRule();
        switch (spec.kind()) {
            case CONV_WEIGHT -> {
                switch (rule) {
                    case TORCHVISION -> normal(v, Math.sqrt(2.0 / (s[0] * s[2] * s[3])), rng);
                    case TIMM_VIT -> uniform(v, 1.0 / Math.sqrt(s[1] * s[2] * s[3]), rng);
                    case TIMM_CONVNEXT -> truncNormal(v, rng);
                }
            }
            case CONV_BIAS -> {
                if (rule == Rule.TIMM_VIT) {
                    uniform(v, 1.0 / Math.sqrt(fanIn(arch, spec)), rng);
                }
            }
            case LINEAR_WEIGHT -> {
                if (rule == Rule.TORCHVISION) {
                    uniform(v, 1.0 / Math.sqrt(s[1]), rng);
                } else {
                    truncNormal(v, rng);
                }
            }
            case LINEAR_BIAS -> {
                if (rule == Rule.TORCHVISION) {
                    uniform(v, 1.0 / Math.sqrt(fanIn(arch, spec)), rng);
                }
            }
            case BN_WEIGHT, BN_RUNNING_VAR, LN_WEIGHT -> java.util.Arrays.fill(v, 1f);
            case BN_BIAS, BN_RUNNING_MEAN, BN_BATCHES_TRACKED, LN_BIAS -> { }
            case POS_EMBED -> truncNormal(v, rng);
            case CLS_TOKEN -> normal(v, 1e-6, rng);
            case LAYER_SCALE -> java.util.Arrays.fill(v, 1e-6f);
        }
        return t;
    }

    /** The fan-in of a bias's layer: its weight's values per output. */
    private static long fanIn(Architecture arch, TensorSpec bias) {
        String weightKey = bias.key().substring(0, bias.key().length() - "bias".length()) + "weight";
        long[] w = arch.specs().get(weightKey).shape();
        long fanIn = 1;
        for (int d = 1; d < w.length; d++) {
            fanIn *= w[d];
        }
        return fanIn;
    }

    private static void uniform(float[] v, double bound, SplittableRandom rng) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
    }

    private static void normal(float[] v, double std, SplittableRandom rng) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
    }

    /** Normal with std 0.02, a draw outside +-2 drawn again (timm's trunc_normal_ bounds). */
    private static void truncNormal(float[] v, SplittableRandom rng) {
        for (int i = 0; i < v.length; i++) {
            double x;
            do {
                x = rng.nextGaussian() * TRUNC_STD;
            } while (Math.abs(x) > TRUNC_BOUND);
            v[i] = (float) x;
        }
    }
}
