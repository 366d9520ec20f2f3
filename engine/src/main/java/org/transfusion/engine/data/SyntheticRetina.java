package org.transfusion.engine.data;

import java.util.SplittableRandom;

/**
 * Procedural colour fundus photographs graded 0-4 for diabetic retinopathy, for the offline demo. An orange-red
 * disc on black with vignetting, a bright optic disc on the nasal side, a darker macula, and vessels branching
 * from the optic disc; lesions grow with the grade as in the clinical scale: micro-aneurysms (tiny dark-red dots)
 * from grade 1, blot haemorrhages and hard exudates (yellow clusters) from grade 2, cotton-wool spots from 3,
 * new vessels and pre-retinal haemorrhage at 4.
 *
 * <p>What keeps the task learnable but not trivial: lesion counts are Poisson in a "visible severity" that is the
 * grade plus Gaussian noise (graders disagree by about one grade on real photographs), so adjacent grades
 * overlap; lesions can be faint, land on vessels or the optic disc; and exposure, tint, focus and sensor noise
 * vary per photograph. Grades follow an imbalanced prior like screening data, milder than EyePACS so that the
 * rare grades still appear in small demo sets.
 */
final class SyntheticRetina {
    /** P(grade 0..4); referable (grade >= 2) is 40%. */
    static final double[] GRADE_PRIOR = {0.50, 0.10, 0.22, 0.10, 0.08};

    private SyntheticRetina() {}

    static int drawGrade(SplittableRandom rng) {
        double p = rng.nextDouble();
        for (int k = 0; k < GRADE_PRIOR.length - 1; k++) {
            p -= GRADE_PRIOR[k];
            if (p < 0) {
                return k;
            }
        }
        return GRADE_PRIOR.length - 1;
    }

    static void draw(Canvas c, int grade, SplittableRandom rng) {
        draw(c, grade, rng, null, null);
    }

    /**
     * Draws a photograph as {@link #draw(Canvas, int, SplittableRandom)} does (the same pixels for the same
     * draws), and when {@code vessels} is not null sets to 1 there every pixel the drawing of a vessel touched:
     * the arcades and their branches, the thinnest included, and the new vessels of grade 4; when {@code fov} is
     * not null, sets to 1 there every pixel whose centre lies inside the fundus disc.
     */
    static void draw(Canvas c, int grade, SplittableRandom rng, byte[] vessels, byte[] fov) {
        int size = c.size;
        double u = size / 64.0; // feature sizes are designed at 64 px and scale with the image
        c.fill(new float[] {0, 0, 0});

        double cx = size / 2.0 + 0.015 * size * Canvas.gaussian(rng);
        double cy = size / 2.0 + 0.015 * size * Canvas.gaussian(rng);
        double radius = 0.45 * size * (1 + 0.03 * Canvas.gaussian(rng));
        double exposure = 0.72 + 0.4 * rng.nextDouble();
        if (rng.nextDouble() < 0.1) {
            exposure *= 0.7; // an under-exposed photograph: lesions are harder to see
        }
        float[] base = {(float) (205 * exposure * uniform(rng, 0.92, 1.05)),
                (float) (88 * exposure * uniform(rng, 0.8, 1.2)), (float) (38 * exposure * uniform(rng, 0.7, 1.3))};
        fundus(c, cx, cy, radius, base);
        if (fov != null) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double dx = x + 0.5 - cx;
                    double dy = y + 0.5 - cy;
                    fov[y * size + x] = (byte) (dx * dx + dy * dy <= radius * radius ? 1 : 0);
                }
            }
        }

        double side = rng.nextBoolean() ? 1 : -1; // right or left eye: optic disc on the nasal side
        double odX = cx + side * 0.55 * radius * (1 + 0.05 * Canvas.gaussian(rng));
        double odY = cy + 0.05 * radius * Canvas.gaussian(rng);
        double odR = 0.15 * radius * (1 + 0.08 * Canvas.gaussian(rng));
        double maculaX = cx - side * 0.08 * radius;
        double maculaY = cy + 0.03 * radius * Canvas.gaussian(rng);
        c.disc(maculaX, maculaY, 0.2 * radius, scaled(base, 0.7f, 0.7f, 0.7f), 0.55, 0.12 * radius);
        c.disc(odX, odY, odR, scaled(new float[] {250, 215, 140}, (float) exposure), 1.0, 0.25 * odR);
        c.disc(odX, odY, 0.45 * odR, scaled(new float[] {255, 240, 190}, (float) exposure), 0.6, 0.2 * odR);

        float[] vein = scaled(base, 0.55f, 0.3f, 0.45f);
        float[] artery = scaled(base, 0.75f, 0.45f, 0.55f);
        double temporal = side > 0 ? Math.PI : 0; // the direction from the optic disc towards the macula
        c.touched = vessels;
        for (int up = -1; up <= 1; up += 2) {
            double tAngle = temporal - up * side * uniform(rng, 0.6, 1.0);
            vessel(c, rng, odX, odY, tAngle, 1.7 * u, vein, temporal, cx, cy, radius, 0, u);
            vessel(c, rng, odX, odY, tAngle + 0.15 * up * side, 1.1 * u, artery, temporal, cx, cy, radius, 0, u);
            double nAngle = temporal + Math.PI + up * side * uniform(rng, 0.5, 1.0);
            vessel(c, rng, odX, odY, nAngle, 1.3 * u, vein, Double.NaN, cx, cy, radius, 0, u);
        }

        c.touched = null;
        // The disc again, translucent, over the vessel origins: vessels emerge from a bright disc, not a crossing.
        c.disc(odX, odY, odR, scaled(new float[] {250, 215, 140}, (float) exposure), 0.55, 0.25 * odR);

        lesions(c, rng, grade, base, exposure, u, cx, cy, radius, maculaX, maculaY, odX, odY, odR, vein, vessels);

        if (rng.nextDouble() < 0.3) {
            c.blur(); // out of focus
        }
        c.noise(rng, uniform(rng, 3, 8));
    }

    /** The illuminated fundus: darker towards the rim (vignetting), with a crisp anti-aliased edge. */
    private static void fundus(Canvas c, double cx, double cy, double radius, float[] base) {
        int size = c.size;
        float[] colour = new float[3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double d = Math.sqrt(dx * dx + dy * dy);
                double cover = Canvas.coverage(radius - d, 0.7);
                if (cover > 0) {
                    float f = (float) (1 - 0.38 * (d / radius) * (d / radius));
                    colour[0] = base[0] * f;
                    colour[1] = base[1] * f;
                    colour[2] = base[2] * f;
                    c.blend(y * size + x, colour, (float) cover);
                }
            }
        }
    }

    /**
     * A vessel as a jittered walk from the optic disc that narrows, branches and stops at the fundus rim.
     * Temporal arcades ({@code bendTowards} not NaN) bend towards the horizontal so they arch around the macula.
     */
    private static void vessel(Canvas c, SplittableRandom rng, double x, double y, double angle, double width,
                               float[] colour, double bendTowards, double cx, double cy, double radius, int depth,
                               double u) {
        double step = 1.5 * u;
        for (int k = 0; k < 120 && width >= 0.35 * u; k++) {
            if (!Double.isNaN(bendTowards)) {
                angle += 0.05 * StrictMath.atan2(StrictMath.sin(bendTowards - angle), StrictMath.cos(bendTowards - angle));
            }
            angle += 0.12 * Canvas.gaussian(rng);
            double nx = x + step * StrictMath.cos(angle);
            double ny = y + step * StrictMath.sin(angle);
            double ex = nx - cx;
            double ey = ny - cy;
            if (ex * ex + ey * ey > 0.95 * 0.95 * radius * radius) {
                return;
            }
            c.segment(x, y, nx, ny, width, colour, 0.85);
            x = nx;
            y = ny;
            width *= 0.99;
            if (depth < 3 && rng.nextDouble() < 0.05) {
                double turn = (rng.nextBoolean() ? 1 : -1) * uniform(rng, 0.4, 0.8);
                vessel(c, rng, x, y, angle + turn, width * 0.7, colour, Double.NaN, cx, cy, radius, depth + 1, u);
            }
        }
    }

    private static void lesions(Canvas c, SplittableRandom rng, int grade, float[] base, double exposure, double u,
                                double cx, double cy, double radius, double mx, double my,
                                double odX, double odY, double odR, float[] vein, byte[] vessels) {
        // Graders see severity, not the label: adjacent grades overlap in what the photograph shows.
        double v = Math.max(0, grade + 0.45 * Canvas.gaussian(rng));
        float[] darkRed = scaled(base, 0.55f, 0.18f, 0.3f);
        float[] blood = scaled(base, 0.5f, 0.15f, 0.25f);
        float[] exudate = scaled(new float[] {245, 225, 120}, (float) exposure);
        float[] cottonWool = scaled(new float[] {235, 225, 200}, (float) exposure);
        double[] p = new double[2];

        int microAneurysms = Canvas.poisson(rng, 0.4 + 3.5 * v);
        for (int k = 0; k < microAneurysms; k++) {
            place(rng, cx, cy, radius, mx, my, p);
            c.disc(p[0], p[1], uniform(rng, 0.45, 0.8) * u, darkRed, uniform(rng, 0.55, 0.95), 0.5);
        }
        int blots = Canvas.poisson(rng, Math.max(0, 2.2 * (v - 0.9)));
        for (int k = 0; k < blots; k++) {
            place(rng, cx, cy, radius, mx, my, p);
            double alpha = uniform(rng, 0.7, 0.92);
            for (int part = 1 + rng.nextInt(3); part > 0; part--) {
                c.disc(p[0] + u * Canvas.gaussian(rng), p[1] + u * Canvas.gaussian(rng), uniform(rng, 1.1, 2.4) * u,
                        blood, alpha, 0.6);
            }
        }
        int exudateClusters = Canvas.poisson(rng, Math.max(0, 1.4 * (v - 1.2)));
        for (int k = 0; k < exudateClusters; k++) {
            place(rng, cx, cy, radius, mx, my, p);
            for (int dot = 2 + rng.nextInt(5); dot > 0; dot--) {
                c.disc(p[0] + 2.2 * u * Canvas.gaussian(rng), p[1] + 2.2 * u * Canvas.gaussian(rng),
                        uniform(rng, 0.45, 1.0) * u, exudate, uniform(rng, 0.55, 0.9), 0.5);
            }
        }
        int cottonWoolSpots = Canvas.poisson(rng, Math.max(0, v - 2.2));
        for (int k = 0; k < cottonWoolSpots; k++) {
            place(rng, cx, cy, radius, mx, my, p);
            c.disc(p[0], p[1], uniform(rng, 1.6, 2.8) * u, cottonWool, uniform(rng, 0.4, 0.6), 1.2 * u);
        }
        if (v > 3.3 && rng.nextDouble() < 0.85) {
            // Neovascularisation: a tuft of fine tortuous vessels at the optic disc or along an arcade.
            double a = 2 * Math.PI * rng.nextDouble();
            double tx = odX + 1.3 * odR * StrictMath.cos(a);
            double ty = odY + 1.3 * odR * StrictMath.sin(a);
            for (int t = 6 + rng.nextInt(5); t > 0; t--) {
                double x = tx + u * Canvas.gaussian(rng);
                double y = ty + u * Canvas.gaussian(rng);
                double ang = 2 * Math.PI * rng.nextDouble();
                for (int s = 0; s < 5; s++) {
                    ang += 0.9 * Canvas.gaussian(rng);
                    double nx = x + 1.2 * u * StrictMath.cos(ang);
                    double ny = y + 1.2 * u * StrictMath.sin(ang);
                    c.touched = vessels;
                    c.segment(x, y, nx, ny, 0.45 * u, vein, 0.8);
                    c.touched = null;
                    x = nx;
                    y = ny;
                }
            }
        }
        if (v > 3.3 && rng.nextDouble() < 0.3) {
            place(rng, cx, cy, radius, mx, my, p);
            c.disc(p[0], p[1], uniform(rng, 3, 5) * u, blood, 0.85, 0.8);
        }
    }

    /** A lesion position: clustered around the macula (60%) or anywhere on the fundus. */
    private static void place(SplittableRandom rng, double cx, double cy, double radius, double mx, double my,
                              double[] out) {
        if (rng.nextDouble() < 0.6) {
            out[0] = mx + 0.3 * radius * Canvas.gaussian(rng);
            out[1] = my + 0.3 * radius * Canvas.gaussian(rng);
            double dx = out[0] - cx;
            double dy = out[1] - cy;
            if (dx * dx + dy * dy <= 0.93 * 0.93 * radius * radius) {
                return;
            }
        }
        double r = 0.92 * radius * Math.sqrt(rng.nextDouble());
        double a = 2 * Math.PI * rng.nextDouble();
        out[0] = cx + r * StrictMath.cos(a);
        out[1] = cy + r * StrictMath.sin(a);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    private static float[] scaled(float[] rgb, float f) {
        return scaled(rgb, f, f, f);
    }

    private static float[] scaled(float[] rgb, float fr, float fg, float fb) {
        return new float[] {rgb[0] * fr, rgb[1] * fg, rgb[2] * fb};
    }
}
