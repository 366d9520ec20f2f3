package org.transfusion.engine.eval;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.transfusion.engine.data.Image;
import org.transfusion.engine.data.SegmentationSample;
import org.transfusion.io.AtomicFiles;

/**
 * The files {@code evaluate --predictions DIR} writes per image, named after the image's file stem, each the image's
 * width and height:
 * <ul>
 *   <li>{@code STEM.png}: the foreground probability as a 16-bit grey PNG, {@code round(p * 65535)} (a task of
 *       several classes: {@code STEM_class1.png}, ... one per foreground class);</li>
 *   <li>{@code STEM_fov.png}: the field of view the metrics count, 8-bit, 255 inside;</li>
 *   <li>{@code STEM_overlay.png}: the image in grey with the prediction at 0.5 against the mask inside the field of
 *       view: true positives yellow, false positives red, false negatives blue.</li>
 * </ul>
 * Each file is written atomically.
 */
public final class SegmentationPredictions {
    private SegmentationPredictions() {}

    public static void write(Path dir, SegmentationSample s, float[][] probs, int outputs) {
        try {
            Files.createDirectories(dir);
            int h = s.image().height();
            int w = s.image().width();
            if (outputs == 1) {
                png(dir.resolve(s.name() + ".png"), grey16(probs[0], h, w));
            } else {
                for (int c = 1; c < outputs; c++) {
                    png(dir.resolve(s.name() + "_class" + c + ".png"), grey16(probs[c], h, w));
                }
            }
            BufferedImage fov = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            byte[] f = s.fov();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    fov.getRaster().setSample(x, y, 0, f[y * w + x] != 0 ? 255 : 0);
                }
            }
            png(dir.resolve(s.name() + "_fov.png"), fov);
            png(dir.resolve(s.name() + "_overlay.png"), overlay(s, probs, outputs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A probability map as 16-bit grey levels, {@link SegmentationMetrics#level}. */
    static BufferedImage grey16(float[] p, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        short[] data = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < h * w; i++) {
            data[i] = (short) SegmentationMetrics.level(p[i]);
        }
        return img;
    }

    private static BufferedImage overlay(SegmentationSample s, float[][] probs, int outputs) {
        Image img = s.image();
        int h = img.height();
        int w = img.width();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        byte[] mask = s.mask();
        byte[] fov = s.fov();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int grey = img.channels() == 3
                        ? (int) (0.299 * img.pixel(y, x, 0) + 0.587 * img.pixel(y, x, 1) + 0.114 * img.pixel(y, x, 2))
                        : img.pixel(y, x, 0);
                int rgb = grey << 16 | grey << 8 | grey;
                if (fov[i] != 0) {
                    boolean truth = mask[i] != 0;
                    boolean said = outputs == 1 ? SegmentationMetrics.level(probs[0][i]) >= SegmentationMetrics.HALF
                            : argmax(probs, i) != 0;
                    if (truth && said) {
                        rgb = 0xffd700;
                    } else if (said) {
                        rgb = 0xe0301e;
                    } else if (truth) {
                        rgb = 0x2f6fff;
                    }
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static int argmax(float[][] probs, int i) {
        int best = 0;
        for (int c = 1; c < probs.length; c++) {
            if (probs[c][i] > probs[best][i]) {
                best = c;
            }
        }
        return best;
    }

    private static void png(Path file, BufferedImage img) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer");
            }
        });
    }
}
