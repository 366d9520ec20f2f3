package org.transfusion.engine.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.engine.Choices;

/** The update rule, by name ({@code --optimizer}); see the trainer's {@code Optimizer}. */
public enum OptimizerKind {
    ADAM, SGD;

    @JsonValue
    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static OptimizerKind parse(String name) {
        return Choices.parse(values(), OptimizerKind::spec, name, "optimizer");
    }
}
