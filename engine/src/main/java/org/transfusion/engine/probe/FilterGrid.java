package org.transfusion.engine.probe;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import org.transfusion.engine.model.HostTensor;
import org.transfusion.error.BadInputException;

/**
 * First-layer filters as an image grid: each filter min-max scaled on its own (so shape, not scale, is compared),
 * in colour when the layer reads 3 channels, grey otherwise (the mean over input channels otherwise).
 */
public final class FilterGrid {
    private FilterGrid() {}

    public static BufferedImage render(HostTensor weight, String title, int maxFilters) {
        long[] s = weight.shape();
        if (s.length != 4) {
            throw new BadInputException("filters need a conv weight (out, in, kh, kw); this tensor has shape "
                    + java.util.Arrays.toString(s));
        }
        int out = (int) Math.min(s[0], maxFilters);
        int in = (int) s[1];
        int kh = (int) s[2];
        int kw = (int) s[3];
        int cols = (int) Math.ceil(Math.sqrt(out));
        int rows = (out + cols - 1) / cols;
        int scale = Math.max(4, 48 / Math.max(kh, kw));
        int cell = Math.max(kh, kw) * scale + 4;
        int titleHeight = title == null ? 0 : 20;
        BufferedImage img = new BufferedImage(cols * cell + 4, rows * cell + 4 + titleHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        if (title != null) {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(title, 6, 15);
        }
        float[] v = weight.values();
        int plane = kh * kw;
        for (int f = 0; f < out; f++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = f * in * plane; i < (f + 1) * in * plane; i++) {
                min = Math.min(min, v[i]);
                max = Math.max(max, v[i]);
            }
            float range = max > min ? max - min : 1;
            int x0 = 4 + (f % cols) * cell;
            int y0 = 4 + titleHeight + (f / cols) * cell;
            for (int r = 0; r < kh; r++) {
                for (int c = 0; c < kw; c++) {
                    int rgb;
                    if (in == 3) {
                        int red = level(v[(f * 3) * plane + r * kw + c], min, range);
                        int green = level(v[(f * 3 + 1) * plane + r * kw + c], min, range);
                        int blue = level(v[(f * 3 + 2) * plane + r * kw + c], min, range);
                        rgb = (red << 16) | (green << 8) | blue;
                    } else {
                        float mean = 0;
                        for (int ch = 0; ch < in; ch++) {
                            mean += v[(f * in + ch) * plane + r * kw + c];
                        }
                        mean /= in;
                        float lo = min;
                        float rg = range;
                        if (in > 1) { // re-scale the channel mean over its own range
                            lo = Float.POSITIVE_INFINITY;
                            float hi = Float.NEGATIVE_INFINITY;
                            for (int p = 0; p < plane; p++) {
                                float m = 0;
                                for (int ch = 0; ch < in; ch++) {
                                    m += v[(f * in + ch) * plane + p];
                                }
                                lo = Math.min(lo, m / in);
                                hi = Math.max(hi, m / in);
                            }
                            rg = hi > lo ? hi - lo : 1;
                        }
                        int grey = level(mean, lo, rg);
                        rgb = (grey << 16) | (grey << 8) | grey;
                    }
                    g.setColor(new Color(rgb));
                    g.fillRect(x0 + c * scale, y0 + r * scale, scale, scale);
                }
            }
        }
        g.dispose();
        return img;
    }

    private static int level(float value, float min, float range) {
        return Math.max(0, Math.min(255, Math.round((value - min) / range * 255)));
    }
}
