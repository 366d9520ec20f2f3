package org.transfusion.engine.eval;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import org.transfusion.engine.data.Task;

/**
 * Temperature scaling (Guo et al., 2017): logits divided by a temperature T before the sigmoid or softmax, T fitted
 * on validation by minimising the negative log-likelihood. It moves probabilities, never their order, so AUC and
 * the decisions of a rank-based operating point are unchanged. A multiclass task gets one T for its softmax; each
 * sigmoid output (binary, every finding of a multi-label task) gets its own. The NLL of {@code z / T} is convex in
 * {@code 1/T} (a softplus or log-sum-exp of a linear function of it), hence unimodal in {@code ln T}, so a
 * golden-section search over {@code ln T} in [{@link #MIN}, {@link #MAX}] finds its minimum.
 */
public final class TemperatureScaling {
    /** The range searched; a fit at an end means the validation data pushed it there (e.g. separable). */
    public static final double MIN = 0.01;
    public static final double MAX = 100;

    private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

    private TemperatureScaling() {}

    /** The temperature of each output ({@code n x outputs} logits, targets as {@link Evaluator.Scores}). */
    public static double[] fit(Task task, double[] logits, double[] targets, int n) {
        int outputs = task.outputs();
        double[] t = new double[outputs];
        if (task.type() == Task.Type.MULTICLASS) {
            double shared = minimise(temp -> softmaxNll(logits, targets, outputs, temp));
            Arrays.fill(t, shared);
            return t;
        }
        double[] z = new double[n];
        double[] y = new double[n];
        for (int o = 0; o < outputs; o++) {
            Metrics.column(task, logits, targets, o, z, y);
            double[] zo = z.clone();
            double[] yo = y.clone();
            t[o] = minimise(temp -> sigmoidNll(zo, yo, temp));
        }
        return t;
    }

    /** The T in [MIN, MAX] minimising {@code nll}, by golden-section search on ln T to a width of 1e-10. */
    public static double minimise(DoubleUnaryOperator nll) {
        double a = Math.log(MIN);
        double b = Math.log(MAX);
        double c = b - GOLDEN * (b - a);
        double d = a + GOLDEN * (b - a);
        double fc = nll.applyAsDouble(Math.exp(c));
        double fd = nll.applyAsDouble(Math.exp(d));
        while (b - a > 1e-10) {
            if (fc <= fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - GOLDEN * (b - a);
                fc = nll.applyAsDouble(Math.exp(c));
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + GOLDEN * (b - a);
                fd = nll.applyAsDouble(Math.exp(d));
            }
        }
        return Math.exp((a + b) / 2);
    }

    /** Mean binary cross-entropy of sigmoid(z / t) against 1/0 labels, masked (NaN) labels left out. */
    public static double sigmoidNll(double[] z, double[] y, double t) {
        double sum = 0;
        int known = 0;
        for (int i = 0; i < z.length; i++) {
            if (Double.isNaN(y[i])) {
                continue;
            }
            double x = z[i] / t;
            sum += softplus(x) - y[i] * x; // -[y log s(x) + (1 - y) log(1 - s(x))]
            known++;
        }
        return known == 0 ? Double.NaN : sum / known;
    }

    /** Mean cross-entropy of softmax(z / t) ({@code n x classes} row-major) against class indices (NaN left out). */
    public static double softmaxNll(double[] z, double[] classes, int c, double t) {
        double sum = 0;
        int known = 0;
        for (int i = 0; i < classes.length; i++) {
            if (Double.isNaN(classes[i])) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                max = Math.max(max, z[i * c + k] / t);
            }
            double s = 0;
            for (int k = 0; k < c; k++) {
                s += Math.exp(z[i * c + k] / t - max);
            }
            sum += max + Math.log(s) - z[i * c + (int) classes[i]] / t;
            known++;
        }
        return known == 0 ? Double.NaN : sum / known;
    }

    /** The task's NLL at these temperatures: over known labels (sigmoid) or images with a class (softmax). */
    public static double nll(Task task, double[] logits, double[] targets, int n, double[] temperatures) {
        int outputs = task.outputs();
        if (task.type() == Task.Type.MULTICLASS) {
            return softmaxNll(logits, targets, outputs, temperatures[0]);
        }
        double sum = 0;
        long known = 0;
        double[] z = new double[n];
        double[] y = new double[n];
        for (int o = 0; o < outputs; o++) {
            Metrics.column(task, logits, targets, o, z, y);
            long k = 0;
            for (double v : y) {
                k += Double.isNaN(v) ? 0 : 1;
            }
            if (k > 0) {
                sum += sigmoidNll(z, y, temperatures[o]) * k;
                known += k;
            }
        }
        return known == 0 ? Double.NaN : sum / known;
    }

    /** Probabilities of {@code logits / T} ({@code n x outputs}): softmax for multiclass, sigmoid otherwise. */
    public static double[] probabilities(Task task, double[] logits, int n, double[] temperatures) {
        int outputs = task.outputs();
        double[] p = new double[n * outputs];
        for (int i = 0; i < n; i++) {
            if (task.type() == Task.Type.MULTICLASS) {
                double t = temperatures[0];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < outputs; k++) {
                    max = Math.max(max, logits[i * outputs + k] / t);
                }
                double s = 0;
                for (int k = 0; k < outputs; k++) {
                    p[i * outputs + k] = Math.exp(logits[i * outputs + k] / t - max);
                    s += p[i * outputs + k];
                }
                for (int k = 0; k < outputs; k++) {
                    p[i * outputs + k] /= s;
                }
            } else {
                for (int o = 0; o < outputs; o++) {
                    p[i * outputs + o] = 1 / (1 + Math.exp(-logits[i * outputs + o] / temperatures[o]));
                }
            }
        }
        return p;
    }

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
}
