package org.transfusion.engine.init;

import java.util.SplittableRandom;
import org.transfusion.engine.model.HostTensor;

/**
 * The {@code moments} scheme's draw: i.i.d. values from the {@link Johnson} distribution with the tensor's mean,
 * variance, skewness and kurtosis (population moments, two-pass), so the shape of the value distribution is kept
 * up to its fourth moment and nothing of where values sat.
 */
final class MomentMatch {
    private MomentMatch() {}

    static Redraw.Drawn draw(HostTensor src, SplittableRandom rng) {
        float[] x = src.values();
        double mean = src.mean();
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (float v : x) {
            double c = v - mean;
            m2 += c * c;
            m3 += c * c * c;
            m4 += c * c * c * c;
        }
        m2 /= x.length;
        m3 /= x.length;
        m4 /= x.length;
        HostTensor t = HostTensor.zeros(src.shape());
        float[] out = t.values();
        if (!(m2 > 0)) {
            java.util.Arrays.fill(out, (float) mean);
            return new Redraw.Drawn(t, "constant");
        }
        Johnson shape = Johnson.fit(m3 / Math.pow(m2, 1.5), m4 / (m2 * m2));
        double sd = Math.sqrt(m2);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (mean + sd * shape.draw(rng));
        }
        return new Redraw.Drawn(t, shape.label());
    }
}
