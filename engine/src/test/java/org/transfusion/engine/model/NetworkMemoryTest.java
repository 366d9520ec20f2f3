package org.transfusion.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.transfusion.engine.data.Batch;
import org.transfusion.engine.data.BatchArrays;

/**
 * A forward (and backward) pass run inside a per-step manager must leave nothing behind in the network's own
 * manager: whatever an op derives from a parameter (a reshaped or sliced weight) is attached by DJL to the
 * parameter's manager unless moved, and then lives as long as the network (a leak of 4 MB per step at 28 px
 * before {@link SmallMapConv} moved its weight views). 28 px (densenet121: its minimum, 29) puts every
 * architecture's last stage on 1x1 or 2x2 maps, where the small-map convolutions run.
 */
class NetworkMemoryTest {

    @Test
    void stepsLeaveNoArraysInTheNetworksManager() {
        for (String model : new String[] {"cbr-tiny", "mobilenet-v2", "resnet50", "densenet121"}) {
            Architecture arch = ModelRegistry.get(model).build(3, 4, model.equals("mobilenet-v2") ? 0.35 : 1.0);
            int size = Math.max(28, arch.minImageSize());
            Batch b = new Batch(0, 4, 3, size, DeterministicWeights.input(4, 3, size, size), new float[4], 1);
            try (NDManager root = NDManager.newBaseManager();
                 Network net = Network.create(root, arch, DeterministicWeights.of(arch))) {
                int before = managed(net);
                for (boolean training : new boolean[] {false, true}) {
                    for (int step = 0; step < 3; step++) {
                        try (NDManager s = net.manager().newSubManager()) {
                            NDArray x = new BatchArrays().images(s, b);
                            if (training) {
                                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                    gc.backward(net.forward(x, true).sum());
                                }
                            } else {
                                net.forward(x, false).toFloatArray();
                            }
                        }
                    }
                    assertThat(managed(net)).as(model + ", training=" + training).isEqualTo(before);
                }
            }
        }
    }

    /**
     * An inference forward closes every activation map it made ({@link Architecture#free}): a map left open lives
     * until the step ends, and for a deep network (densenet121's 58 dense layers each grow a concatenation) those
     * add up to several times the memory a forward needs. Counted as the step's open 4-D arrays whose first
     * dimension is the batch (weight views have their channels there). Not Inception-v3: it does not free its
     * branches yet.
     */
    @Test
    void inferenceForwardsCloseTheirActivationMaps() {
        int n = 3;
        for (String model : new String[] {"cbr-tiny", "mobilenet-v2", "resnet18", "resnet50", "densenet121"}) {
            Architecture arch = ModelRegistry.get(model).build(3, 4, 1.0);
            Batch b = new Batch(0, n, 3, 64, DeterministicWeights.input(n, 3, 64, 64), new float[n], 1);
            try (NDManager root = NDManager.newBaseManager();
                 Network net = Network.create(root, arch, DeterministicWeights.of(arch));
                 NDManager s = net.manager().newSubManager()) {
                NDArray x = new BatchArrays().images(s, b);
                long before = maps(s, n);
                net.forward(x, false).toFloatArray();
                assertThat(maps(s, n)).as(model).isEqualTo(before);
            }
        }
    }

    private static long maps(NDManager step, int batch) {
        return ((BaseNDManager) step).getManagedArrays().stream()
                .filter(a -> a.getShape().dimension() == 4 && a.getShape().get(0) == batch).count();
    }

    private static int managed(Network net) {
        return ((BaseNDManager) net.manager()).getManagedArrays().size();
    }
}
