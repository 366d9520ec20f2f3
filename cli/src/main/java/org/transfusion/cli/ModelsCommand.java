package org.transfusion.cli;

import java.util.concurrent.Callable;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.ModelInfo;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code transfusion models}: the registry as a table. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the models and their metadata.")
public final class ModelsCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.printf("%-20s %12s %6s %-22s %-13s %s%n", "name", "params(3->2)", "input", "first conv", "classifier",
                "description");
        for (ModelInfo m : ModelRegistry.all()) {
            Architecture a = m.build(3, 2, 1.0);
            long params = a.specs().values().stream().filter(t -> t.kind().trainable()).mapToLong(TensorSpec::size).sum();
            out.printf("%-20s %12d %6d %-22s %-13s %s%n", m.name(), params, m.defaultImageSize(), m.firstConvKey(),
                    m.classifierKey(), m.description());
        }
        out.flush();
        return 0;
    }
}
