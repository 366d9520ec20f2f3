package org.transfusion.engine.init;

import java.util.SplittableRandom;
import org.transfusion.engine.model.HostTensor;

/**
 * The {@code shuffle} scheme's draw: a tensor's own values in a uniformly random order (Fisher-Yates), so every
 * statistic of the layer's value distribution is kept exactly and where each value sat (which filter, channel,
 * kernel position) is lost.
 */
final class Shuffle {
    private Shuffle() {}

    static HostTensor draw(HostTensor src, SplittableRandom rng) {
        float[] v = src.values().clone();
        for (int i = v.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return new HostTensor(src.shape(), v);
    }
}
