package org.transfusion.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Procedural "natural" images for pretraining in the offline demo: one object on a cluttered background,
 * 10 classes = 5 shapes (circle, square, triangle, star, cross) x 2 surfaces (solid, striped). Colours, size,
 * position, rotation, background gradient and clutter are random nuisances, so a network has to learn shape
 * and texture (edges, corners, periodic patterns: the generic low-level features transfer is about), not colour.
 */
final class SyntheticNatural {
    static final List<String> SHAPES = List.of("circle", "square", "triangle", "star", "cross");
    static final List<String> SURFACES = List.of("solid", "striped");
    static final List<String> CLASSES = classes();

    private static final double[][] TRIANGLE = polygon(3, 1.0, 1.0);
    private static final double[][] STAR = polygon(10, 1.0, 0.45);

    private SyntheticNatural() {}

    private static List<String> classes() {
        List<String> out = new ArrayList<>();
        for (String shape : SHAPES) {
            for (String surface : SURFACES) {
                out.add(shape + " " + surface);
            }
        }
        return List.copyOf(out);
    }

    static void draw(Canvas c, int cls, SplittableRandom rng) {
        int size = c.size;
        int shape = cls / SURFACES.size();
        boolean striped = cls % SURFACES.size() == 1;

        // Background: a linear gradient between two random colours at a random angle.
        float[] bgA = randomColour(rng);
        float[] bgB = randomColour(rng);
        double ga = 2 * Math.PI * rng.nextDouble();
        double gx = StrictMath.cos(ga);
        double gy = StrictMath.sin(ga);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double t = 0.5 + ((x + 0.5) / size - 0.5) * gx + ((y + 0.5) / size - 0.5) * gy;
                t = Math.max(0, Math.min(1, t));
                int i = y * size + x;
                c.r[i] = (float) (bgA[0] + (bgB[0] - bgA[0]) * t);
                c.g[i] = (float) (bgA[1] + (bgB[1] - bgA[1]) * t);
                c.b[i] = (float) (bgA[2] + (bgB[2] - bgA[2]) * t);
            }
        }
        // Clutter: small discs and strokes that are not the object.
        for (int k = 3 + rng.nextInt(4); k > 0; k--) {
            float[] col = randomColour(rng);
            double x = size * rng.nextDouble();
            double y = size * rng.nextDouble();
            if (rng.nextBoolean()) {
                c.disc(x, y, size * (0.03 + 0.06 * rng.nextDouble()), col, 0.5, 0.5);
            } else {
                double a = 2 * Math.PI * rng.nextDouble();
                double len = size * (0.05 + 0.1 * rng.nextDouble());
                c.segment(x, y, x + len * StrictMath.cos(a), y + len * StrictMath.sin(a), size / 64.0 * 1.2, col, 0.5);
            }
        }

        // The object, in a colour that stands out from the background under it.
        double cx = size * (0.3 + 0.4 * rng.nextDouble());
        double cy = size * (0.3 + 0.4 * rng.nextDouble());
        double scale = size * (0.22 + 0.16 * rng.nextDouble());
        double rot = 2 * Math.PI * rng.nextDouble();
        float[] under = {c.r[(int) cy * size + (int) cx], c.g[(int) cy * size + (int) cx], c.b[(int) cy * size + (int) cx]};
        float[] fg = contrasting(rng, under, 70);
        float[] fg2 = contrasting(rng, fg, 60);
        double period = size / 64.0 * (3 + 3 * rng.nextDouble());
        double sa = 2 * Math.PI * rng.nextDouble();
        double sx = StrictMath.cos(sa);
        double sy = StrictMath.sin(sa);
        double cos = StrictMath.cos(rot);
        double sin = StrictMath.sin(rot);
        int x0 = Math.max(0, (int) (cx - 1.1 * scale));
        int x1 = Math.min(size - 1, (int) (cx + 1.1 * scale) + 1);
        int y0 = Math.max(0, (int) (cy - 1.1 * scale));
        int y1 = Math.min(size - 1, (int) (cy + 1.1 * scale) + 1);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int inside = 0;
                for (int sy3 = 0; sy3 < 3; sy3++) { // 3x3 supersampling for anti-aliased edges
                    for (int sx3 = 0; sx3 < 3; sx3++) {
                        double px = (x + (sx3 + 0.5) / 3 - cx) / scale;
                        double py = (y + (sy3 + 0.5) / 3 - cy) / scale;
                        if (inside(shape, cos * px + sin * py, -sin * px + cos * py)) {
                            inside++;
                        }
                    }
                }
                if (inside > 0) {
                    float[] col = fg;
                    if (striped) {
                        double phase = ((x + 0.5) * sx + (y + 0.5) * sy) / period;
                        col = phase - Math.floor(phase) < 0.5 ? fg : fg2;
                    }
                    c.blend(y * size + x, col, inside / 9f);
                }
            }
        }
        if (rng.nextDouble() < 0.2) {
            c.blur();
        }
        c.noise(rng, 3 + 5 * rng.nextDouble());
    }

    /** Whether the point (x, y), in object units (circumradius 1), is inside shape {@code shape}. */
    static boolean inside(int shape, double x, double y) {
        return switch (shape) {
            case 0 -> x * x + y * y <= 1;
            case 1 -> Math.abs(x) <= 0.75 && Math.abs(y) <= 0.75;
            case 2 -> inPolygon(TRIANGLE, x, y);
            case 3 -> inPolygon(STAR, x, y);
            case 4 -> (Math.abs(x) <= 0.28 && Math.abs(y) <= 0.95) || (Math.abs(y) <= 0.28 && Math.abs(x) <= 0.95);
            default -> throw new IllegalArgumentException("shape " + shape);
        };
    }

    /** A regular polygon (or a star when the inner radius differs) with a vertex pointing up. */
    private static double[][] polygon(int vertices, double outer, double inner) {
        double[][] v = new double[vertices][2];
        for (int k = 0; k < vertices; k++) {
            double a = -Math.PI / 2 + 2 * Math.PI * k / vertices;
            double r = k % 2 == 0 ? outer : inner;
            v[k][0] = r * StrictMath.cos(a);
            v[k][1] = r * StrictMath.sin(a);
        }
        return v;
    }

    /** Even-odd rule point-in-polygon test. */
    private static boolean inPolygon(double[][] v, double x, double y) {
        boolean in = false;
        for (int i = 0, j = v.length - 1; i < v.length; j = i++) {
            if ((v[i][1] > y) != (v[j][1] > y)
                    && x < (v[j][0] - v[i][0]) * (y - v[i][1]) / (v[j][1] - v[i][1]) + v[i][0]) {
                in = !in;
            }
        }
        return in;
    }

    private static float[] randomColour(SplittableRandom rng) {
        return new float[] {(float) (255 * rng.nextDouble()), (float) (255 * rng.nextDouble()),
                (float) (255 * rng.nextDouble())};
    }

    /** A random colour whose luminance differs from {@code other}'s by at least {@code minDiff}. */
    private static float[] contrasting(SplittableRandom rng, float[] other, double minDiff) {
        double lumOther = luminance(other);
        for (int attempt = 0; attempt < 20; attempt++) {
            float[] c = randomColour(rng);
            if (Math.abs(luminance(c) - lumOther) >= minDiff) {
                return c;
            }
        }
        float v = lumOther > 127 ? 20f : 235f;
        return new float[] {v, v, v};
    }

    private static double luminance(float[] c) {
        return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    }
}
