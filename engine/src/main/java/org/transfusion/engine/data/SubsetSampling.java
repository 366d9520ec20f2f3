package org.transfusion.engine.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.engine.Choices;

/**
 * How a run's training subset ({@code --train-subset N}) is drawn from the training split. {@code random}: the first
 * N of a seeded shuffle of the split (the paper's small-data runs; the default, and what a run.json without the
 * setting means). {@code stratified}: the first N of a seeded order in which every class is spread evenly
 * ({@link SubsetSplit#nestedStratified}), so each class keeps its share of the split at every N. Both are nested:
 * with one seed, the subset of 100 images is part of the subset of 300, so a curve over sizes adds data rather than
 * drawing new data at each size.
 */
public enum SubsetSampling {
    RANDOM, STRATIFIED;

    @JsonValue
    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static SubsetSampling parse(String name) {
        return Choices.parse(values(), SubsetSampling::spec, name, "subset sampling");
    }
}
