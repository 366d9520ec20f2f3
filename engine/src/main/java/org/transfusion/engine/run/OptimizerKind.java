package org.transfusion.engine.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.error.BadInputException;

/** The update rule, by name ({@code --optimizer}); see the trainer's {@code Optimizer}. */
public enum OptimizerKind {
    ADAM, SGD;

    @JsonValue
    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static OptimizerKind parse(String name) {
        for (OptimizerKind k : values()) {
            if (k.spec().equals(name == null ? "" : name.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new BadInputException("unknown optimizer '" + name + "' (expected adam or sgd)");
    }
}
