package org.transfusion.cli;

import java.util.concurrent.Callable;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code transfusion models}: the registry's model cards as a table. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the models and their metadata.")
public final class ModelsCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        // The name and family columns are as wide as their longest entry, so that every row keeps its columns.
        int width = Math.max(20, ModelRegistry.all().stream().mapToInt(m -> m.name().length()).max().orElse(0));
        int familyWidth = Math.max(9, ModelRegistry.all().stream().mapToInt(m -> m.family().label().length()).max()
                .orElse(0));
        String row = "%-" + width + "s %-" + familyWidth + "s %-5s %12s %6s %-22s %-13s %s%n";
        out.printf(row, "name", "family", "size", "params(3->2)", "input", "first conv", "classifier", "description");
        for (ModelCard m : ModelRegistry.all()) {
            out.printf(row, m.name(), m.family().label(), m.sizeClass().label(), m.trainableParameters(),
                    m.defaultImageSize(), m.firstConvKey(), m.classifierPrefix(), m.description());
        }
        out.flush();
        return 0;
    }
}
