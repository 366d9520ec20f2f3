package org.transfusion.engine.probe;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.transfusion.engine.data.ImagePipeline;

/**
 * Pictures of saliency maps: the model's input as an image, a map blended over it in a heat colour scale, and a
 * sheet of such pictures in rows and columns. Inputs are drawn at an integer multiple of their size of at least
 * {@link #MIN_SIDE} px (a 28 px MedMNIST image becomes 140 px; bilinear, so the heat is smooth), in grey or colour
 * as the model saw them. Text is optional: the study report puts its captions in HTML, since glyph rendering differs
 * between machines and the report's PNGs are compared byte for byte.
 */
public final class SaliencyFigures {
    /** The smallest side a picture is drawn at. */
    public static final int MIN_SIDE = 128;
    private static final int GAP = 4;
    private static final int TITLE = 20;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private SaliencyFigures() {}

    /** The factor a {@code size} px input is enlarged by. */
    public static int scale(int size) {
        return Math.max(1, (MIN_SIDE + size - 1) / size);
    }

    /** A {@code channels x size x size} model input with the pipeline's normalisation undone (grey stays grey). */
    public static BufferedImage input(float[] chw, ImagePipeline p) {
        int size = p.size();
        int plane = size * size;
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            int[] rgb = new int[3];
            for (int c = 0; c < 3; c++) {
                int ch = p.channels() == 3 ? c : 0;
                rgb[c] = level(chw[ch * plane + i] * p.std()[ch] + p.mean()[ch]);
            }
            out.setRGB(i % size, i / size, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
        }
        return out;
    }

    /** The input enlarged by {@link #scale} (bilinear). */
    public static BufferedImage enlarged(BufferedImage input) {
        int side = input.getWidth() * scale(input.getWidth());
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(input, 0, 0, side, side, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * The input enlarged, with {@code map} (at the input's size) upsampled the same way and blended over it: a
     * pixel of heat {@code h} is {@code (1 - a) * input + a * colour(h)} with {@code a = 0.2 + 0.5 h}, so cold
     * regions stay readable and hot ones are clearly coloured.
     */
    public static BufferedImage overlay(BufferedImage input, HeatMap map) {
        BufferedImage base = enlarged(input);
        int side = base.getWidth();
        float[] heat = GradCam.upsample(map.values(), map.width(), map.height(), side, side);
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float h = Math.max(0, Math.min(1, heat[y * side + x]));
                int px = base.getRGB(x, y);
                int colour = colour(h);
                double a = 0.2 + 0.5 * h;
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double v = (1 - a) * (px >> shift & 0xff) + a * (colour >> shift & 0xff);
                    rgb |= (int) Math.round(v) << shift;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    /**
     * The "jet" colour scale as packed RGB: dark blue at 0 through blue, cyan, yellow and red to dark red at 1; each
     * channel a tent {@code clamp(1.5 - |4h - centre|)} with centres 3 (red), 2 (green) and 1 (blue).
     */
    static int colour(double h) {
        double x = 4 * h;
        return level(1.5 - Math.abs(x - 3)) << 16 | level(1.5 - Math.abs(x - 2)) << 8 | level(1.5 - Math.abs(x - 1));
    }

    private static int level(double unit) {
        return (int) Math.round(Math.max(0, Math.min(1, unit)) * 255);
    }

    /**
     * The pictures in rows (every picture of a row side by side, rows top to bottom), on a dark background with
     * {@value #GAP} px between them; with {@code titles} (one per column, or null for none) a caption strip on top.
     */
    public static BufferedImage sheet(List<List<BufferedImage>> rows, List<String> titles) {
        int cell = 1;
        int columns = 1;
        for (List<BufferedImage> row : rows) {
            columns = Math.max(columns, row.size());
            for (BufferedImage p : row) {
                cell = Math.max(cell, Math.max(p.getWidth(), p.getHeight()));
            }
        }
        int top = titles == null ? 0 : TITLE;
        int width = GAP + columns * (cell + GAP);
        int height = top + GAP + rows.size() * (cell + GAP);
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(32, 32, 32));
            g.fillRect(0, 0, width, height);
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < rows.get(r).size(); c++) {
                    BufferedImage p = rows.get(r).get(c);
                    g.drawImage(p, GAP + c * (cell + GAP), top + GAP + r * (cell + GAP), null);
                }
            }
            if (titles != null) {
                titles(g, titles, cell);
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    private static void titles(Graphics2D g, List<String> titles, int cell) {
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int c = 0; c < titles.size(); c++) {
                g.drawString(titles.get(c), GAP + c * (cell + GAP) + 2, TITLE - 5);
            }
        } catch (Error | RuntimeException noFonts) {
            // A JRE without fontconfig cannot draw text; the pictures are what matters, and the column order is
            // also in saliency.json and on the command's output.
        }
    }
}
