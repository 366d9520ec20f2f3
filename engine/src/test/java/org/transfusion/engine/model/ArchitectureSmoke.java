package org.transfusion.engine.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays.MemoryFormat;
import org.transfusion.engine.data.BatchArrays;

/**
 * Runs every registered architecture the way a run does — a training step's forward and backward, an evaluation
 * forward, a probe's forward with every layer tapped — in both memory layouts, at full width (the channel counts
 * decide which native kernels run) and at a small image size, printing "start NAME ..." before and "ok NAME ..."
 * after each. Run in its own JVM by {@link EveryArchitectureRunsTest}, so that a native crash on this CPU is a
 * named test failure rather than a lost test JVM. Arguments: image sizes (default 64).
 */
public final class ArchitectureSmoke {
    private ArchitectureSmoke() {}

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        if (sizes.isEmpty()) {
            sizes.add(64);
        }
        for (ModelCard info : ModelRegistry.all()) {
            // Width multipliers change channel counts, and channel counts choose native kernels: every width a
            // model honours (it does when width 0.5 changes its size) runs at 0.35, 1.0 and 1.4.
            boolean widths = parameters(info.build(3, 5, 0.5)) != parameters(info.build(3, 5, 1.0));
            for (double width : widths ? new double[] {0.35, 1.0, 1.4} : new double[] {1.0}) {
                runAll(info, width, sizes);
            }
        }
    }

    private static long parameters(Architecture arch) {
        long total = 0;
        for (TensorSpec spec : arch.specs().values()) {
            long size = 1;
            for (long d : spec.shape()) {
                size *= d;
            }
            total += size;
        }
        return total;
    }

    private static void runAll(ModelCard info, double width, List<Integer> sizes) {
        Architecture arch = info.build(3, 5, width);
        for (int requested : sizes) {
            int size = Math.max(requested, arch.minImageSize());
            for (MemoryFormat format : MemoryFormat.values()) {
                String what = info.name() + " width " + width + " " + size + " px "
                        + format.name().toLowerCase(Locale.ROOT);
                System.out.println("start " + what);
                System.out.flush();
                run(arch, size, format);
                System.out.println("ok " + what);
                System.out.flush();
            }
        }
    }

    private static void run(Architecture arch, int size, MemoryFormat format) {
        int n = 4;
        Batch b = new Batch(0, n, 3, size, DeterministicWeights.input(n, 3, size, size), new float[n], 1);
        try (NDManager root = NDManager.newBaseManager();
             Network net = Network.create(root, arch, DeterministicWeights.of(arch))) {
            try (NDManager s = net.manager().newSubManager()) {
                NDArray x = new BatchArrays(format).images(s, b);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(net.forward(x, true).sum());
                }
                NDArray firstConv = net.trainable().get(arch.firstConvPrefix() + ".weight");
                check(firstConv.getGradient().toFloatArray(), arch.name() + " first-layer gradients");
                check(net.forward(x, false).toFloatArray(), arch.name() + " evaluation logits");
                List<String> tapped = new ArrayList<>();
                net.forward(x, false, Taps.of(layer -> true, (layer, a) -> tapped.add(layer))).toFloatArray();
                if (!tapped.containsAll(arch.layers())) {
                    throw new IllegalStateException(arch.name() + ": probe saw " + tapped + ", expected " + arch.layers());
                }
            }
        }
    }

    private static void check(float[] values, String what) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException(what + " hold a non-finite value");
            }
        }
    }
}
