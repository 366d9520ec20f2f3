package org.transfusion.engine.data;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.transfusion.io.AtomicFiles;

/**
 * A PNG grid of example images, one row per class (or per finding, plus a row of images with no finding), so a
 * person looks at the data before training: wrong channels, upside-down scans, a class folder full of the wrong
 * images are obvious at a glance. Examples are a seeded random pick from one split; only those are decoded.
 * Rendering is headless (no display needed); when the JVM has no usable fonts the captions are left out.
 */
public final class ContactSheet {
    private static final int LABEL_WIDTH = 170;
    private static final int TITLE_HEIGHT = 22;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** One row of the sheet: its caption and the split indices of its examples. */
    public record Row(String caption, int[] indices) {}

    private ContactSheet() {}

    /**
     * Picks up to {@code perRow} examples per class (class-index data) or per finding (multi-label data, plus a
     * final row of images with no positive finding) from {@code split}, seeded.
     */
    public static List<Row> rows(Dataset data, Split split, int perRow, long seed) {
        ImageSplit s = data.split(split);
        LabelSchema schema = data.labels();
        boolean multi = schema.kind() == LabelSchema.Kind.MULTI_LABEL;
        int rows = schema.size() + (multi ? 1 : 0);
        List<List<Integer>> picks = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            picks.add(new ArrayList<>());
        }
        int[] order = permutation(s.size(), SeededSplits.random(seed, "contact-sheet"));
        for (int i : order) {
            float[] l = s.labels(i);
            if (multi) {
                boolean any = false;
                for (int k = 0; k < l.length; k++) {
                    if (l[k] == 1f) {
                        any = true;
                        addIfRoom(picks.get(k), i, perRow);
                    }
                }
                if (!any) {
                    addIfRoom(picks.get(rows - 1), i, perRow);
                }
            } else if (!Float.isNaN(l[0]) && l[0] >= 0 && l[0] < rows) {
                addIfRoom(picks.get((int) l[0]), i, perRow);
            }
        }
        List<Row> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            String caption = r < schema.size() ? schema.names().get(r) : "no finding";
            out.add(new Row(caption, picks.get(r).stream().mapToInt(Integer::intValue).toArray()));
        }
        return out;
    }

    /** Draws the rows: each example scaled to fit a {@code cell x cell} square, captions on the left. */
    public static BufferedImage render(Dataset data, Split split, List<Row> rows, int cell) {
        int perRow = Math.max(1, rows.stream().mapToInt(r -> r.indices().length).max().orElse(1));
        int width = LABEL_WIDTH + perRow * (cell + 2) + 2;
        int height = TITLE_HEIGHT + rows.size() * (cell + 2) + 2;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(32, 32, 32));
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            ImageSplit s = data.split(split);
            for (int r = 0; r < rows.size(); r++) {
                int y = TITLE_HEIGHT + r * (cell + 2) + 1;
                int[] idx = rows.get(r).indices();
                for (int k = 0; k < idx.length; k++) {
                    BufferedImage img = toBufferedImage(s.image(idx[k]));
                    double f = Math.min((double) cell / img.getWidth(), (double) cell / img.getHeight());
                    int w = Math.max(1, (int) Math.round(img.getWidth() * f));
                    int h = Math.max(1, (int) Math.round(img.getHeight() * f));
                    int x = LABEL_WIDTH + k * (cell + 2) + 1;
                    g.drawImage(img, x + (cell - w) / 2, y + (cell - h) / 2, w, h, null);
                }
            }
            captions(g, data, split, rows, cell);
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /** Writes the PNG atomically (temp file, then rename), creating the folder if needed. */
    public static void write(BufferedImage sheet, Path png) {
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(sheet, "png", out)) {
                throw new IOException("no PNG writer");
            }
        });
    }

    /** A decoded dataset image as an AWT image (grey stays grey; RGB packed). */
    public static BufferedImage toBufferedImage(Image img) {
        int w = img.width();
        int h = img.height();
        byte[] px = img.pixels();
        if (img.channels() == 1) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            out.getRaster().setDataElements(0, 0, w, h, px);
            return out;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (px[3 * i] & 0xff) << 16 | (px[3 * i + 1] & 0xff) << 8 | (px[3 * i + 2] & 0xff);
        }
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    private static void captions(Graphics2D g, Dataset data, Split split, List<Row> rows, int cell) {
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(data.name() + " - " + split.id() + " (" + data.split(split).size() + " images)", 6, 16);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int r = 0; r < rows.size(); r++) {
                int y = TITLE_HEIGHT + r * (cell + 2) + cell / 2 + 5;
                String caption = rows.get(r).caption();
                if (caption.length() > 24) {
                    caption = caption.substring(0, 23) + "\u2026";
                }
                g.drawString(caption, 6, y);
            }
        } catch (Error | RuntimeException noFonts) {
            // Minimal JREs without fontconfig cannot render text; the images are what matters, and the CLI
            // prints the row order next to the file name.
        }
    }

    private static void addIfRoom(List<Integer> list, int i, int max) {
        if (list.size() < max) {
            list.add(i);
        }
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
