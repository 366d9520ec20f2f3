package org.transfusion.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.transfusion.error.BadInputException;

/**
 * The per-channel mean and standard deviation (RGB, on values scaled to [0, 1]) that a model's pretrained weights
 * expect their inputs normalised with: {@code (v - mean) / std}. A grey (1-channel) input uses the average of the
 * three channels' values, which gives torchvision's grey ImageNet statistics (0.449, 0.226).
 */
public record Normalisation(List<Double> mean, List<Double> std) {
    /** torchvision's ImageNet statistics. */
    public static final Normalisation IMAGENET = new Normalisation(List.of(0.485, 0.456, 0.406),
            List.of(0.229, 0.224, 0.225));
    /**
     * Inputs scaled to [-1, 1]: torchvision's ImageNet Inception weights expect it (their transform_input turns
     * ImageNet-normalised inputs into exactly that), and so do Keras' MobileNetV2 weights (x / 127.5 - 1).
     */
    public static final Normalisation INCEPTION = new Normalisation(List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5));

    public Normalisation {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (mean.size() != 3 || std.size() != 3) {
            throw new IllegalArgumentException("a normalisation has 3 means and 3 stds (RGB), got " + mean + " and "
                    + std);
        }
        if (std.stream().anyMatch(s -> !(s > 0) || Double.isInfinite(s))) {
            throw new IllegalArgumentException("stds must be positive and finite, got " + std);
        }
    }

    /** The means for an input of {@code channels} (3: RGB; 1: their average). */
    public float[] mean(int channels) {
        return values(mean, channels);
    }

    /** The stds for an input of {@code channels} (3: RGB; 1: their average). */
    public float[] std(int channels) {
        return values(std, channels);
    }

    private static float[] values(List<Double> rgb, int channels) {
        if (channels == 1) {
            return new float[] {(float) ((rgb.get(0) + rgb.get(1) + rgb.get(2)) / 3)};
        }
        if (channels != 3) {
            throw new IllegalArgumentException("model channels must be 1 or 3, got " + channels);
        }
        return new float[] {rgb.get(0).floatValue(), rgb.get(1).floatValue(), rgb.get(2).floatValue()};
    }

    /**
     * A normalisation by name ({@code imagenet}, {@code inception}: mean and std 0.5) or as its values,
     * {@code M,M,M/S,S,S} (RGB means, then stds, on values scaled to [0, 1]).
     */
    public static Normalisation parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("imagenet")) {
            return IMAGENET;
        }
        if (t.equals("inception")) {
            return INCEPTION;
        }
        String expected = "expected imagenet, inception, or three means and three stds as M,M,M/S,S,S (e.g. "
                + "0.5,0.5,0.5/0.25,0.25,0.25)";
        String[] parts = text.strip().split("/", -1);
        if (parts.length != 2) {
            throw new BadInputException("normalisation '" + text + "': " + expected);
        }
        try {
            return new Normalisation(numbers(parts[0]), numbers(parts[1]));
        } catch (NumberFormatException e) {
            throw new BadInputException("normalisation '" + text + "': not a number (" + e.getMessage() + "); "
                    + expected);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("normalisation '" + text + "': " + e.getMessage() + "; " + expected);
        }
    }

    private static List<Double> numbers(String csv) {
        List<Double> out = new ArrayList<>();
        for (String v : csv.split(",", -1)) {
            double d = Double.parseDouble(v.strip());
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("values must be finite, got " + v.strip());
            }
            out.add(d);
        }
        return out;
    }

    /** "imagenet", "inception", or the values of any other. */
    public String label() {
        if (equals(IMAGENET)) {
            return "imagenet";
        }
        if (equals(INCEPTION)) {
            return "inception";
        }
        return String.format(Locale.ROOT, "mean %s std %s", mean, std);
    }
}
