package dev.ddpm.io;

import java.io.IOException;

/**
 * A safetensors file that cannot be read; the message names the file and the problem, on one line
 * (line breaks that a file name or a parser's message brings in are collapsed).
 */
public class SafetensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message.replaceAll("\\s*\\R\\s*", " "));
    }
}
