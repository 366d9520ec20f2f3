package org.transfusion.engine.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.engine.Choices;

/** The learning-rate schedule's shape, by name ({@code --schedule}); see the trainer's {@code Schedule}. */
public enum ScheduleKind {
    CONSTANT, COSINE, STEP;

    @JsonValue
    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ScheduleKind parse(String name) {
        return Choices.parse(values(), ScheduleKind::spec, name, "schedule");
    }
}
