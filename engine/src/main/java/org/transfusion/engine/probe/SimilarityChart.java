package org.transfusion.engine.probe;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** A PNG line chart of similarity per layer, one line per measure, y from 0 to 1. */
public final class SimilarityChart {
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e)};

    private SimilarityChart() {}

    public static BufferedImage render(String title, List<LayerSimilarity> layers) {
        int w = 760;
        int h = 420;
        int left = 60;
        int right = 150;
        int top = 40;
        int bottom = 80;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, left, 24);
        int plotW = w - left - right;
        int plotH = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 5; i++) {
            int y = top + plotH - i * plotH / 5;
            g.setColor(new Color(0xe5e5e5));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.GRAY);
            g.drawString(String.format(java.util.Locale.ROOT, "%.1f", i / 5.0), left - 28, y + 4);
        }
        int n = layers.size();
        List<String> measures = n == 0 ? List.of() : new ArrayList<>(layers.get(0).values().keySet());
        for (int i = 0; i < n; i++) {
            int x = left + (n == 1 ? plotW / 2 : i * plotW / (n - 1));
            g.setColor(Color.GRAY);
            String name = layers.get(i).layerA();
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.translate(x + 4, top + plotH + 8);
            rotated.rotate(Math.PI / 4);
            rotated.drawString(name, 0, 0);
            rotated.dispose();
        }
        for (int m = 0; m < measures.size(); m++) {
            g.setColor(COLOURS[m % COLOURS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (int i = 0; i < n; i++) {
                double v = layers.get(i).values().get(measures.get(m));
                if (Double.isNaN(v)) {
                    px = -1;
                    continue;
                }
                int x = left + (n == 1 ? plotW / 2 : i * plotW / (n - 1));
                int y = top + plotH - (int) Math.round(Math.max(0, Math.min(1, v)) * plotH);
                g.fillOval(x - 3, y - 3, 7, 7);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.fillRect(left + plotW + 16, top + 10 + m * 20, 14, 4);
            g.drawString(measures.get(m), left + plotW + 36, top + 16 + m * 20);
        }
        g.dispose();
        return img;
    }
}
