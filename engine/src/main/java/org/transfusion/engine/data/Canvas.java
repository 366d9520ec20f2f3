package org.transfusion.engine.data;

import java.util.SplittableRandom;

/**
 * A small float RGB raster with the few anti-aliased primitives the procedural datasets draw with (soft discs,
 * thick line segments, per-pixel noise). Values are 0-255; {@link #toBytes} clamps and rounds into an
 * {@link Image}-layout uint8 block. Coverage is computed analytically from distances, so drawing is fast and
 * exactly reproducible (no AWT, no platform anti-aliasing; only IEEE-exact operations and StrictMath, so the
 * same seed gives the same bytes on any JVM).
 */
final class Canvas {
    final int size;
    final float[] r;
    final float[] g;
    final float[] b;
    /**
     * While not null, every pixel a {@link #segment} blends into (with any weight above 0) is set to 1 here: the
     * vessel mask of {@link SyntheticRetina#draw(Canvas, int, SplittableRandom, byte[], byte[])}.
     */
    byte[] touched;

    Canvas(int size) {
        this.size = size;
        int n = size * size;
        r = new float[n];
        g = new float[n];
        b = new float[n];
    }

    void fill(float[] rgb) {
        java.util.Arrays.fill(r, rgb[0]);
        java.util.Arrays.fill(g, rgb[1]);
        java.util.Arrays.fill(b, rgb[2]);
    }

    /** Blends {@code rgb} at pixel {@code i} with weight {@code a} in [0, 1]. */
    void blend(int i, float[] rgb, float a) {
        if (a <= 0) {
            return;
        }
        if (a > 1) {
            a = 1;
        }
        r[i] += (rgb[0] - r[i]) * a;
        g[i] += (rgb[1] - g[i]) * a;
        b[i] += (rgb[2] - b[i]) * a;
    }

    /** Multiplies pixel {@code i} by {@code f} (darkening or brightening without changing hue). */
    void scale(int i, float f) {
        r[i] *= f;
        g[i] *= f;
        b[i] *= f;
    }

    /**
     * A disc of radius {@code radius} centred at ({@code cx}, {@code cy}) in pixel coordinates (pixel centres at
     * +0.5), opacity {@code alpha}, edge blurred over {@code soft} pixels (0.5 = crisp anti-aliased edge).
     */
    void disc(double cx, double cy, double radius, float[] rgb, double alpha, double soft) {
        double reach = radius + soft + 1;
        int x0 = Math.max(0, (int) Math.floor(cx - reach));
        int x1 = Math.min(size - 1, (int) Math.ceil(cx + reach));
        int y0 = Math.max(0, (int) Math.floor(cy - reach));
        int y1 = Math.min(size - 1, (int) Math.ceil(cy + reach));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double ex = x + 0.5 - cx;
                double ey = y + 0.5 - cy;
                double d = Math.sqrt(ex * ex + ey * ey);
                blend(y * size + x, rgb, (float) (alpha * coverage(radius - d, soft)));
            }
        }
    }

    /** A line segment of the given width with round caps (vessels, stripes of neovascular tufts). */
    void segment(double ax, double ay, double bx, double by, double width, float[] rgb, double alpha) {
        double half = width / 2;
        double reach = half + 1.5;
        int x0 = Math.max(0, (int) Math.floor(Math.min(ax, bx) - reach));
        int x1 = Math.min(size - 1, (int) Math.ceil(Math.max(ax, bx) + reach));
        int y0 = Math.max(0, (int) Math.floor(Math.min(ay, by) - reach));
        int y1 = Math.min(size - 1, (int) Math.ceil(Math.max(ay, by) + reach));
        double dx = bx - ax;
        double dy = by - ay;
        double len2 = dx * dx + dy * dy;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double px = x + 0.5 - ax;
                double py = y + 0.5 - ay;
                double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
                double ex = px - t * dx;
                double ey = py - t * dy;
                double d = Math.sqrt(ex * ex + ey * ey);
                float a = (float) (alpha * coverage(half - d, 0.5));
                blend(y * size + x, rgb, a);
                if (touched != null && a > 0) {
                    touched[y * size + x] = 1;
                }
            }
        }
    }

    /** Adds independent Gaussian noise of standard deviation {@code sd} to every channel of every pixel. */
    void noise(SplittableRandom rng, double sd) {
        for (int i = 0; i < r.length; i++) {
            r[i] += (float) (sd * gaussian(rng));
            g[i] += (float) (sd * gaussian(rng));
            b[i] += (float) (sd * gaussian(rng));
        }
    }

    /** A 3x3 box blur (an out-of-focus photograph). */
    void blur() {
        for (float[] ch : new float[][] {r, g, b}) {
            float[] src = ch.clone();
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float sum = 0;
                    int n = 0;
                    for (int yy = Math.max(0, y - 1); yy <= Math.min(size - 1, y + 1); yy++) {
                        for (int xx = Math.max(0, x - 1); xx <= Math.min(size - 1, x + 1); xx++) {
                            sum += src[yy * size + xx];
                            n++;
                        }
                    }
                    ch[y * size + x] = sum / n;
                }
            }
        }
    }

    /** Writes this canvas as uint8 HWC RGB into {@code out} at byte offset {@code at}. */
    void toBytes(byte[] out, int at) {
        for (int i = 0; i < r.length; i++) {
            out[at + 3 * i] = clamp(r[i]);
            out[at + 3 * i + 1] = clamp(g[i]);
            out[at + 3 * i + 2] = clamp(b[i]);
        }
    }

    /** Fraction of a pixel covered given the signed distance {@code inside} from the edge, blurred over {@code soft}. */
    static double coverage(double inside, double soft) {
        double c = inside / (2 * soft) + 0.5;
        return c <= 0 ? 0 : c >= 1 ? 1 : c;
    }

    /** Standard normal draw (Box-Muller; one of the pair is dropped to keep the stream simple). */
    static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * v);
    }

    /** Poisson draw by inversion (means here are below 20, where this is exact and quick). */
    static int poisson(SplittableRandom rng, double mean) {
        if (mean <= 0) {
            return 0;
        }
        double limit = StrictMath.exp(-mean);
        double p = rng.nextDouble();
        int k = 0;
        while (p > limit) {
            p *= rng.nextDouble();
            k++;
        }
        return k;
    }

    private static byte clamp(float v) {
        int i = Math.round(v);
        return (byte) (i < 0 ? 0 : Math.min(255, i));
    }
}
