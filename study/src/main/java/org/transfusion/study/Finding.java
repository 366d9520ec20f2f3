package org.transfusion.study;

/** One of the paper's claims beside what this study measured, with a plain verdict. */
public record Finding(String experiment, String claim, String measured, Verdict verdict) {
    public enum Verdict {
        REPRODUCED("reproduced"), NOT_REPRODUCED("not reproduced"), INCONCLUSIVE("inconclusive at this scale");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The report's style class of the verdict. */
        public String css() {
            return this == REPRODUCED ? "reproduced" : this == NOT_REPRODUCED ? "not-reproduced" : "inconclusive";
        }
    }
}
