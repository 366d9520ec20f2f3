package org.transfusion.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.transfusion.engine.hub.Hub;
import org.transfusion.engine.hub.PretrainedSource;
import org.transfusion.engine.init.InitResult;
import org.transfusion.engine.init.InitSchemes;
import org.transfusion.engine.io.Json;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.ModelCard;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.PublishedWeights;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.weights.SafeTensors;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfusion weights fetch|verify|list|inspect|init}. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "Fetch published pretrained weights, inspect weight files and write initialised weights.",
        subcommands = {WeightsCommand.Fetch.class, WeightsCommand.Verify.class, WeightsCommand.ListPublished.class,
            WeightsCommand.Inspect.class, WeightsCommand.Init.class})
public final class WeightsCommand implements Runnable {
    /** The model column of `list` and `verify`: as wide as the longest name of a model with published weights. */
    private static final String MODEL_COLUMN = "%-" + PretrainedSource.allCheckpoints().stream()
            .mapToInt(s -> s.model().length()).max().orElse(5) + "s";

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Download a model's published ImageNet weights from the Hugging Face hub into the cache "
                + "(verified by SHA-256), or find them there, and print the file's path.",
                "Honours HF_ENDPOINT, HF_HUB_OFFLINE=1, HF_TOKEN and TRANSFUSION_CACHE (default ~/.cache/transfusion)."})
    static final class Fetch implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "MODEL", description = "A model with published weights (see `weights list`)")
        String model;

        @Option(names = "--tag", paramLabel = "TAG", description = "Another of the model's published checkpoints, "
                + "by its tag (e.g. a1_in1k; see `weights list`); default: the model's default weights")
        String tag;

        @Override
        public Integer call() {
            Hub.Fetched f = Hub.fetch(published(model, tag), Hub.Config.fromEnvironment(), System.err);
            spec.commandLine().getOut().println(f.file());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Hash cached published weights in full against the SHA-256 recorded when they were "
                + "fetched (other commands re-hash a file only when its size or time changed).",
                "Exit 2 when one no longer matches: `weights fetch MODEL` fetches it again."})
    static final class Verify implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "MODEL", description = "A model with published weights")
        String model;

        @Option(names = "--all", description = "Every model with published weights that is cached")
        boolean all;

        @Override
        public Integer call() {
            if ((model == null) != all) {
                throw new BadInputException("weights verify: give one MODEL or --all (expected exactly one)");
            }
            Hub.Config config = Hub.Config.fromEnvironment();
            PrintWriter out = spec.commandLine().getOut();
            List<String> changed = new ArrayList<>();
            for (PretrainedSource s : all ? PretrainedSource.allCheckpoints() : List.of(published(model, null))) {
                Hub.CacheEntry e = Hub.inCache(s, config, true);
                if (e == null && !all) {
                    throw new BadInputException(s.model() + " is not cached (expected its weights fetched by "
                            + "`transfusion weights fetch " + s.model() + "`)");
                }
                out.printf(Locale.ROOT, MODEL_COLUMN + " %-36s %s%n", s.model(), s.repo(), e == null ? "not cached"
                        : e.changed() == null ? "ok " + e.fetched().file() : "CHANGED: " + e.changed());
                if (e != null && e.changed() != null) {
                    changed.add(s.model());
                }
            }
            out.flush();
            if (!changed.isEmpty()) {
                throw new BadInputException("cached weights changed since they were fetched: "
                        + String.join(", ", changed) + " (expected the bytes fetched; fetch again with `transfusion "
                        + "weights fetch " + changed.get(0) + "`, online)");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The published pretrained checkpoints of each model (its default first): source, "
                    + "licence, input, cache state.")
    static final class ListPublished implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Hub.Config config = Hub.Config.fromEnvironment();
            out.printf(Locale.ROOT, MODEL_COLUMN + " %-36s %-13s %5s  %-13s %s%n", "model", "source", "licence", "input", "mean",
                    "cached");
            for (PretrainedSource s : PretrainedSource.allCheckpoints()) {
                Hub.CacheEntry cached = Hub.inCache(s, config, false);
                out.printf(Locale.ROOT, MODEL_COLUMN + " %-36s %-13s %5d  %-13s %s%n", s.model(), s.repo(), s.licence(),
                        s.inputSize(), s.normalisation().label(), cached == null ? "no"
                        : cached.changed() == null ? cached.fetched().file().toString()
                        : "changed since fetched (see `weights verify " + s.model() + "`)");
            }
            out.flush();
            return 0;
        }
    }

    /**
     * The registry's published source of {@code model} (tagged {@code tag}, or its default when null); a bad input
     * naming the models, or the model's tags, that there are otherwise.
     */
    static PretrainedSource published(String model, String tag) {
        return published(model, tag, "--tag");
    }

    /** As {@link #published(String, String)}, naming the option that gave the tag {@code flag}. */
    static PretrainedSource published(String model, String tag, String flag) {
        ModelCard card = ModelRegistry.get(model);
        if (tag != null) {
            PretrainedSource s = PretrainedSource.of(model, tag);
            if (s == null) {
                throw new BadInputException(flag + " " + tag + ": " + model + " has no published checkpoint tagged "
                        + tag + " (expected one of: " + (card.checkpoints().isEmpty() ? "none, it has no published "
                        + "weights" : String.join(", ", card.checkpoints().stream().map(PublishedWeights::tag)
                        .toList())) + ")");
            }
            return s;
        }
        PretrainedSource s = PretrainedSource.of(model);
        if (s == null) {
            throw new BadInputException("no published pretrained weights for " + model + " (published: "
                    + String.join(", ", PretrainedSource.all().stream().map(PretrainedSource::model).toList())
                    + "); pretrain it yourself: transfusion pretrain ... --model " + model);
        }
        return s;
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Print every tensor's key, shape, mean and std (safetensors or .npz).")
    static final class Inspect implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "A .safetensors or .npz file")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            if (file.toString().endsWith(".npz")) {
                for (Map.Entry<String, NpyArray> e : Npy.readNpz(file, java.util.List.of()).entrySet()) {
                    if (!e.getValue().isNumeric()) {
                        throw new BadInputException(file + ": array '" + e.getKey() + "' has dtype "
                                + e.getValue().descr() + ", expected numbers (weights)");
                    }
                    tensors.put(e.getKey(), new HostTensor(e.getValue().shape(), e.getValue().toFloatArray()));
                }
            } else {
                tensors.putAll(SafeTensors.read(file).asMap());
            }
            int width = Math.max(3, tensors.keySet().stream().mapToInt(String::length).max().orElse(3));
            out.printf(Locale.ROOT, "%-" + width + "s  %-20s %12s %12s%n", "key", "shape", "mean", "std");
            long total = 0;
            for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                HostTensor t = e.getValue();
                total += t.values().length;
                out.printf(Locale.ROOT, "%-" + width + "s  %-20s %12.5g %12.5g%n", e.getKey(),
                        java.util.Arrays.toString(t.shape()), t.mean(), t.std());
            }
            out.printf(Locale.ROOT, "%d tensors, %,d values%n", tensors.size(), total);
            out.flush();
            return 0;
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Write a model's initialised weights (any --init scheme) without training.")
    static final class Init implements Callable<Integer> {
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "NAME") String model;
        @Option(names = "--scheme", defaultValue = "random", paramLabel = "SCHEME",
                description = "Initialisation scheme (default: ${DEFAULT-VALUE})") String scheme;
        @Option(names = "--weights", paramLabel = "FILE", description = "Pretrained weights for transfer schemes") Path weights;
        @Option(names = "--seed", defaultValue = "0", paramLabel = "S") long seed;
        @Option(names = "--channels", defaultValue = "3", paramLabel = "1|3") int channels;
        @Option(names = "--outputs", defaultValue = "2", paramLabel = "K", description = "Classifier outputs (default: ${DEFAULT-VALUE})") int outputs;
        @Option(names = "--width", defaultValue = "1.0", paramLabel = "F") double width;
        @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

        @Override
        public Integer call() {
            Architecture arch = ModelRegistry.get(model).build(channels, outputs, width);
            InitResult r = InitSchemes.apply(scheme, arch, weights, seed);
            StateDict w = r.weights();
            SafeTensors.write(out, w, Map.of("model", model, "scheme", scheme, "seed", Long.toString(seed),
                    "report", Json.toString(r.report()).replace('\n', ' ')));
            PrintWriter p = spec.commandLine().getOut();
            p.println("wrote " + out + " (" + w.size() + " tensors, " + model + ", --init " + scheme + ")");
            p.println(Json.toString(r.report()));
            p.flush();
            return 0;
        }
    }
}
