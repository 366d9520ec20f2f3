package org.transfusion.engine.init;

import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.engine.model.TensorSpec;

/**
 * The paper's Mean Var Init: every conv/linear tensor drawn i.i.d. from a normal with the mean and variance of
 * the corresponding pretrained tensor, so only the scaling of the pretrained weights is kept, not their features.
 * Batch-norm is reset to identity (gamma 1, beta 0, running mean 0, running variance 1), which the paper found
 * best, or copied from the pretrained weights when {@code copyBatchNorm} is set. Layer norm (ViT, ConvNeXt) is
 * treated as batch-norm: identity (weight 1, bias 0) or copied. A vision transformer's position embedding and class
 * token and ConvNeXt's layer scale are re-drawn like a conv/linear tensor, from their own pretrained mean and
 * variance (the position embedding's spatial pattern is destroyed, its scale kept).
 */
public final class MeanVar {
    private MeanVar() {}

    /**
     * @param transferred pretrained weights already fitted to the target (see {@link Transfer})
     * @param keep        tensors to leave as they are in {@code transferred} (e.g. a Gabor first layer)
     */
    public static StateDict draw(Architecture arch, StateDict transferred, boolean copyBatchNorm, long seed,
                                 Predicate<String> keep, Transfer.Report report) {
        return redraw(arch, transferred, copyBatchNorm, keep, report,
                (key, src) -> sampleLike(src, Seeds.random(seed, "init/meanvar/" + key)));
    }

    /**
     * Which tensors a scheme built on pretrained statistics re-draws, shared by Mean Var and the schemes beside it
     * ({@link Redraw}): every tensor that is not a normalisation's (conv and linear weights and biases, position
     * embeddings, class tokens, layer scales) through {@code draw(key, pretrained)}; batch and layer norm reset to
     * identity, or copied with {@code copyBatchNorm}; the
     * tensors in {@code keep} (a classifier that transfer re-initialised, a Gabor first layer) left as they are.
     */
    static StateDict redraw(Architecture arch, StateDict transferred, boolean copyBatchNorm, Predicate<String> keep,
                            Transfer.Report report, BiFunction<String, HostTensor, HostTensor> draw) {
        StateDict out = new StateDict();
        for (TensorSpec spec : arch.specs().values()) {
            HostTensor src = transferred.get(spec.key());
            TensorKind kind = spec.kind();
            if (keep.test(spec.key())) {
                out.put(spec.key(), src);
            } else if (kind.isNormalisation()) {
                out.put(spec.key(), copyBatchNorm ? src : identity(spec));
            } else {
                out.put(spec.key(), draw.apply(spec.key(), src));
                report.drawn.add(spec.key());
            }
        }
        return out;
    }

    /** i.i.d. N(mean(src), var(src)) values in src's shape (population variance). */
    static HostTensor sampleLike(HostTensor src, SplittableRandom rng) {
        double mean = src.mean();
        double std = src.std();
        HostTensor t = HostTensor.zeros(src.shape());
        float[] v = t.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * rng.nextGaussian());
        }
        return t;
    }

    static HostTensor identity(TensorSpec spec) {
        HostTensor t = HostTensor.zeros(spec.shape());
        if (spec.kind() == TensorKind.BN_WEIGHT || spec.kind() == TensorKind.BN_RUNNING_VAR
                || spec.kind() == TensorKind.LN_WEIGHT) {
            java.util.Arrays.fill(t.values(), 1f);
        }
        return t;
    }
}
