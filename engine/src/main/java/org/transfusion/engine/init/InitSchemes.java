package org.transfusion.engine.init;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.model.Architecture;
import org.transfusion.error.BadInputException;

/** Initialisation schemes by name ({@code --init}); each is applied after the network's structure is built. */
public final class InitSchemes {
    public static final List<String> NAMES = List.of("random");

    private InitSchemes() {}

    public static InitResult apply(String scheme, Architecture arch, Path weights, long seed) {
        String name = scheme == null ? "random" : scheme.trim();
        long initSeed = Seeds.stream(seed, "init");
        if (name.equals("random")) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("scheme", "random");
            report.put("rule", "conv: kaiming normal (fan_out, relu); linear: uniform +-1/sqrt(fan_in); bn: identity");
            report.put("reinitialised", arch.specs().size());
            return new InitResult(RandomInit.of(arch, initSeed), report);
        }
        throw new BadInputException("unknown init scheme '" + scheme + "' (expected one of " + String.join(", ", NAMES)
                + ")");
    }
}
