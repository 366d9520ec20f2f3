package org.transfusion.engine.init;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.error.BadInputException;

/**
 * Synthetic Gabor filters for a first convolution (the paper's "synthetic Gabor" hybrid): a bank over
 * orientations, wavelengths and phases, each filter
 * {@code g(x, y) = exp(-(x'^2 + gamma^2 y'^2) / (2 sigma^2)) * cos(2 pi x' / lambda + psi)} with
 * {@code x' = x cos(theta) + y sin(theta)}, {@code y' = -x sin(theta) + y cos(theta)}, coordinates centred on the
 * kernel, {@code sigma = sigmaPerLambda * lambda}. Each filter has its mean removed (a filter that responds to
 * flat brightness is not an edge detector), is replicated over the input channels, and is scaled so that the
 * whole bank has the standard deviation He initialisation would give ({@code sqrt(2 / (out * kh * kw))}), so
 * the layer's activations start at the scale the rest of the network expects.
 *
 * <p>Filter {@code f} takes orientation {@code f mod n_theta}, then wavelength, then phase, cycling when the
 * layer has more filters than the bank.
 */
public record GaborBank(String band, int orientations, double[] wavelengths, double[] phases, double gamma,
                        double sigmaPerLambda) {

    /**
     * {@code low}: wavelengths of half, three quarters and the whole kernel; {@code high}: 2, 2.5 and 3 px (2 px
     * is the finest a sampled filter can hold); {@code mixed}: both sets.
     */
    public static GaborBank of(String band, int kernel) {
        double k = kernel;
        double[] low = {k / 2, 3 * k / 4, k};
        double[] high = {2.0, 2.5, 3.0};
        double[] wavelengths = switch (band.toLowerCase(Locale.ROOT)) {
            case "low" -> low;
            case "high" -> high;
            case "mixed" -> new double[] {high[0], high[1], high[2], low[0], low[1], low[2]};
            default -> throw new BadInputException("unknown Gabor band '" + band + "' (expected low, high or mixed)");
        };
        return new GaborBank(band, 8, wavelengths, new double[] {0, Math.PI / 2}, 0.5, 0.56);
    }

    /** The filter value at kernel position (row, col) before normalisation. */
    public double raw(int f, int kh, int kw, int row, int col) {
        int t = f % orientations;
        int w = (f / orientations) % wavelengths.length;
        int p = (f / (orientations * wavelengths.length)) % phases.length;
        double theta = Math.PI * t / orientations;
        double lambda = wavelengths[w];
        double sigma = sigmaPerLambda * lambda;
        double y = row - (kh - 1) / 2.0;
        double x = col - (kw - 1) / 2.0;
        double xr = x * Math.cos(theta) + y * Math.sin(theta);
        double yr = -x * Math.sin(theta) + y * Math.cos(theta);
        return Math.exp(-(xr * xr + gamma * gamma * yr * yr) / (2 * sigma * sigma))
                * Math.cos(2 * Math.PI * xr / lambda + phases[p]);
    }

    /** A first-conv weight of {@code shape} (out, in, kh, kw) filled with the bank. */
    public HostTensor fill(long[] shape) {
        int out = (int) shape[0];
        int in = (int) shape[1];
        int kh = (int) shape[2];
        int kw = (int) shape[3];
        HostTensor t = HostTensor.zeros(shape);
        float[] v = t.values();
        double sumSq = 0;
        double[] filter = new double[kh * kw];
        for (int f = 0; f < out; f++) {
            double mean = 0;
            for (int r = 0; r < kh; r++) {
                for (int c = 0; c < kw; c++) {
                    filter[r * kw + c] = raw(f, kh, kw, r, c);
                    mean += filter[r * kw + c];
                }
            }
            mean /= filter.length;
            for (int ch = 0; ch < in; ch++) {
                for (int i = 0; i < filter.length; i++) {
                    double g = filter[i] - mean;
                    v[(f * in + ch) * filter.length + i] = (float) g;
                    sumSq += g * g;
                }
            }
        }
        double target = Math.sqrt(2.0 / (out * (double) kh * kw));
        double scale = target / Math.sqrt(sumSq / v.length);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * scale);
        }
        return t;
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("band", band);
        m.put("orientations", orientations);
        List<Double> w = new ArrayList<>();
        for (double l : wavelengths) {
            w.add(Math.round(l * 1000) / 1000.0);
        }
        m.put("wavelengths_px", w);
        m.put("phases", List.of(0.0, 0.5 * Math.PI));
        m.put("gamma", gamma);
        m.put("sigma_per_wavelength", sigmaPerLambda);
        m.put("normalisation", "zero mean per filter; bank std = sqrt(2 / (out * kh * kw)) (He, fan-out)");
        return m;
    }
}
