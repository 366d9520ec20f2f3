package org.transfusion.engine.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.engine.Choices;

/**
 * What CheXpert's uncertain labels (-1.0) become (Irvin et al. 2019): {@code u-ones} positive (the paper's and
 * CheXpert's default for the five findings), {@code u-zeros} negative, {@code u-ignore} masked out of the loss
 * and the AUC.
 */
public enum UncertaintyPolicy {
    U_ONES, U_ZEROS, U_IGNORE;

    @JsonValue
    public String spec() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static UncertaintyPolicy parse(String name) {
        return Choices.parse(values(), UncertaintyPolicy::spec, name, "uncertainty policy");
    }
}
