package dev.ddpm.config;

/** A configuration that cannot be used; the message names the key and the allowed values. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
