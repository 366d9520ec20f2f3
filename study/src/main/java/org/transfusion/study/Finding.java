package org.transfusion.study;

/** One of the paper's claims beside what this study measured, with a plain verdict. */
public record Finding(String experiment, String claim, String measured, Verdict verdict) {
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
