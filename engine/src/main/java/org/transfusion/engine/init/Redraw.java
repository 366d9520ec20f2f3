package org.transfusion.engine.init;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.StateDict;

/**
 * Schemes beside Mean Var that re-draw each pretrained tensor keeping more of its statistics, each destroying
 * the features in a stated way (the sentences of {@code --help}, from {@link InitScheme}). Which tensors are
 * re-drawn is Mean Var's rule ({@link MeanVar#redraw}): conv and linear weights and biases (and a ViT's position
 * embedding and class token, ConvNeXt's layer scale); batch and layer norm reset to identity; a classifier that transfer re-initialised (a new head) keeps its random init. Tensor {@code KEY} of
 * scheme {@code NAME} draws from stream {@code init/NAME/KEY} under {@code Seeds.stream(initSeed, NAME)}.
 */
public enum Redraw {
    SHUFFLE("shuffle", InitScheme.SHUFFLE_HELP) {
        Drawn draw(HostTensor src, SplittableRandom rng) {
            return new Drawn(Shuffle.draw(src, rng), "permuted");
        }
    },
    MOMENTS("moments", InitScheme.MOMENTS_HELP) {
        Drawn draw(HostTensor src, SplittableRandom rng) {
            return MomentMatch.draw(src, rng);
        }
    },
    COVARIANCE("covariance", InitScheme.COVARIANCE_HELP) {
        Drawn draw(HostTensor src, SplittableRandom rng) {
            return FilterCovariance.draw(src, rng);
        }
    },
    MEANVAR_CHANNEL("meanvar-channel", InitScheme.MEANVAR_CHANNEL_HELP) {
        Drawn draw(HostTensor src, SplittableRandom rng) {
            return ChannelMeanVar.draw(src, rng);
        }
    };

    /** A re-drawn tensor and how it was drawn (e.g. "johnson-su"), counted in the init report. */
    record Drawn(HostTensor tensor, String how) {}

    private final String scheme;
    private final String help;

    Redraw(String scheme, String help) {
        this.scheme = scheme;
        this.help = help;
    }

    /** The scheme's name, as {@code --init} takes it. */
    public String scheme() {
        return scheme;
    }

    /** One sentence: what the scheme keeps and what it destroys. */
    public String help() {
        return help;
    }

    abstract Drawn draw(HostTensor src, SplittableRandom rng);

    /**
     * Re-draws {@code transferred} (pretrained weights fitted to the target); {@code how} counts tensors by how
     * they were drawn.
     */
    StateDict apply(Architecture arch, StateDict transferred, long seed, Predicate<String> keep,
                    Transfer.Report report, Map<String, Integer> how) {
        return MeanVar.redraw(arch, transferred, false, keep, report, (key, src) -> {
            Drawn d = draw(src, Seeds.random(seed, "init/" + scheme + "/" + key));
            how.merge(d.how(), 1, Integer::sum);
            return d.tensor();
        });
    }
}
