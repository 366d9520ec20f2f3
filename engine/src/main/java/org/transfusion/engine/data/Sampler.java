package org.transfusion.engine.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.engine.Choices;

/**
 * How training batches pick their images ({@code --sampler}). {@code shuffle}: each epoch a fresh seeded
 * permutation, every image once. {@code balanced}: every draw picks a class uniformly and then an image of it
 * uniformly, with replacement (each image weighs 1 / the size of its class, as torch's WeightedRandomSampler with
 * those weights), so classes appear equally often in expectation; it needs one class per image (binary or
 * multiclass tasks). Both depend only on the seed and the batch index, so a resumed run draws the same batches.
 */
public enum Sampler {
    SHUFFLE, BALANCED;

    @JsonValue
    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Sampler parse(String name) {
        return Choices.parse(values(), Sampler::spec, name, "sampler");
    }
}
