package org.transfusion.engine.train;

/** The loss became NaN or infinite: training stops, keeping the files written so far. */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
