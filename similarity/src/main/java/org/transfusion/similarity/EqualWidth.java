package org.transfusion.similarity;

import java.util.SplittableRandom;
import org.transfusion.error.BadInputException;

/**
 * Similarity at a common width, for comparing how much layers of different widths changed (issue 30.6). SVCCA and
 * linear CKA between two representations of one layer are biased upward when the neurons are many relative to the
 * data points: with the same true change, a 2,048-wide ResNet layer looks more similar to itself before and after
 * training than a 512-wide CBR layer, which favours "large models change less". Two corrections:
 *
 * <ul>
 *   <li><b>equal width</b>: each measure on {@code repeats} random subsets of {@code width} neurons (the smaller
 *       layer's width), the same neurons on both sides (x and y are one layer's neurons, e.g. before and after
 *       training), averaged; a layer no wider than {@code width} is measured once, whole;
 *   <li><b>debiased linear CKA</b> on all neurons: each HSIC by the unbiased estimator (Song et al. 2007), which
 *       estimates the population value whatever the width.
 * </ul>
 *
 * The subsets come from a stream seeded by {@code seed}: the same inputs and seed give the same result.
 */
public final class EqualWidth {
    /** Random neuron subsets averaged by default. */
    public static final int DEFAULT_REPEATS = 10;

    private EqualWidth() {}

    /**
     * @param svcca            mean SVCCA coefficient over the subsets (keeping 99% of the variance)
     * @param ckaLinear        linear CKA over the subsets
     * @param ckaLinearDebiased debiased linear CKA over the subsets
     * @param width            the neurons each subset had ({@code min(width, neurons)})
     * @param repeats          subsets averaged (1 when the layer is no wider than the width)
     */
    public record Result(double svcca, double ckaLinear, double ckaLinearDebiased, int width, int repeats) {}

    /** The measures on {@code repeats} random {@code width}-neuron subsets of the same neurons of x and y. */
    public static Result compute(Activations x, Activations y, int width, int repeats, long seed) {
        if (x.neurons() != y.neurons()) {
            throw new BadInputException("equal-width similarity compares one layer's neurons (e.g. before and after "
                    + "training): " + x.label() + " has " + x.neurons() + ", " + y.label() + " " + y.neurons());
        }
        if (width < 1 || repeats < 1) {
            throw new BadInputException("equal-width similarity: width and repeats must be at least 1 (got " + width
                    + ", " + repeats + ")");
        }
        int n = x.neurons();
        if (width >= n) {
            return new Result(Svcca.compute(x, y).mean(), Cka.linear(x, y), Cka.linearDebiased(x, y), n, 1);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double svcca = 0;
        double cka = 0;
        double debiased = 0;
        for (int r = 0; r < repeats; r++) {
            int[] pool = new int[n];
            for (int i = 0; i < n; i++) {
                pool[i] = i;
            }
            for (int i = 0; i < width; i++) {
                int j = i + rng.nextInt(n - i);
                int t = pool[i];
                pool[i] = pool[j];
                pool[j] = t;
            }
            Activations xs = columns(x, pool, width);
            Activations ys = columns(y, pool, width);
            svcca += Svcca.compute(xs, ys).mean();
            cka += Cka.linear(xs, ys);
            debiased += Cka.linearDebiased(xs, ys);
        }
        return new Result(svcca / repeats, cka / repeats, debiased / repeats, width, repeats);
    }

    /** The first {@code width} columns named by {@code pool}, in that order. */
    private static Activations columns(Activations a, int[] pool, int width) {
        int p = a.points();
        double[] out = new double[p * width];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < width; j++) {
                out[i * width + j] = a.get(i, pool[j]);
            }
        }
        return Activations.of(out, p, width).named(a.label() + " (" + width + " neurons)");
    }
}
