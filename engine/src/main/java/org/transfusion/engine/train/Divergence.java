package org.transfusion.engine.train;

import java.util.Locale;
import org.transfusion.engine.data.Task;

/**
 * The rule that ends a run whose training went wrong short of a NaN loss, so that its scores are never reported as a
 * result (exit 3, {@code failed.json}). A run has diverged or collapsed when, at any step or validation:
 * <ul>
 *   <li>a training step's loss is NaN or infinite;</li>
 *   <li>the mean training loss since the last validation exceeds {@value #LOSS_FACTOR} times the larger of the run's
 *       first loss and the loss of a chance-level prediction ({@link #chanceLoss}) — far above where training
 *       started, which a learning rate that only makes training noisy does not reach;</li>
 *   <li>the validation loss is NaN or infinite;</li>
 *   <li>every output's probability is exactly the same for every validation image (equal logits, or logits so large
 *       that the probabilities saturate to one value) at {@value #COLLAPSE_PATIENCE} validations in a row in the
 *       second half of the run, or on the test set: a collapsed network, whose AUC of 0.5 with a zero-width interval
 *       is no result. A working network never gives distinct images bitwise-equal scores on all outputs for long;
 *       in its first steps it may, in eval mode, while batch norm's running statistics still settle (a randomly
 *       initialised MobileNetV2 at 32 px saturated at step 4 and learned on, in the results study; EfficientNet-B0
 *       from random init on RetinaMNIST at 32 px gave every validation image the same probability at steps 4 to 20
 *       and reached val AUC 0.845, test 0.785, by step 160), which is why collapses in the first half of a run never
 *       end it.</li>
 * </ul>
 * Each check is a pure function, tested on constructed curves and scores.
 */
public final class Divergence {
    /** How far above its start (or chance) the training loss may go before the run counts as diverged. */
    public static final double LOSS_FACTOR = 10;
    /** How many validations in a row must be collapsed before the run ends ({@link #collapsed}). */
    public static final int COLLAPSE_PATIENCE = 3;

    private Divergence() {}

    /**
     * The mean loss of a prediction that knows nothing: ln(classes) for cross-entropy, ln 2 for each sigmoid output
     * (binary and multi-label losses are means over outputs); for a segmentation, that of its pixel cross-entropy plus 1,
     * the Dice loss's most. Class weights scale both this and the run's losses
     * alike only roughly, which is why the bar is a factor of {@value #LOSS_FACTOR}.
     */
    public static double chanceLoss(Task task) {
        if (task.isSegmentation()) {
            // cross-entropy per pixel plus the soft Dice loss, which is at most 1
            return (task.outputs() == 1 ? Math.log(2) : Math.log(task.outputs())) + 1;
        }
        return task.type() == Task.Type.MULTICLASS ? Math.log(Math.max(2, task.outputs())) : Math.log(2);
    }

    /** Why a training step's loss ends the run, or null: NaN or infinite. */
    public static String stepLoss(double loss) {
        return Double.isFinite(loss) ? null : "the training loss is " + loss;
    }

    /**
     * Why the mean training loss of the window since the last validation ends the run, or null: above
     * {@value #LOSS_FACTOR} x max(first loss, chance loss).
     */
    public static String windowLoss(double windowMean, double firstLoss, double chance) {
        double start = Double.isFinite(firstLoss) ? Math.max(firstLoss, chance) : chance;
        double bar = LOSS_FACTOR * start;
        if (windowMean > bar) {
            return String.format(Locale.ROOT, "the mean training loss %.4g is over %.0fx where training started "
                    + "(max of the first loss %.4g and chance %.4g)", windowMean, LOSS_FACTOR, firstLoss, chance);
        }
        return null;
    }

    /** Why a validation ends the run, or null: a NaN/infinite loss, or the same prediction for every image. */
    public static String validation(double loss, double[] probs, int n, int outputs) {
        return scores("validation", loss, probs, n, outputs);
    }

    /** {@link #validation} for the scores of any split, named in the reason. */
    public static String scores(String split, double loss, double[] probs, int n, int outputs) {
        if (!Double.isFinite(loss)) {
            return "the " + split + " loss is " + loss;
        }
        if (n >= 2 && constant(probs, n, outputs)) {
            return "the network gives every " + split + " image the same prediction (collapsed)";
        }
        return null;
    }

    /**
     * Counts collapsed validations in a row: {@link #ends} says, for each validation in turn, whether its collapse
     * ends the run (the {@value #COLLAPSE_PATIENCE}th in a row or later does, once the run is past half its steps;
     * any validation that is not collapsed resets the count).
     */
    public static final class CollapseStreak {
        private int inARow;

        /** Whether the validation at step {@code done} of {@code total}, {@code collapsed} or not, ends the run. */
        public boolean ends(boolean collapsed, long done, long total) {
            inARow = collapsed ? inARow + 1 : 0;
            return inARow >= COLLAPSE_PATIENCE && 2 * done > total;
        }
    }

    /** Whether scores of {@code n} images are collapsed: at least two images, every output's value the same. */
    public static boolean collapsed(double[] probs, int n, int outputs) {
        return n >= 2 && constant(probs, n, outputs);
    }

    /** Whether every output's value is the same for all {@code n} rows of a row-major n x outputs array. */
    static boolean constant(double[] values, int n, int outputs) {
        for (int o = 0; o < outputs; o++) {
            double first = values[o];
            for (int i = 1; i < n; i++) {
                if (values[i * outputs + o] != first) {
                    return false;
                }
            }
        }
        return true;
    }
}
