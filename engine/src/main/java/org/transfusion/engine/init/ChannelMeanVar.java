package org.transfusion.engine.init;

import java.util.SplittableRandom;
import org.transfusion.engine.model.HostTensor;

/**
 * The {@code meanvar-channel} scheme's draw: Mean Var per output channel, each channel's values i.i.d. from a
 * normal with that channel's own mean and (population) variance, so per-filter scales are kept and the features
 * are not. A 1-D tensor (a bias) has one value per channel, which per-channel statistics would copy: it is drawn
 * tensor-wise, as Mean Var does.
 */
final class ChannelMeanVar {
    private ChannelMeanVar() {}

    static Redraw.Drawn draw(HostTensor src, SplittableRandom rng) {
        if (src.shape().length < 2) {
            return new Redraw.Drawn(MeanVar.sampleLike(src, rng), "meanvar (1-D)");
        }
        int channels = (int) src.shape()[0];
        float[] x = src.values();
        int k = x.length / channels;
        HostTensor t = HostTensor.zeros(src.shape());
        float[] out = t.values();
        for (int c = 0; c < channels; c++) {
            double mean = 0;
            for (int i = c * k; i < (c + 1) * k; i++) {
                mean += x[i];
            }
            mean /= k;
            double var = 0;
            for (int i = c * k; i < (c + 1) * k; i++) {
                var += (x[i] - mean) * (x[i] - mean);
            }
            double sd = Math.sqrt(var / k);
            for (int i = c * k; i < (c + 1) * k; i++) {
                out[i] = (float) (mean + sd * rng.nextGaussian());
            }
        }
        return new Redraw.Drawn(t, "per channel");
    }
}
