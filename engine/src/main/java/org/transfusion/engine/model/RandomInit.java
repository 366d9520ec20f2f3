package org.transfusion.engine.model;

import java.util.SplittableRandom;
import org.transfusion.engine.Seeds;

/**
 * Random initialisation as torchvision does it: convolutions He/Kaiming normal with fan-out and ReLU gain
 * (std = sqrt(2 / (out * kh * kw))), conv biases zero, linear layers PyTorch's default (weight and bias
 * uniform in +-1/sqrt(fan_in)), batch-norm identity (weight 1, bias 0, running mean 0, running variance 1).
 * Each tensor draws from its own stream named by its key, so adding a tensor never shifts the others.
 */
public final class RandomInit {
    private RandomInit() {}

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
        switch (spec.kind()) {
            case CONV_WEIGHT -> {
                double std = Math.sqrt(2.0 / (s[0] * s[2] * s[3]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rng.nextGaussian() * std);
                }
            }
            case LINEAR_WEIGHT -> uniform(v, 1.0 / Math.sqrt(s[1]), rng);
            case LINEAR_BIAS -> {
                String weightKey = spec.key().substring(0, spec.key().length() - "bias".length()) + "weight";
                long fanIn = arch.specs().get(weightKey).shape()[1];
                uniform(v, 1.0 / Math.sqrt(fanIn), rng);
            }
            case BN_WEIGHT, BN_RUNNING_VAR -> java.util.Arrays.fill(v, 1f);
            case CONV_BIAS, BN_BIAS, BN_RUNNING_MEAN, BN_BATCHES_TRACKED -> { }
            default -> throw new IllegalStateException("no random init for " + spec.kind());
        }
        return t;
    }

    private static void uniform(float[] v, double bound, SplittableRandom rng) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
    }

}
