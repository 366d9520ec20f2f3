package org.transfusion.engine.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.transfusion.engine.model.Architecture;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.engine.model.MobileNetV2;
import org.transfusion.engine.model.ModelRegistry;
import org.transfusion.engine.model.RandomInit;
import org.transfusion.engine.model.StateDict;
import org.transfusion.engine.model.TensorKind;
import org.transfusion.engine.model.TensorSpec;
import org.transfusion.error.BadInputException;
import org.transfusion.io.Npy;
import org.transfusion.io.NpyArray;

/**
 * Imports Keras Applications' ImageNet MobileNetV2 backbone ({@code .npz} of Keras-named float32 arrays, as in
 * {@code shared/data/weights/mobilenet_v2_035_imagenet}) into our torchvision-keyed {@code mobilenet-v2-keras}.
 *
 * <p>The key map is explicit: Keras layer {@code Conv1}/{@code bn_Conv1} is {@code features.0.0/1}; {@code
 * expanded_conv_*} (the first block, no expansion) is {@code features.1.conv.0.0/0.1} (depthwise) and {@code
 * conv.1/conv.2} (projection); {@code block_N_{expand,depthwise,project}} (N = 1..16) is {@code
 * features.(N+1).conv.{0,1,2/3}}; {@code Conv_1}/{@code Conv_1_bn} is {@code features.18.0/1}. Conv kernels are
 * HWIO in Keras and OIHW here; depthwise kernels are (H, W, C, 1) and become (C, 1, H, W). BN gamma, beta,
 * moving mean and moving variance are weight, bias, running mean and running variance.
 *
 * <p>The architecture must be the Keras style of MobileNetV2 (TF "same" padding on stride-2 convolutions, BN eps
 * 0.001): torchvision's symmetric padding would shift every stride-2 sampling grid by one pixel and give other
 * features than the weights were trained for. The backbone has no classifier, so {@code classifier.1} is
 * re-initialised (reported); the BN counters are 0 (Keras keeps none). A 1-channel model gets the RGB first
 * conv summed over its input channels (reported as adapted), the usual way to feed grey images to RGB filters.
 */
public final class KerasMobileNetV2 {
    /** The width multiplier of the shared weights. */
    public static final double WIDTH = 0.35;
    /** The registry name of the architecture these weights belong to. */
    public static final String MODEL = ModelRegistry.MOBILENET_V2_KERAS;

    private KerasMobileNetV2() {}

    private enum LayerKind { CONV, DEPTHWISE, BN }

    private record Layer(String keras, String torch, LayerKind kind) {}

    /** The Keras layers with weights, in the order of the Keras graph, and our module prefix for each. */
    private static List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        out.add(new Layer("Conv1", "features.0.0", LayerKind.CONV));
        out.add(new Layer("bn_Conv1", "features.0.1", LayerKind.BN));
        // Block 0 has no expansion conv, so its depthwise conv is torchvision's conv.0 and the projection conv.1.
        out.add(new Layer("expanded_conv_depthwise", "features.1.conv.0.0", LayerKind.DEPTHWISE));
        out.add(new Layer("expanded_conv_depthwise_BN", "features.1.conv.0.1", LayerKind.BN));
        out.add(new Layer("expanded_conv_project", "features.1.conv.1", LayerKind.CONV));
        out.add(new Layer("expanded_conv_project_BN", "features.1.conv.2", LayerKind.BN));
        for (int n = 1; n <= 16; n++) {
            String k = "block_" + n + "_";
            String t = "features." + (n + 1) + ".conv.";
            out.add(new Layer(k + "expand", t + "0.0", LayerKind.CONV));
            out.add(new Layer(k + "expand_BN", t + "0.1", LayerKind.BN));
            out.add(new Layer(k + "depthwise", t + "1.0", LayerKind.DEPTHWISE));
            out.add(new Layer(k + "depthwise_BN", t + "1.1", LayerKind.BN));
            out.add(new Layer(k + "project", t + "2", LayerKind.CONV));
            out.add(new Layer(k + "project_BN", t + "3", LayerKind.BN));
        }
        out.add(new Layer("Conv_1", "features.18.0", LayerKind.CONV));
        out.add(new Layer("Conv_1_bn", "features.18.1", LayerKind.BN));
        return out;
    }

    /** Every Keras array name and the torchvision key it becomes, in Keras layer order. */
    public static Map<String, String> keyMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Layer l : layers()) {
            switch (l.kind) {
                case CONV -> map.put(l.keras + ".kernel", l.torch + ".weight");
                case DEPTHWISE -> map.put(l.keras + ".depthwise_kernel", l.torch + ".weight");
                case BN -> {
                    map.put(l.keras + ".gamma", l.torch + ".weight");
                    map.put(l.keras + ".beta", l.torch + ".bias");
                    map.put(l.keras + ".moving_mean", l.torch + ".running_mean");
                    map.put(l.keras + ".moving_variance", l.torch + ".running_var");
                }
            }
        }
        return map;
    }

    /** Whether {@code weights} is a Keras export (an {@code .npz}, or a folder holding one) rather than safetensors. */
    public static boolean isKerasExport(Path weights) {
        return weights.toString().endsWith(".npz") || java.nio.file.Files.isDirectory(weights);
    }

    /** The architecture the weights fit: Keras-style MobileNetV2 at width 0.35. */
    public static Architecture architecture(int inputChannels, int outputs) {
        return ModelRegistry.get(MODEL).build(inputChannels, outputs, WIDTH);
    }

    /**
     * Reads {@code source} (the {@code .npz}, or a folder holding exactly one) into a state dict for {@code arch}.
     * The report lists the source, the counts copied / adapted / re-initialised, and the conventions.
     */
    public static ImportedWeights load(Path source, Architecture arch, long seed) {
        Path npz = resolve(source);
        if (!(arch instanceof MobileNetV2 m) || m.style() != MobileNetV2.Style.KERAS) {
            throw new BadInputException(npz + ": Keras MobileNetV2 weights need model " + MODEL
                    + " (TF-same padding, BN eps 0.001), not " + arch.name());
        }
        if (arch.inputChannels() != 3 && arch.inputChannels() != 1) {
            throw new BadInputException(npz + ": the pretrained first conv takes RGB; a model with "
                    + arch.inputChannels() + " input channels cannot use it (expected 1 or 3)");
        }
        Map<String, String> map = keyMap();
        List<String> members = Npy.members(npz);
        List<String> unexpected = members.stream().filter(k -> !map.containsKey(k)).toList();
        if (!unexpected.isEmpty()) {
            throw new BadInputException(npz + ": arrays " + unexpected.subList(0, Math.min(3, unexpected.size()))
                    + " are not MobileNetV2 backbone tensors (expected Keras names like Conv1.kernel, bn_Conv1.gamma)");
        }
        List<String> missing = map.keySet().stream().filter(k -> !members.contains(k)).toList();
        if (!missing.isEmpty()) {
            throw new BadInputException(npz + ": missing " + missing.size() + " MobileNetV2 backbone arrays, e.g. "
                    + missing.subList(0, Math.min(3, missing.size())) + " (truncated file or another model?)");
        }
        Map<String, NpyArray> arrays = Npy.readNpz(npz, new ArrayList<>(map.keySet()));

        StateDict out = new StateDict();
        List<String> reinitialised = new ArrayList<>();
        List<String> adapted = new ArrayList<>();
        Map<String, String> torchToKeras = new LinkedHashMap<>();
        map.forEach((k, t) -> torchToKeras.put(t, k));
        int copied = 0;
        int counters = 0;
        for (TensorSpec spec : arch.specs().values()) {
            String keras = torchToKeras.get(spec.key());
            if (keras != null) {
                HostTensor t = convert(npz, keras, arrays.get(keras));
                if (spec.key().equals(arch.firstConvPrefix() + ".weight") && arch.inputChannels() == 1) {
                    t = sumInputChannels(t);
                    adapted.add(spec.key());
                } else {
                    copied++;
                }
                if (!t.sameShape(spec.shape())) {
                    throw new BadInputException(npz + ": array '" + keras + "' gives " + spec.key() + " of shape "
                            + Arrays.toString(t.shape()) + ", expected " + spec.shapeText() + " (are these width "
                            + WIDTH + " weights?)");
                }
                out.put(spec.key(), t);
            } else if (spec.kind() == TensorKind.BN_BATCHES_TRACKED) {
                out.put(spec.key(), HostTensor.zeros(spec.shape()));
                counters++;
            } else if (spec.key().startsWith(arch.classifierPrefix() + ".")) {
                out.put(spec.key(), RandomInit.tensor(arch, spec, seed));
                reinitialised.add(spec.key());
            } else {
                throw new IllegalStateException("no Keras tensor for " + spec.key());
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("scheme", "pretrained");
        report.put("source", npz.toString());
        report.put("format", "keras-npz (HWIO kernels transposed to OIHW, depthwise HWC1 to C1HW)");
        report.put("copied", copied);
        report.put("adapted", adapted);
        report.put("reinitialised", reinitialised);
        report.put("counters_zeroed", counters);
        report.put("conventions", "TF-same padding on stride-2 convs, BN eps 0.001");
        return new ImportedWeights(out, report);
    }

    private static Path resolve(Path source) {
        if (!Files.isDirectory(source)) {
            return source;
        }
        try (Stream<Path> files = Files.list(source)) {
            List<Path> npz = files.filter(f -> f.getFileName().toString().endsWith(".npz")).sorted().toList();
            if (npz.size() != 1) {
                throw new BadInputException(source + ": expected exactly one .npz of Keras MobileNetV2 weights, found "
                        + npz.size());
            }
            return npz.get(0);
        } catch (IOException e) {
            throw new BadInputException(source + ": cannot list (" + e.getMessage() + ")");
        }
    }

    /** Largest kernel side accepted (MobileNetV2 uses 1 x 1 and 3 x 3). */
    static final int MAX_KERNEL_SIDE = 16;

    /** Keras layout to torchvision layout: HWIO -> OIHW; depthwise (H, W, C, 1) -> (C, 1, H, W); BN vectors as is. */
    static HostTensor convert(Path npz, String name, NpyArray a) {
        if (!a.isNumeric()) {
            throw new BadInputException(npz + ": array '" + name + "' holds " + a.dtype() + ", expected float32");
        }
        if (name.endsWith(".kernel") || name.endsWith(".depthwise_kernel")) {
            if (a.ndim() != 4) {
                throw new BadInputException(npz + ": array '" + name + "' has shape " + Arrays.toString(a.shape())
                        + ", expected a 4-d kernel (H, W, in, out)");
            }
            if (a.size() == 0 || a.dim(0) > MAX_KERNEL_SIDE || a.dim(1) > MAX_KERNEL_SIDE) {
                // MobileNetV2's kernels are at most 3 x 3 and never empty; a (65536, 65536, 1, 0) shape would cost
                // four billion empty loop passes before anything noticed.
                throw new BadInputException(npz + ": array '" + name + "' has shape " + Arrays.toString(a.shape())
                        + ", expected a non-empty kernel of at most " + MAX_KERNEL_SIDE + " x " + MAX_KERNEL_SIDE);
            }
            int h = (int) a.dim(0);
            int w = (int) a.dim(1);
            int in = (int) a.dim(2);
            int out = (int) a.dim(3);
            boolean depthwise = name.endsWith(".depthwise_kernel");
            // Depthwise: Keras' "in" axis is the channel and "out" the depth multiplier (1), torchvision wants
            // (channels, 1, H, W): the same loop with the two roles swapped.
            int o = depthwise ? in : out;
            int i = depthwise ? out : in;
            float[] v = new float[h * w * in * out];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ci = 0; ci < in; ci++) {
                        for (int co = 0; co < out; co++) {
                            double value = a.getDouble(((long) (y * w + x) * in + ci) * out + co);
                            int oo = depthwise ? ci : co;
                            int ii = depthwise ? co : ci;
                            v[((oo * i + ii) * h + y) * w + x] = (float) value;
                        }
                    }
                }
            }
            return new HostTensor(new long[] {o, i, h, w}, v);
        }
        if (a.ndim() != 1) {
            throw new BadInputException(npz + ": array '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", expected a vector");
        }
        float[] v = new float[(int) a.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) a.getDouble(k);
        }
        return new HostTensor(a.shape(), v);
    }

    private static HostTensor sumInputChannels(HostTensor t) {
        long[] s = t.shape();
        int out = (int) s[0];
        int in = (int) s[1];
        int hw = (int) (s[2] * s[3]);
        float[] v = new float[out * hw];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                for (int k = 0; k < hw; k++) {
                    v[o * hw + k] += t.values()[(o * in + c) * hw + k];
                }
            }
        }
        return new HostTensor(new long[] {s[0], 1, s[2], s[3]}, v);
    }
}
