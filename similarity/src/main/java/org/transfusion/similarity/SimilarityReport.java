package org.transfusion.similarity;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The results of {@link Similarity#compute}: only the measures asked for are present.
 *
 * <p>{@link #toJson()} gives, for example (numbers shortened):
 * <pre>{@code
 * {
 *   "inputs": ["a.npy", "b.npy"],
 *   "points": 500,
 *   "neurons": [20, 30],
 *   "dropped_neurons": [{"constant": [], "collinear": []}, {"constant": [3], "collinear": []}],
 *   "cca": {"mean": 0.574, "coefficients": [0.983, ...]},
 *   "svcca": {"mean": 0.627, "dims": [17, 25], "keep_variance": 0.99, "coefficients": [0.983, ...]},
 *   "pwcca": {"value": 0.853, "weights_from": "a.npy"},
 *   "cka_linear": {"value": 0.688, "debiased": false},
 *   "cka_rbf": {"value": 0.697, "sigma_fraction": 0.5, "points": 500, "debiased": false}
 * }
 * }</pre>
 * {@code dropped_neurons} (0-based columns that CCA and PWCCA leave out) appears with either of them.
 */
public final class SimilarityReport {

    private final String labelX;
    private final String labelY;
    private final int points;
    private final int neuronsX;
    private final int neuronsY;
    private final SimilarityOptions options;
    private final CcaResult cca;
    private final SvccaResult svcca;
    private final PwccaResult pwcca;
    private final Double ckaLinear;
    private final Double ckaRbf;
    private final int rbfPoints;

    private SimilarityReport(Builder b) {
        labelX = b.x.label();
        labelY = b.y.label();
        points = b.x.points();
        neuronsX = b.x.neurons();
        neuronsY = b.y.neurons();
        options = b.options;
        cca = b.cca;
        svcca = b.svcca;
        pwcca = b.pwcca;
        ckaLinear = b.ckaLinear;
        ckaRbf = b.ckaRbf;
        rbfPoints = b.rbfPoints;
    }

    public int points() {
        return points;
    }

    public int[] neurons() {
        return new int[] {neuronsX, neuronsY};
    }

    public Optional<CcaResult> cca() {
        return Optional.ofNullable(cca);
    }

    public Optional<SvccaResult> svcca() {
        return Optional.ofNullable(svcca);
    }

    public Optional<PwccaResult> pwcca() {
        return Optional.ofNullable(pwcca);
    }

    public OptionalDouble ckaLinear() {
        return ckaLinear == null ? OptionalDouble.empty() : OptionalDouble.of(ckaLinear);
    }

    public OptionalDouble ckaRbf() {
        return ckaRbf == null ? OptionalDouble.empty() : OptionalDouble.of(ckaRbf);
    }

    /** JSON object as documented on the class, two-space indented, one measure per line. */
    public String toJson() {
        StringBuilder s = new StringBuilder("{\n");
        line(s, "inputs", "[" + str(labelX) + ", " + str(labelY) + "]");
        line(s, "points", Integer.toString(points));
        line(s, "neurons", "[" + neuronsX + ", " + neuronsY + "]");
        DroppedNeurons dx = cca != null ? cca.droppedX() : pwcca != null ? pwcca.droppedX() : null;
        DroppedNeurons dy = cca != null ? cca.droppedY() : pwcca != null ? pwcca.droppedY() : null;
        if (dx != null) {
            line(s, "dropped_neurons", "[" + dropped(dx) + ", " + dropped(dy) + "]");
        }
        if (cca != null) {
            line(s, Method.CCA.jsonKey(), "{\"mean\": " + num(cca.mean()) + ", \"coefficients\": "
                    + nums(cca.coefficients()) + "}");
        }
        if (svcca != null) {
            line(s, Method.SVCCA.jsonKey(), "{\"mean\": " + num(svcca.mean()) + ", \"dims\": [" + svcca.dimsX() + ", "
                    + svcca.dimsY() + "], \"keep_variance\": " + num(svcca.keepVariance()) + ", \"coefficients\": "
                    + nums(svcca.coefficients()) + "}");
        }
        if (pwcca != null) {
            line(s, Method.PWCCA.jsonKey(), "{\"value\": " + num(pwcca.value()) + ", \"weights_from\": "
                    + str(pwcca.weightedByFirst() ? labelX : labelY) + "}");
        }
        if (ckaLinear != null) {
            line(s, Method.CKA_LINEAR.jsonKey(), "{\"value\": " + num(ckaLinear) + ", \"debiased\": "
                    + options.debiased() + "}");
        }
        if (ckaRbf != null) {
            line(s, Method.CKA_RBF.jsonKey(), "{\"value\": " + num(ckaRbf) + ", \"sigma_fraction\": "
                    + num(options.sigmaFraction()) + ", \"points\": " + rbfPoints + ", \"debiased\": "
                    + options.debiased() + "}");
        }
        s.setLength(s.length() - 2);
        return s.append("\n}\n").toString();
    }

    /** CSV with header {@code method,index,value}: CCA and SVCCA coefficients and PWCCA weights, 0-based index. */
    public String toCsv() {
        StringBuilder s = new StringBuilder("method,index,value\n");
        if (cca != null) {
            rows(s, "cca", cca.coefficients());
        }
        if (svcca != null) {
            rows(s, "svcca", svcca.coefficients());
        }
        if (pwcca != null) {
            rows(s, "pwcca_weight", pwcca.weights());
        }
        return s.toString();
    }

    private static void rows(StringBuilder s, String method, double[] values) {
        for (int i = 0; i < values.length; i++) {
            s.append(method).append(',').append(i).append(',').append(num(values[i])).append('\n');
        }
    }

    private static void line(StringBuilder s, String key, String value) {
        s.append("  ").append(str(key)).append(": ").append(value).append(",\n");
    }

    private static String dropped(DroppedNeurons d) {
        return "{\"constant\": " + ints(d.constant()) + ", \"collinear\": " + ints(d.collinear()) + "}";
    }

    static String num(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalStateException("non-finite value " + v + " in a similarity report");
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return Double.toString(v);
    }

    private static String nums(double[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(num(values[i]));
        }
        return s.append(']').toString();
    }

    private static String ints(int[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return s.append(']').toString();
    }

    static String str(String v) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }

    static final class Builder {
        private final Activations x;
        private final Activations y;
        private final SimilarityOptions options;
        private CcaResult cca;
        private SvccaResult svcca;
        private PwccaResult pwcca;
        private Double ckaLinear;
        private Double ckaRbf;
        private int rbfPoints;

        Builder(Activations x, Activations y, SimilarityOptions options) {
            this.x = x;
            this.y = y;
            this.options = options;
        }

        Builder cca(CcaResult r) {
            cca = r;
            return this;
        }

        Builder svcca(SvccaResult r) {
            svcca = r;
            return this;
        }

        Builder pwcca(PwccaResult r) {
            pwcca = r;
            return this;
        }

        Builder ckaLinear(double v) {
            ckaLinear = v;
            return this;
        }

        Builder ckaRbf(double v, int pointsUsed) {
            ckaRbf = v;
            rbfPoints = pointsUsed;
            return this;
        }

        SimilarityReport build() {
            return new SimilarityReport(this);
        }
    }
}
