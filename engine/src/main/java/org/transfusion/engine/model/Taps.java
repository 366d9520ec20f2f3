package org.transfusion.engine.model;

import ai.djl.ndarray.NDArray;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Receives hidden activations by layer name during a forward pass (the probes' hook). An architecture calls
 * {@link #tap} after each named layer; the receiver copies what it needs before the step's arrays are freed.
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

    /** Calls {@link #tap} when the layer is wanted, and returns the activation unchanged for chaining. */
    default NDArray at(String layer, NDArray activation) {
        if (wants(layer)) {
            tap(layer, activation);
        }
        return activation;
    }
}
