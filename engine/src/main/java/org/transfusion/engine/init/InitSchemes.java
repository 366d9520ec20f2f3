package org.transfusion.engine.init;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.engine.model.TensorSpec;
import org.transfusion.engine.weights.KerasMobileNetV2;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Applies an {@link InitScheme} after the network's structure is built. Each scheme draws from its own named
 * random stream under the run's seed and returns a report for run.json.
 */
public final class InitSchemes {
    private InitSchemes() {}

    /** {@link #apply(InitScheme, Architecture, Path, long)} for a scheme given by name. */
    public static InitResult apply(String scheme, Architecture arch, Path weights, long seed) {
        return apply(InitScheme.parse(scheme == null ? "random" : scheme), arch, weights, seed);
    }

    public static InitResult apply(InitScheme scheme, Architecture arch, Path weights, long seed) {
        long initSeed = Seeds.stream(seed, "init");
        StateDict random = RandomInit.of(arch, initSeed);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("scheme", scheme.spec());
        long own = arch.specs().keySet().stream().filter(k -> !arch.takesWeights(k)).count();
        if (own > 0) {
            // A U-Net's decoder: no scheme draws it from weights (RandomInit, whatever the scheme).
            report.put("decoder", "random (conv: kaiming normal (fan_out, relu); bn: identity), " + own + " tensors");
        }
        if (scheme.needsWeights() && weights == null) {
            throw new BadInputException("--init " + scheme.spec() + " needs --weights FILE (pretrained weights, "
                    + "safetensors)");
        }
        if (!scheme.needsWeights() && weights != null) {
            throw new BadInputException("--weights is not used by --init " + scheme.spec() + " (schemes that use it: "
                    + "pretrained, meanvar, meanvar-bn-copy, shuffle, moments, covariance, meanvar-channel, "
                    + "transfusion:BLOCK, slim, gabor+meanvar)");
        }
        scheme.checkFits(arch);
        if (weights != null) {
            report.put("weights", weights.toAbsolutePath().normalize().toString());
        }
        Transfer.Report transfer = new Transfer.Report();
        StateDict result;
        if (scheme instanceof InitScheme.Random) {
            report.put("rule", arch.initRule().description());
            return new InitResult(random, report);
        } else if (scheme instanceof InitScheme.Pretrained) {
            result = Transfer.apply(arch, source(weights, arch, initSeed, transfer), random, key -> false, weights.toString(),
                    transfer);
        } else if (scheme instanceof InitScheme.MeanVar mv) {
            StateDict fitted = Transfer.apply(arch, source(weights, arch, initSeed, transfer), random, key -> false,
                    weights.toString(), transfer);
            result = MeanVar.draw(arch, fitted, mv.copyBatchNorm(), Seeds.stream(initSeed, "meanvar"),
                    classifierKept(transfer), transfer);
        } else if (scheme instanceof InitScheme.Redrawn r) {
            StateDict fitted = Transfer.apply(arch, source(weights, arch, initSeed, transfer), random, key -> false,
                    weights.toString(), transfer);
            Map<String, Integer> how = new TreeMap<>();
            result = r.redraw().apply(arch, fitted, Seeds.stream(initSeed, r.spec()), classifierKept(transfer),
                    transfer, how);
            report.put("drawn_as", how);
        } else if (scheme instanceof InitScheme.Transfusion t) {
            report.put("up_to_block", t.block());
            result = Transfer.apply(arch, source(weights, arch, initSeed, transfer), random, above(arch, t.block()),
                    weights.toString(), transfer);
        } else if (scheme instanceof InitScheme.Slim) {
            String boundary = arch.slimBoundary();
            report.put("up_to_block", boundary);
            result = Transfer.apply(arch, onlyFitting(arch, source(weights, arch, initSeed, transfer), above(arch, boundary)),
                    random, above(arch, boundary), weights.toString(), transfer);
        } else {
            InitScheme.Gabor g = (InitScheme.Gabor) scheme;
            String firstConv = arch.firstConvPrefix() + ".weight";
            GaborBank bank = GaborBank.of(g.band(), (int) arch.specs().get(firstConv).shape()[2]);
            report.put("gabor", bank.describe());
            StateDict base = random;
            if (g.meanVar()) {
                StateDict fitted = Transfer.apply(arch, source(weights, arch, initSeed, transfer), random, key -> false,
                        weights.toString(), transfer);
                base = MeanVar.draw(arch, fitted, false, Seeds.stream(initSeed, "meanvar"),
                        classifierKept(transfer).or(firstConv::equals), transfer);
            }
            result = base.copy();
            result.put(firstConv, bank.fill(arch.specs().get(firstConv).shape()));
            report.put("gabor_tensor", firstConv);
        }
        report.put("transfer", transfer.toMap());
        return new InitResult(result, report);
    }

    /**
     * Pretrained weights: safetensors with our keys, or Keras' MobileNetV2 .npz through its explicit key map. Values
     * no trained network holds are refused here, not found when the loss diverges or the AUC stays at chance: NaN
     * or infinity, a batch-norm running variance below zero, and integers (a tensor declared I32, say) where the
     * model's parameter is a float.
     */
    private static StateDict source(Path weights, Architecture arch, long seed, Transfer.Report transfer) {
        StateDict w;
        if (KerasMobileNetV2.isKerasExport(weights)) {
            w = KerasMobileNetV2.load(weights, arch.transferSource(), seed).weights();
        } else {
            SafeTensors.Contents c = SafeTensors.readWithMetadata(weights);
            c.dtypes().forEach((key, dtype) -> {
                TensorSpec spec = arch.specs().getOrDefault(key, arch.specs().get(arch.transferPrefix() + key));
                boolean floatParameter = spec != null && spec.kind() != TensorKind.BN_BATCHES_TRACKED;
                if (floatParameter && !SafeTensors.isFloat(dtype)) {
                    throw new BadInputException(weights + ": tensor '" + key + "' is declared " + dtype
                            + " (expected a float dtype, F32, F16, BF16 or F64, for weights)");
                }
            });
            w = c.tensors();
        }
        SafeTensors.requireFinite(weights, w);
        w = Transfer.keyedForTarget(arch, w, transfer);
        for (String key : w.keys()) {
            TensorSpec spec = arch.specs().get(key);
            if (spec == null || spec.kind() != TensorKind.BN_RUNNING_VAR) {
                continue;
            }
            float[] v = w.get(key).values();
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0) {
                    throw new BadInputException(weights + ": tensor '" + key + "' holds " + v[i] + " at index " + i
                            + " (expected a batch-norm running variance of at least 0)");
                }
            }
        }
        return w;
    }

    /** Tensors in blocks after {@code block} (validated against the architecture's blocks). */
    static Predicate<String> above(Architecture arch, String block) {
        List<String> blocks = arch.blocks();
        int limit = blocks.indexOf(block);
        if (limit < 0) {
            throw new BadInputException("unknown block '" + block + "' for " + arch.name() + " (expected one of "
                    + String.join(", ", blocks) + ")");
        }
        return key -> blocks.indexOf(arch.blockOf(key)) > limit;
    }

    /**
     * The classifier keeps its random init when transfer re-initialised it (a new head for other classes), and so
     * does a U-Net's decoder, which no weights give.
     */
    private static Predicate<String> classifierKept(Transfer.Report transfer) {
        Set<String> kept = new HashSet<>(transfer.reinitialised);
        kept.addAll(transfer.alwaysRandom);
        return kept::contains;
    }

    /** The source without the tensors that the slim target rebuilds (their shapes differ by design). */
    private static StateDict onlyFitting(Architecture arch, StateDict source, Predicate<String> rebuilt) {
        StateDict out = new StateDict();
        for (String key : source.keys()) {
            if (!rebuilt.test(key) && (arch.specs().containsKey(key) || key.endsWith("num_batches_tracked"))) {
                out.put(key, source.get(key));
            }
        }
        return out;
    }
}
