package org.transfusion.error;

/**
 * A user mistake: a missing or malformed file, a wrong option, data that does not fit. The CLI prints its
 * message as one line and exits with code 2, without a stack trace. The message names the file or option,
 * the field and what was expected.
 *
 * <p>It lives in the lowest module (base) so that every module can throw it while dependencies keep pointing one
 * way (cli -> study -> engine -> similarity -> base).
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
