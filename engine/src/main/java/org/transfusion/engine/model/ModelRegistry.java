package org.transfusion.engine.model;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.transfusion.error.BadInputException;

/** Models by name (DESIGN.md): the CBR family, and the ImageNet architectures for transfer. */
public final class ModelRegistry {
    private static final Map<String, ModelInfo> MODELS = new LinkedHashMap<>();

    static {
        register(new ModelInfo("cbr-large-tall", "CBR: 5 x (7x7 conv-bn-relu), 32-64-128-256-512, no pool after the 5th",
                224, "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-large-tall", c, k, new int[] {32, 64, 128, 256, 512}, 7,
                        new boolean[] {true, true, true, true, false})));
        register(new ModelInfo("cbr-large-wide", "CBR: 4 x (7x7 conv-bn-relu), 64-128-256-512", 224,
                "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-large-wide", c, k, new int[] {64, 128, 256, 512}, 7, allPools(4))));
        register(new ModelInfo("cbr-small", "CBR: 4 x (7x7 conv-bn-relu), 32-64-128-256", 224,
                "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-small", c, k, new int[] {32, 64, 128, 256}, 7, allPools(4))));
        register(new ModelInfo("cbr-tiny", "CBR: 4 x (5x5 conv-bn-relu), 64-128-256-512", 224,
                "layers.0.conv.weight", "fc", "imagenet",
                (c, k, w) -> new CbrNet("cbr-tiny", c, k, new int[] {64, 128, 256, 512}, 5, allPools(4))));
    }

    static {
        for (String base : new String[] {"cbr-large-tall", "cbr-large-wide", "cbr-small", "cbr-tiny"}) {
            ModelInfo full = MODELS.get(base);
            register(new ModelInfo(base + "-slim", full.description() + "; slim: layers after layer2 at half width",
                    full.defaultImageSize(), full.firstConvKey(), full.classifierKey(), full.normalisation(),
                    (c, k, w) -> {
                        CbrNet parent = (CbrNet) full.build(c, k, w);
                        return new CbrNet(base + "-slim", c, k, CbrNet.slim(parent.widths()), parent.kernel(),
                                parent.poolAfter(), "layer2");
                    }));
        }
    }

    private ModelRegistry() {}

    private static boolean[] allPools(int n) {
        boolean[] p = new boolean[n];
        java.util.Arrays.fill(p, true);
        return p;
    }

    /** Adds a model; later modules (e.g. the ImageNet architectures) register theirs here too. */
    public static synchronized void register(ModelInfo info) {
        MODELS.put(info.name(), info);
    }

    public static synchronized ModelInfo get(String name) {
        ModelInfo info = MODELS.get(name);
        if (info == null) {
            throw new BadInputException("unknown model '" + name + "' (expected one of "
                    + String.join(", ", MODELS.keySet()) + ")");
        }
        return info;
    }

    public static synchronized Collection<ModelInfo> all() {
        return Collections.unmodifiableCollection(MODELS.values());
    }
}
