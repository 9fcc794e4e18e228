package dev.ddpm.data;

import dev.ddpm.common.UserException;

/**
 * A data file that is missing, unreadable or not what it should be; the message names the file and
 * what to do.
 */
public class DataException extends UserException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
