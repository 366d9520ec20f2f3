package org.transfusion.engine.init;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.transfusion.engine.Seeds;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;

/**
 * Initialisation schemes by name ({@code --init}), applied after the network's structure is built:
 * <ul>
 *   <li>{@code random}: torchvision's random init ({@link RandomInit});</li>
 *   <li>{@code pretrained}: every fitting tensor from {@code --weights}, a new head re-initialised;</li>
 *   <li>{@code meanvar}: Mean Var Init, batch-norm identity; {@code meanvar-bn-copy}: batch-norm copied;</li>
 *   <li>{@code transfusion:BLOCK}: pretrained up to and including BLOCK, random above;</li>
 *   <li>{@code slim}: for a {@code -slim} model, pretrained up to its boundary block, the halved rest random;</li>
 *   <li>{@code gabor[:low|high|mixed]}: the first conv a synthetic Gabor bank, the rest random;
 *       {@code gabor+meanvar[:band]}: the rest Mean Var.</li>
 * </ul>
 * Each scheme draws from its own named random stream under the run's seed and returns a report for run.json.
 */
public final class InitSchemes {
    public static final List<String> NAMES = List.of("random", "pretrained", "meanvar", "meanvar-bn-copy",
            "transfusion:BLOCK", "slim", "gabor[:low|high|mixed]", "gabor+meanvar[:low|high|mixed]");

    private InitSchemes() {}

    /** Whether the scheme needs {@code --weights}. */
    public static boolean needsWeights(String scheme) {
        String s = scheme.toLowerCase(Locale.ROOT);
        return s.equals("pretrained") || s.startsWith("meanvar") || s.startsWith("transfusion:") || s.equals("slim")
                || s.startsWith("gabor+meanvar");
    }

    public static InitResult apply(String scheme, Architecture arch, Path weights, long seed) {
        String name = scheme == null ? "random" : scheme.trim().toLowerCase(Locale.ROOT);
        long initSeed = Seeds.stream(seed, "init");
        StateDict random = RandomInit.of(arch, initSeed);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("scheme", name);
        if (needsWeights(name) && weights == null) {
            throw new BadInputException("--init " + name + " needs --weights FILE (pretrained weights, safetensors)");
        }
        if (!needsWeights(name) && weights != null) {
            throw new BadInputException("--weights is not used by --init " + name + " (schemes that use it: "
                    + "pretrained, meanvar, meanvar-bn-copy, transfusion:BLOCK, slim, gabor+meanvar)");
        }
        if (weights != null) {
            report.put("weights", weights.toAbsolutePath().normalize().toString());
        }
        Transfer.Report transfer = new Transfer.Report();
        StateDict result;
        if (name.equals("random")) {
            report.put("rule", "conv: kaiming normal (fan_out, relu); linear: uniform +-1/sqrt(fan_in); bn: identity");
            return new InitResult(random, report);
        } else if (name.equals("pretrained")) {
            result = Transfer.apply(arch, source(weights, arch, initSeed), random, key -> false, weights.toString(), transfer);
        } else if (name.equals("meanvar") || name.equals("meanvar-bn-copy")) {
            StateDict fitted = Transfer.apply(arch, source(weights, arch, initSeed), random, key -> false, weights.toString(), transfer);
            result = MeanVar.draw(arch, fitted, name.equals("meanvar-bn-copy"), Seeds.stream(initSeed, "meanvar"),
                    classifierKept(arch, transfer), transfer);
        } else if (name.startsWith("transfusion:")) {
            String block = name.substring("transfusion:".length());
            report.put("up_to_block", block);
            result = Transfer.apply(arch, source(weights, arch, initSeed), random, above(arch, block), weights.toString(), transfer);
        } else if (name.equals("slim")) {
            String boundary = arch.slimBoundary();
            if (boundary == null) {
                throw new BadInputException("--init slim needs a slim model (e.g. --model resnet50-slim); "
                        + arch.name() + " is not one");
            }
            report.put("up_to_block", boundary);
            result = Transfer.apply(arch, onlyFitting(arch, source(weights, arch, initSeed), above(arch, boundary)), random,
                    above(arch, boundary), weights.toString(), transfer);
        } else if (name.equals("gabor") || name.startsWith("gabor:") || name.startsWith("gabor+meanvar")) {
            boolean withMeanVar = name.startsWith("gabor+meanvar");
            String rest = withMeanVar ? name.substring("gabor+meanvar".length()) : name.substring("gabor".length());
            String band = rest.isEmpty() ? "mixed" : rest.substring(1);
            String firstConv = arch.firstConvPrefix() + ".weight";
            GaborBank bank = GaborBank.of(band, (int) arch.specs().get(firstConv).shape()[2]);
            report.put("gabor", bank.describe());
            StateDict base = random;
            if (withMeanVar) {
                StateDict fitted = Transfer.apply(arch, source(weights, arch, initSeed), random, key -> false, weights.toString(),
                        transfer);
                base = MeanVar.draw(arch, fitted, false, Seeds.stream(initSeed, "meanvar"),
                        classifierKept(arch, transfer).or(firstConv::equals), transfer);
            }
            result = base.copy();
            result.put(firstConv, bank.fill(arch.specs().get(firstConv).shape()));
            report.put("gabor_tensor", firstConv);
        } else {
            throw new BadInputException("unknown init scheme '" + scheme + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        }
        report.put("transfer", transfer.toMap());
        return new InitResult(result, report);
    }

    /** Pretrained weights: safetensors with our keys, or Keras' MobileNetV2 .npz through its explicit key map. */
    private static StateDict source(Path weights, Architecture arch, long seed) {
        if (weights.toString().endsWith(".npz")) {
            return org.transfusion.engine.weights.KerasMobileNetV2.load(weights, arch, seed).weights();
        }
        return SafeTensors.read(weights);
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

    /** The classifier keeps its random init when transfer re-initialised it (a new head for other classes). */
    private static Predicate<String> classifierKept(Architecture arch, Transfer.Report transfer) {
        return transfer.reinitialised::contains;
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
