package org.transfusion.study;

/** Mean and sample standard deviation over seeds, ignoring NaN (an undefined value is not a zero). */
public final class Stats {
    private Stats() {}

    public static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Sample standard deviation (n - 1); 0 for a single value, NaN for none. */
    public static double sd(double[] v) {
        double m = mean(v);
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += (x - m) * (x - m);
                n++;
            }
        }
        return n == 0 ? Double.NaN : n == 1 ? 0 : Math.sqrt(s / (n - 1));
    }

    public static int count(double[] v) {
        int n = 0;
        for (double x : v) {
            n += Double.isNaN(x) ? 0 : 1;
        }
        return n;
    }
}
