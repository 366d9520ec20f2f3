package org.transfusion.engine.init;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import org.transfusion.engine.model.Architecture;
import org.transfusion.error.BadInputException;

/**
 * An initialisation scheme ({@code --init}), parsed once from its name; {@link #spec()} is its canonical name,
 * which is what run specs and reports write. What each keeps from pretrained weights and what it destroys:
 * <ul>
 *   <li>{@code random}: nothing; torchvision's random init;</li>
 *   <li>{@code pretrained}: every fitting tensor (full transfer), a new head re-initialised;</li>
 *   <li>{@code meanvar}: each layer's weight mean and variance, all features (i.i.d. normal draws); batch-norm
 *       reset to identity; {@code meanvar-bn-copy}: the same with batch-norm copied;</li>
 *   <li>{@code shuffle}, {@code moments}, {@code covariance}, {@code meanvar-channel}: more of each layer's
 *       statistics than Mean Var, by the same rule for which tensors are drawn (see {@link Redraw} and the
 *       sentences below);</li>
 *   <li>{@code transfusion:BLOCK}: everything up to and including BLOCK, nothing above (random);</li>
 *   <li>{@code slim}: for a {@code -slim} model, everything up to its boundary block; the halved rest random;</li>
 *   <li>{@code gabor[:low|high|mixed]}: no pretrained tensor; the first convolution is a synthetic Gabor bank;
 *       {@code gabor+meanvar[:band]}: Gabor first layer, the rest Mean Var.</li>
 * </ul>
 */
public sealed interface InitScheme {
    /** The names {@link #parse} accepts, as shown in help texts and errors. */
    List<String> CHOICES = List.of("random", "pretrained", "meanvar", "meanvar-bn-copy", "shuffle", "moments",
            "covariance", "meanvar-channel", "transfusion:BLOCK", "slim", "gabor[:low|high|mixed]",
            "gabor+meanvar[:low|high|mixed]");

    /** What the statistics schemes keep and destroy, one sentence each (constants, so --help can quote them). */
    String MEANVAR_HELP = "meanvar: each tensor i.i.d. normal with its pretrained mean and variance; keeps the scale, "
            + "destroys all features (batch-norm reset to identity; meanvar-bn-copy copies it).";
    String SHUFFLE_HELP = "shuffle: each tensor's pretrained values randomly permuted; keeps every value (the whole "
            + "per-layer distribution), destroys all spatial and filter structure.";
    String MOMENTS_HELP = "moments: i.i.d. draws (Johnson SU/SB curves) with each tensor's mean, variance, skewness "
            + "and kurtosis; keeps the value distribution's shape to the fourth moment, destroys all features.";
    String COVARIANCE_HELP = "covariance: each output filter drawn from a normal with the pretrained filters' mean and "
            + "covariance over input channel x kernel position; keeps second-order spatial structure (smoothness, "
            + "orientation energy), copies no filter.";
    String MEANVAR_CHANNEL_HELP = "meanvar-channel: Mean Var per output channel (its own mean and variance); keeps "
            + "each filter's offset and scale, destroys the features.";

    /** The canonical name. */
    @JsonValue
    String spec();

    /** Whether the scheme reads pretrained weights. */
    boolean needsWeights();

    /** Refuses a scheme that cannot apply to {@code arch} (an unknown block, slim on a model that is not slim). */
    default void checkFits(Architecture arch) {}

    record Random() implements InitScheme {
        public String spec() { return "random"; }
        public boolean needsWeights() { return false; }
    }

    record Pretrained() implements InitScheme {
        public String spec() { return "pretrained"; }
        public boolean needsWeights() { return true; }
    }

    /** Mean Var Init; {@code copyBatchNorm} keeps the pretrained batch-norm instead of resetting it. */
    record MeanVar(boolean copyBatchNorm) implements InitScheme {
        public String spec() { return copyBatchNorm ? "meanvar-bn-copy" : "meanvar"; }
        public boolean needsWeights() { return true; }
    }

    /**
     * A scheme that re-draws every conv/linear tensor from statistics of the pretrained one, as Mean Var does
     * (batch-norm reset to identity, a re-initialised classifier kept random), keeping more of them.
     */
    record Redrawn(Redraw redraw) implements InitScheme {
        public String spec() { return redraw.scheme(); }
        public boolean needsWeights() { return true; }
    }

    /** Weight transfusion: pretrained up to and including {@code block}. */
    record Transfusion(String block) implements InitScheme {
        public String spec() { return "transfusion:" + block; }
        public boolean needsWeights() { return true; }

        @Override
        public void checkFits(Architecture arch) {
            if (!arch.blocks().contains(block)) {
                throw new BadInputException("unknown block '" + block + "' for " + arch.name() + " (expected one of "
                        + String.join(", ", arch.blocks()) + ")");
            }
            if (arch.specs().keySet().stream().filter(k -> block.equals(arch.blockOf(k))).noneMatch(arch::takesWeights)) {
                throw new BadInputException("transfusion:" + block + " cannot apply to " + arch.name() + ": no weights "
                        + "give block " + block + " (it is always random; transfuse up to an encoder block)");
            }
        }
    }

    record Slim() implements InitScheme {
        public String spec() { return "slim"; }
        public boolean needsWeights() { return true; }

        @Override
        public void checkFits(Architecture arch) {
            if (arch.slimBoundary() == null) {
                throw new BadInputException("--init slim needs a slim model (e.g. --model resnet50-slim); "
                        + arch.name() + " is not one");
            }
        }
    }

    /** A synthetic Gabor first layer of the given band; the rest random, or Mean Var when {@code meanVar}. */
    record Gabor(String band, boolean meanVar) implements InitScheme {
        public String spec() {
            return (meanVar ? "gabor+meanvar" : "gabor") + (band.equals("mixed") ? "" : ":" + band);
        }

        public boolean needsWeights() { return meanVar; }
    }

    /** Parses a scheme name (case and surrounding space ignored); an unknown one is a bad input naming the choices. */
    @JsonCreator
    static InitScheme parse(String text) {
        String name = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (name) {
            case "random": return new Random();
            case "pretrained": return new Pretrained();
            case "meanvar": return new MeanVar(false);
            case "meanvar-bn-copy": return new MeanVar(true);
            case "slim": return new Slim();
            default: break;
        }
        for (Redraw r : Redraw.values()) {
            if (name.equals(r.scheme())) {
                return new Redrawn(r);
            }
        }
        if (name.startsWith("transfusion:") && name.length() > "transfusion:".length()) {
            return new Transfusion(name.substring("transfusion:".length()));
        }
        for (String prefix : new String[] {"gabor+meanvar", "gabor"}) {
            if (name.equals(prefix) || name.startsWith(prefix + ":")) {
                String band = name.equals(prefix) ? "mixed" : name.substring(prefix.length() + 1);
                if (!List.of("low", "high", "mixed").contains(band)) {
                    throw new BadInputException("unknown Gabor band '" + band + "' in init scheme '" + text
                            + "' (expected low, high or mixed)");
                }
                return new Gabor(band, prefix.equals("gabor+meanvar"));
            }
        }
        throw new BadInputException("unknown init scheme '" + text + "' (expected one of " + String.join(", ", CHOICES)
                + ")");
    }
}
