package org.transfusion.study;

import java.nio.file.Path;
import java.util.Locale;
import org.transfusion.error.BadInputException;

/**
 * One pretraining source a practitioner study compares ({@code experiments.practitioner.sources}), resolved per
 * model by {@link Plan#weightsFrom}; a source without weights for a model is left out of that model's arms, and
 * {@code study --plan} says so.
 *
 * <ul>
 * <li>{@code published}: the model's default published checkpoint (its card's, fetched from the hub);
 * <li>{@code hub:TAG}: another published checkpoint of the model by its tag ({@code a1_in1k},
 * {@code fb_swsl_ig1b_ft_in1k}; {@code transfusion weights list} lists them);
 * <li>{@code weights}: the model's file in {@code pretrain.weights} ({@code --weights-dir}), e.g. Keras' ImageNet
 * MobileNetV2 export;
 * <li>{@code own}: the study's own pretraining run on {@code pretrain.data} (e.g. CIFAR-10);
 * <li>{@code file:PATH}: a checkpoint file (safetensors, .npz) for every model of the study whose keys it fits: a
 * medical-domain checkpoint (RadImageNet, a torchxrayvision DenseNet converted to safetensors), a user's own
 * pretraining run's {@code weights.safetensors}.
 * </ul>
 */
public record WeightsSpec(Kind kind, String arg) {
    public enum Kind { PUBLISHED, HUB, WEIGHTS, OWN, FILE }

    public WeightsSpec {
        if ((kind == Kind.HUB || kind == Kind.FILE) == (arg == null || arg.isBlank())) {
            throw new IllegalArgumentException(kind + (arg == null ? " needs an argument" : " takes no argument"));
        }
    }

    /** Parses {@code published}, {@code hub:TAG}, {@code weights}, {@code own} or {@code file:PATH}. */
    public static WeightsSpec parse(String text) {
        String t = text == null ? "" : text.strip();
        int colon = t.indexOf(':');
        String head = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
        String arg = colon < 0 ? null : t.substring(colon + 1).strip();
        switch (head) {
            case "published", "weights", "own" -> {
                if (arg != null) {
                    throw new BadInputException("pretraining source '" + text + "': " + head + " takes no argument");
                }
                return new WeightsSpec(Kind.valueOf(head.toUpperCase(Locale.ROOT)), null);
            }
            case "hub", "file" -> {
                if (arg == null || arg.isEmpty()) {
                    throw new BadInputException("pretraining source '" + text + "': expected " + head + ":"
                            + (head.equals("hub") ? "TAG (a published checkpoint's tag, e.g. hub:a1_in1k)"
                            : "PATH (a safetensors or .npz checkpoint)"));
                }
                if (head.equals("hub") && !arg.matches("[A-Za-z0-9_]+")) {
                    throw new BadInputException("pretraining source '" + text + "': a tag is letters, digits and _ "
                            + "(e.g. hub:a1_in1k; `transfusion weights list` shows each checkpoint's)");
                }
                return new WeightsSpec(head.equals("hub") ? Kind.HUB : Kind.FILE, arg);
            }
            default -> throw new BadInputException("unknown pretraining source '" + text + "' (expected published, "
                    + "hub:TAG, weights, own or file:PATH)");
        }
    }

    /** The canonical text ({@code hub:a1_in1k}), which {@link #parse} reads back. */
    public String spec() {
        return switch (kind) {
            case HUB -> "hub:" + arg;
            case FILE -> "file:" + arg;
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }

    /**
     * The source's name in run ids and the report: {@code published}, the hub tag, {@code weights}, {@code own}, or
     * {@code file-NAME} (the file's name without its extension, letters, digits, {@code .}, {@code _} and
     * {@code -} kept).
     */
    public String slug() {
        return switch (kind) {
            case HUB -> arg;
            case FILE -> {
                String name = Path.of(arg).getFileName().toString();
                int dot = name.lastIndexOf('.');
                yield "file-" + (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9._-]", "_");
            }
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }
}
