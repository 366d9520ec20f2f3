package org.transfusion.cli;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.engine.run.RunSpec;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of the run-defining flags of {@code train} and {@code pretrain}, read off {@link RunSpec#DEFAULTS}
 * (the one source of run defaults, which the study spec reads too) and spelt as each flag takes its value, so
 * that {@code ${DEFAULT-VALUE}} in the help shows them. Picocli's {@code defaultValue} must be a constant, hence a
 * provider.
 */
public final class RunDefaults implements IDefaultValueProvider {
    /** Each flag with a default, by its long name, as text the flag parses back to the default. */
    static final Map<String, String> FLAGS = flags(RunSpec.DEFAULTS);

    @Override
    public String defaultValue(ArgSpec arg) {
        return arg instanceof OptionSpec o ? FLAGS.get(o.longestName()) : null;
    }

    private static Map<String, String> flags(RunSpec d) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("--init", d.init().spec());
        m.put("--epochs", String.valueOf(d.epochs()));
        m.put("--batch-size", String.valueOf(d.batchSize()));
        m.put("--lr", number(d.lr()));
        m.put("--optimizer", d.optimizer().spec());
        m.put("--momentum", number(d.momentum()));
        m.put("--weight-decay", number(d.weightDecay()));
        m.put("--schedule", d.schedule().spec());
        m.put("--augment", d.augment().spec());
        m.put("--width", number(d.width()));
        m.put("--eval-every", String.valueOf(d.evalEvery()));
        m.put("--snapshots", String.valueOf(d.snapshots()));
        m.put("--uncertainty", d.uncertainty().spec());
        m.put("--all-views", String.valueOf(!d.frontalOnly()));
        m.put("--class-weights", d.classWeights().spec());
        m.put("--sampler", d.sampler().spec());
        m.put("--subset-sampling", d.subsetSampling().spec());
        m.put("--operating-point", d.operatingPoint().spec());
        m.put("--calibrate", d.calibrate().spec());
        m.put("--seed", String.valueOf(d.seed()));
        m.put("--threads", String.valueOf(d.threads()));
        return Map.copyOf(m);
    }

    /** 0.001, 0.0001, 1.0: as a person writes it (Java writes 1.0E-4). */
    static String number(double v) {
        String s = Double.toString(v);
        return s.contains("E") ? new BigDecimal(s).stripTrailingZeros().toPlainString() : s;
    }
}
