package org.transfusion.engine.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.transfusion.engine.Choices;

/**
 * Whether test probabilities are recalibrated before their calibration is reported ({@code --calibrate}):
 * {@code temperature} fits a temperature on validation by minimising the negative log-likelihood (Guo et al.,
 * 2017) and reports test calibration before and after it; {@code none} reports it as the network gave it.
 */
public enum CalibrationKind {
    NONE, TEMPERATURE;

    @JsonValue
    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static CalibrationKind parse(String name) {
        return Choices.parse(values(), CalibrationKind::spec, name, "calibration");
    }
}
