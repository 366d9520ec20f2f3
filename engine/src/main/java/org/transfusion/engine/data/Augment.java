package org.transfusion.engine.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.engine.Choices;

/**
 * Seeded training-time augmentation, applied in one resampling pass: a random square crop covering
 * {@code [minScale, 1]} of the image area at a random position, a rotation in
 * {@code [-maxRotationDegrees, +maxRotationDegrees]}, and a horizontal flip with probability 1/2.
 * {@link #NONE} turns every part off (evaluation, and training with {@code --augment none}).
 */
public record Augment(boolean flip, double minScale, double maxRotationDegrees) {
    public static final Augment NONE = new Augment(false, 1.0, 0.0);

    /** Mild defaults that suit fundus photographs and chest x-rays at low resolution. */
    public static final Augment DEFAULT = new Augment(true, 0.85, 10.0);

    public Augment {
        if (!(minScale > 0 && minScale <= 1)) {
            throw new IllegalArgumentException("minScale must be in (0, 1], got " + minScale);
        }
        if (maxRotationDegrees < 0 || maxRotationDegrees > 180) {
            throw new IllegalArgumentException("maxRotationDegrees must be in [0, 180], got " + maxRotationDegrees);
        }
    }

    /** The augmentation choices by name ({@code --augment}). */
    public enum Policy {
        DEFAULT(Augment.DEFAULT), NONE(Augment.NONE);

        private final Augment augment;

        Policy(Augment augment) {
            this.augment = augment;
        }

        public Augment augment() {
            return augment;
        }

        @JsonValue
        public String spec() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Policy parse(String name) {
            return Choices.parse(values(), Policy::spec, name, "augmentation");
        }
    }

    public boolean isNone() {
        return !flip && minScale == 1.0 && maxRotationDegrees == 0.0;
    }
}
