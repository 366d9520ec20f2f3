package org.transfusion.similarity;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.transfusion.error.BadInputException;

/** The similarity measures, with their command-line and JSON names. */
public enum Method {
    CCA("cca", "cca"),
    SVCCA("svcca", "svcca"),
    PWCCA("pwcca", "pwcca"),
    CKA_LINEAR("cka-linear", "cka_linear"),
    CKA_RBF("cka-rbf", "cka_rbf");

    private final String cliName;
    private final String jsonKey;

    Method(String cliName, String jsonKey) {
        this.cliName = cliName;
        this.jsonKey = jsonKey;
    }

    public String cliName() {
        return cliName;
    }

    public String jsonKey() {
        return jsonKey;
    }

    /** Methods from a comma-separated list of command-line names; {@code all} means every one. */
    public static Set<Method> parse(String spec) {
        Set<Method> out = EnumSet.noneOf(Method.class);
        for (String part : spec.split(",")) {
            String name = part.strip().toLowerCase();
            if (name.equals("all")) {
                out.addAll(EnumSet.allOf(Method.class));
                continue;
            }
            Method m = Arrays.stream(values()).filter(v -> v.cliName.equals(name)).findFirst()
                    .orElseThrow(() -> new BadInputException("method: unknown '" + part.strip() + "' (expected "
                            + Arrays.stream(values()).map(Method::cliName).collect(Collectors.joining(", ")) + " or all)"));
            out.add(m);
        }
        return out;
    }
}
