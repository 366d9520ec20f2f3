package org.transfusion.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The segmentation loss, as MONAI's {@code DiceCELoss} and nnU-Net combine them: a pixel-wise cross-entropy plus a
 * soft Dice loss, both over the pixels inside the field of view only (a pixel outside counts for neither).
 *
 * <ul>
 *   <li>Binary (one logit per pixel): {@code BCE = sum_i w_i bce(z_i, y_i) / sum_i w_i} with the stable form
 *       {@code max(z, 0) - z y + log(1 + exp(-|z|))}, plus {@code 1 - (2 sum w p y + 1) / (sum w p + sum w y + 1)},
 *       p = sigmoid(z), summed over the whole batch (nnU-Net's "batch Dice"; the +1 keeps a patch without vessels
 *       defined).</li>
 *   <li>K classes (K logits): softmax cross-entropy over the field of view, plus the mean over the foreground
 *       classes 1..K-1 of the soft Dice loss of each class's probability against its one-hot target.</li>
 * </ul>
 */
public final class SegmentationLoss {
    /** The Dice term's smoothing: added to its numerator and denominator. */
    public static final float SMOOTH = 1f;

    private SegmentationLoss() {}

    /**
     * The batch's loss.
     *
     * @param logits  (B, outputs, H, W); outputs = 1 for a binary task, else the number of classes
     * @param classes per pixel (B*H*W, row-major per image), the class id
     * @param fov     per pixel, 1 inside the field of view, 0 outside
     */
    public static NDArray of(NDArray logits, byte[] classes, byte[] fov, NDManager m) {
        Shape s = logits.getShape();
        int b = (int) s.get(0);
        int outputs = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int n = b * h * w;
        if (classes.length != n || fov.length != n) {
            throw new IllegalArgumentException("targets of " + classes.length + " pixels for logits " + s);
        }
        float[] weight = new float[n];
        double inside = 0;
        for (int i = 0; i < n; i++) {
            weight[i] = fov[i] != 0 ? 1f : 0f;
            inside += weight[i];
        }
        float denominator = (float) Math.max(inside, 1);
        if (outputs == 1) {
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = classes[i] != 0 ? 1f : 0f;
            }
            Shape one = new Shape(b, 1, h, w);
            NDArray yt = m.create(y, one);
            NDArray wt = m.create(weight, one);
            NDArray bce = logits.maximum(0f).sub(logits.mul(yt)).add(Activation.softPlus(logits.abs().neg()));
            NDArray ce = bce.mul(wt).sum().div(denominator);
            NDArray p = logits.getNDArrayInternal().sigmoid().mul(wt);
            NDArray intersection = p.mul(yt).sum();
            NDArray dice = intersection.mul(2f).add(SMOOTH).div(p.sum().add(yt.mul(wt).sum()).add(SMOOTH));
            return ce.add(dice.neg().add(1f));
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = classes[i] & 0xff;
            if (ids[i] >= outputs) {
                throw new IllegalArgumentException("class " + ids[i] + " with " + outputs + " outputs");
            }
        }
        // one-hot (B, H, W, K) -> (B, K, H, W)
        NDArray oneHot = m.create(ids, new Shape(b, h, w)).oneHot(outputs).toType(DataType.FLOAT32, false)
                .transpose(0, 3, 1, 2);
        NDArray wt = m.create(weight, new Shape(b, 1, h, w));
        NDArray ce = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}, true).mul(wt).sum().div(-denominator);
        NDArray p = logits.softmax(1).mul(wt);
        NDArray t = oneHot.mul(wt);
        NDArray intersection = p.mul(t).sum(new int[] {0, 2, 3});
        NDArray cardinality = p.sum(new int[] {0, 2, 3}).add(t.sum(new int[] {0, 2, 3}));
        NDArray perClass = intersection.mul(2f).add(SMOOTH).div(cardinality.add(SMOOTH)).neg().add(1f);
        NDArray foreground = perClass.get("1:");
        return ce.add(foreground.mean());
    }
}
