package dev.ddpm.io;

import dev.ddpm.common.UserException;

/**
 * A safetensors file (checkpoint, weights, classifier) that cannot be used; the message names the
 * file and the problem, on one line (line breaks that a file name or a parser's message brings in
 * are collapsed). A {@link UserException}: the command line reports it as the user's to fix.
 */
public class SafetensorsException extends UserException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message.replaceAll("\\s*\\R\\s*", " "));
    }
}
