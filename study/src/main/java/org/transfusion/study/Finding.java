package org.transfusion.study;

/**
 * One of the paper's claims beside what this study measured, with a plain verdict, and the tests behind it where
 * the rule is a test ({@link Evidence}; {@link Evidence#NONE} for a rule without one, such as a similarity margin).
 */
public record Finding(String experiment, String claim, String measured, Verdict verdict, Evidence evidence) {
    /** A finding whose rule is no test. */
    public Finding(String experiment, String claim, String measured, Verdict verdict) {
        this(experiment, claim, measured, verdict, Evidence.NONE);
    }

    public Finding {
        evidence = evidence == null ? Evidence.NONE : evidence;
    }

    /**
     * The two tests an interval rule makes (issue 30.4): {@code pFor}, the p-value of the test whose rejection
     * gives "reproduced", and {@code pAgainst}, that of the test whose rejection gives "not reproduced", each on the
     * scale of the rule's two-sided 95% interval (the rule holds at p &lt;= 0.05; 1 where the estimate is on the
     * wrong side, or a practical-margin condition fails); NaN where the rule has no such test. {@code detectable}:
     * the smallest true effect the design detects with 80% power (in {@code unit}; NaN where not defined).
     */
    public record Evidence(double pFor, double pAgainst, double detectable, String unit) {
        public static final Evidence NONE = new Evidence(Double.NaN, Double.NaN, Double.NaN, null);

        /** Whether either test was made. */
        public boolean tested() {
            return !Double.isNaN(pFor) || !Double.isNaN(pAgainst);
        }
    }

    public enum Verdict {
        REPRODUCED("reproduced"), NOT_REPRODUCED("not reproduced"), INCONCLUSIVE("inconclusive at this scale"),
        /** The study lacks the model family the claim is about: no data could decide it, whatever the scale. */
        OUT_OF_SCOPE("out of scope");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The report's style class of the verdict. */
        public String css() {
            return switch (this) {
                case REPRODUCED -> "reproduced";
                case NOT_REPRODUCED -> "not-reproduced";
                case INCONCLUSIVE -> "inconclusive";
                case OUT_OF_SCOPE -> "out-of-scope";
            };
        }
    }
}
