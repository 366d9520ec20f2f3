package org.transfusion.study;

import java.util.List;
import java.util.Locale;

/** Small self-contained SVG charts for the report (no scripts, no external files: the page renders anywhere). */
final class Svg {
    static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
        "#17becf"};

    private Svg() {}

    /** A named series of points. */
    record Series(String name, double[] x, double[] y, double[] err) {}

    /** Lines over x (e.g. steps or layers); {@code xLabels} non-null puts category names on the x axis. */
    static String lines(String title, String xTitle, String yTitle, List<Series> series, List<String> xLabels,
                        double yMin, double yMax) {
        int w = 560;
        int h = 320;
        int l = 56;
        int r = 150;
        int t = 30;
        int b = xLabels != null ? 70 : 44;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double x : s.x()) {
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
            }
        }
        if (!(xMax > xMin)) {
            xMax = xMin + 1;
        }
        StringBuilder sb = open(w, h, title);
        axes(sb, l, t, w - l - r, h - t - b, yMin, yMax, yTitle);
        double fxMin = xMin;
        double fxMax = xMax;
        java.util.function.DoubleUnaryOperator px = x -> l + (x - fxMin) / (fxMax - fxMin) * (w - l - r);
        java.util.function.DoubleUnaryOperator py = y -> t + (1 - (clamp(y, yMin, yMax) - yMin) / (yMax - yMin)) * (h - t - b);
        if (xLabels != null) {
            for (int i = 0; i < xLabels.size(); i++) {
                double x = px.applyAsDouble(i);
                sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11' fill='#555' "
                        + "transform='rotate(35 %.1f %d)'>%s</text>", x, h - b + 14, x, h - b + 14, esc(xLabels.get(i))));
            }
        } else {
            for (int i = 0; i <= 4; i++) {
                double x = xMin + i * (xMax - xMin) / 4;
                sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11' fill='#555' "
                        + "text-anchor='middle'>%s</text>", px.applyAsDouble(x), h - b + 16, fmt(x)));
            }
        }
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='12' fill='#333' text-anchor='middle'>%s</text>",
                l + (w - l - r) / 2, h - 6, esc(xTitle)));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String c = COLOURS[k % COLOURS.length];
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isNaN(s.y()[i])) {
                    continue;
                }
                double x = px.applyAsDouble(s.x()[i]);
                double y = py.applyAsDouble(s.y()[i]);
                path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
                if (s.err() != null && s.err()[i] > 0) {
                    sb.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' stroke='%s' "
                            + "stroke-opacity='0.5'/>", x, x, py.applyAsDouble(s.y()[i] - s.err()[i]),
                            py.applyAsDouble(s.y()[i] + s.err()[i]), c));
                }
                if (s.x().length <= 30) {
                    sb.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>", x, y, c));
                }
            }
            sb.append(String.format("<path d='%s' fill='none' stroke='%s' stroke-width='2'/>", path, c));
            legend(sb, w - r + 12, t + 10 + k * 18, c, s.name());
        }
        return sb.append("</svg>").toString();
    }

    /** Grouped bars: one group per category, one bar per series, optional error bars (sd). */
    static String bars(String title, String yTitle, List<String> categories, List<Series> series, double yMin,
                       double yMax) {
        int w = 560;
        int h = 320;
        int l = 56;
        int r = 150;
        int t = 30;
        int b = 70;
        StringBuilder sb = open(w, h, title);
        axes(sb, l, t, w - l - r, h - t - b, yMin, yMax, yTitle);
        int groups = Math.max(1, categories.size());
        double gw = (double) (w - l - r) / groups;
        double bw = gw * 0.8 / Math.max(1, series.size());
        for (int g = 0; g < categories.size(); g++) {
            double gx = l + g * gw;
            sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11' fill='#555' "
                    + "transform='rotate(30 %.1f %d)'>%s</text>", gx + gw * 0.1, h - b + 14, gx + gw * 0.1, h - b + 14,
                    esc(categories.get(g))));
            for (int k = 0; k < series.size(); k++) {
                double v = series.get(k).y()[g];
                if (Double.isNaN(v)) {
                    continue;
                }
                double x = gx + gw * 0.1 + k * bw;
                double y0 = t + (h - t - b);
                double y1 = t + (1 - (clamp(v, yMin, yMax) - yMin) / (yMax - yMin)) * (h - t - b);
                sb.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'>"
                        + "<title>%s: %s</title></rect>", x, y1, bw - 2, y0 - y1, COLOURS[k % COLOURS.length],
                        esc(series.get(k).name()), fmt(v)));
                double[] err = series.get(k).err();
                if (err != null && err[g] > 0) {
                    double e0 = t + (1 - (clamp(v - err[g], yMin, yMax) - yMin) / (yMax - yMin)) * (h - t - b);
                    double e1 = t + (1 - (clamp(v + err[g], yMin, yMax) - yMin) / (yMax - yMin)) * (h - t - b);
                    sb.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' stroke='#222'/>",
                            x + (bw - 2) / 2, x + (bw - 2) / 2, e0, e1));
                }
            }
        }
        for (int k = 0; k < series.size(); k++) {
            legend(sb, w - r + 12, t + 10 + k * 18, COLOURS[k % COLOURS.length], series.get(k).name());
        }
        return sb.append("</svg>").toString();
    }

    private static StringBuilder open(int w, int h, String title) {
        return new StringBuilder(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' "
                + "height='%d' viewBox='0 0 %d %d' role='img' aria-label='%s'><rect width='100%%' height='100%%' "
                + "fill='white'/><text x='8' y='18' font-size='13' font-weight='bold' fill='#222'>%s</text>",
                w, h, w, h, esc(title), esc(title)));
    }

    private static void axes(StringBuilder sb, int l, int t, int pw, int ph, double yMin, double yMax, String yTitle) {
        for (int i = 0; i <= 4; i++) {
            double v = yMin + i * (yMax - yMin) / 4;
            double y = t + ph - i * ph / 4.0;
            sb.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#e6e6e6'/>"
                    + "<text x='%d' y='%.1f' font-size='11' fill='#555' text-anchor='end'>%s</text>", l, l + pw, y, y,
                    l - 6, y + 4, fmt(v)));
        }
        sb.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%d' y2='%d' stroke='#999'/>", l, l + pw, t + ph,
                t + ph));
        sb.append(String.format(Locale.ROOT, "<text x='14' y='%d' font-size='12' fill='#333' text-anchor='middle' "
                + "transform='rotate(-90 14 %d)'>%s</text>", t + ph / 2, t + ph / 2, esc(yTitle)));
    }

    private static void legend(StringBuilder sb, int x, int y, String colour, String name) {
        sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='12' height='12' fill='%s'/>"
                + "<text x='%d' y='%d' font-size='12' fill='#333'>%s</text>", x, y, colour, x + 18, y + 11, esc(name)));
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static String fmt(double v) {
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.0f" : "%.2f", v);
    }

    /** A number as a person writes it: 2, 1.5, 0.25 (no trailing zeros, no exponent). */
    static String plain(double v) {
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
