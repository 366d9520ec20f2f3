package org.transfusion.engine.probe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A saliency map at the model's input size: {@code height x width} values in [0, 1], row-major, 1 where the
 * method finds the most evidence for the scored output. Both Grad-CAM and occlusion end in one of these, so the
 * overlays and the summary numbers ({@link #centreOfMass}, {@link #quadrants}) are computed one way for both.
 */
public record HeatMap(int width, int height, float[] values) {
    /** The quadrants {@link #quadrants} reports, in its order. */
    public static final String[] QUADRANTS = {"top_left", "top_right", "bottom_left", "bottom_right"};

    public HeatMap {
        if (values.length != width * height) {
            throw new IllegalArgumentException(values.length + " values for a " + width + " x " + height + " map");
        }
        values = values.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** The value at column {@code x}, row {@code y}. */
    public float at(int x, int y) {
        return values[y * width + x];
    }

    /**
     * Rescales {@code raw} to [0, 1] by its minimum and maximum ({@code (v - min) / (max - min)}, as
     * pytorch-grad-cam does); a flat map (max - min below 1e-12 of the maximum's magnitude, or zero) is all zeros:
     * the method found no evidence anywhere, and stretching rounding noise would invent some.
     */
    public static HeatMap normalised(int width, int height, float[] raw) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : raw) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] out = new float[raw.length];
        double range = (double) max - min;
        if (range > 0 && range > 1e-12 * Math.abs(max)) {
            for (int i = 0; i < raw.length; i++) {
                out[i] = (float) ((raw[i] - min) / range);
            }
        }
        return new HeatMap(width, height, out);
    }

    /** The sum of all values (0 for an all-zero map). */
    public double total() {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    /**
     * The heat-weighted mean position {@code {x, y}} as fractions of the width and height (pixel centres at
     * {@code (i + 0.5) / size}; {@code {0.5, 0.5}} is the centre, {@code {0, 0}} the top-left corner); NaN for an
     * all-zero map.
     */
    public double[] centreOfMass() {
        double sx = 0;
        double sy = 0;
        double s = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = values[y * width + x];
                sx += v * (x + 0.5) / width;
                sy += v * (y + 0.5) / height;
                s += v;
            }
        }
        return s > 0 ? new double[] {sx / s, sy / s} : new double[] {Double.NaN, Double.NaN};
    }

    /**
     * The fraction of the total heat in each quadrant, in {@link #QUADRANTS} order (they sum to 1; NaN for an
     * all-zero map). With an odd side the middle row or column is split half and half between its two quadrants.
     */
    public double[] quadrants() {
        double[] q = new double[4];
        for (int y = 0; y < height; y++) {
            double top = share(y, height);
            for (int x = 0; x < width; x++) {
                double left = share(x, width);
                double v = values[y * width + x];
                q[0] += v * top * left;
                q[1] += v * top * (1 - left);
                q[2] += v * (1 - top) * left;
                q[3] += v * (1 - top) * (1 - left);
            }
        }
        double s = q[0] + q[1] + q[2] + q[3];
        for (int i = 0; i < 4; i++) {
            q[i] = s > 0 ? q[i] / s : Double.NaN;
        }
        return q;
    }

    /** How much of pixel {@code i} of {@code n} lies in the first half: 1, 0, or 1/2 for the middle of an odd side. */
    private static double share(int i, int n) {
        int twice = 2 * i + 1; // twice the pixel centre, compared with n = twice the midline
        return twice < n ? 1 : twice > n ? 0 : 0.5;
    }

    /** The JSON block of saliency.json: centre of mass and quadrant fractions. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        double[] c = centreOfMass();
        Map<String, Double> centre = new LinkedHashMap<>();
        centre.put("x", c[0]);
        centre.put("y", c[1]);
        m.put("centre_of_mass", centre);
        Map<String, Double> q = new LinkedHashMap<>();
        double[] f = quadrants();
        for (int i = 0; i < 4; i++) {
            q.put(QUADRANTS[i], f[i]);
        }
        m.put("quadrants", q);
        return m;
    }
}
