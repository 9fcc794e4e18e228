package dev.ddpm.common;

/**
 * Something the user can fix: a bad option, configuration, file or folder. The command line prints
 * the message as one line and exits with status 2; the message names the problem and what to do
 * about it.
 */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
