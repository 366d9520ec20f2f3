package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Exit code and both streams of one in-process CLI run, and the assertion every bad-input test makes. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** A user mistake: exit 2, one line on stderr naming {@code what}, no stack trace. */
    void assertOneLineError(String what) {
        assertThat(code).as(err).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(err.strip().lines().count()).as(err).isEqualTo(1);
        assertThat(err).startsWith("transfusion: error: ").contains(what)
                .doesNotContain("Exception").doesNotContain("\tat ");
    }
}
