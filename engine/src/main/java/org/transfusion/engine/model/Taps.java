package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Receives hidden activations by layer name during a forward pass (the probes' hook). An architecture calls
 * {@link #at} after each named layer and continues its forward pass with what {@code at} returns; the receiver
 * copies what it needs before the step's arrays are freed. A receiver may also override {@code at} to hand back
 * another array of the same shape and values: Grad-CAM ({@code probe.GradCam}) hands back a view of a leaf that
 * autograd differentiates to, since libtorch keeps no gradient of an intermediate array.
 */
public interface Taps {
    Taps NONE = new Taps() {
        @Override
        public boolean wants(String layer) {
            return false;
        }

        @Override
        public void tap(String layer, NDArray activation) {}
    };

    /** Taps that hand the layers {@code wants} accepts to {@code receiver}. */
    static Taps of(Predicate<String> wants, BiConsumer<String, NDArray> receiver) {
        return new Taps() {
            @Override
            public boolean wants(String layer) {
                return wants.test(layer);
            }

            @Override
            public void tap(String layer, NDArray activation) {
                receiver.accept(layer, activation);
            }
        };
    }

    boolean wants(String layer);

    void tap(String layer, NDArray activation);

    /**
     * Calls {@link #tap} when the layer is wanted, and returns the activation unchanged for chaining. Architectures
     * continue with the returned array on their main path (a tap on a side output, e.g. Inception's AuxLogits,
     * cannot substitute anything).
     */
    default NDArray at(String layer, NDArray activation) {
        if (wants(layer)) {
            tap(layer, activation);
        }
        return activation;
    }
}
